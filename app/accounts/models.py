"""Organisations, teams, users and device tokens."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import TenantScoped, new_id, utcnow
from app.extensions import db

ROLES = ("admin", "lead", "rep", "cs")

# An organisation's lists when it has set none of its own.
DEFAULT_SOURCES = (
    "website",
    "phone",
    "trade_show",
    "marketplace",
    "referral",
    "walk_in",
    "customer_service",
    "other",
)
DEFAULT_LOST_REASONS = (
    "price_too_high",
    "no_matching_product",
    "customisation_needed",
    "channel_conflict",
    "no_response",
    "chose_competitor",
    "other",
)


def lead_sources(org) -> list[str]:
    """The channels a new lead may come from (an organisation or its row)."""
    return list(org.lead_sources or DEFAULT_SOURCES)


def source_when_none_given(org) -> str | None:
    """A new lead's source when the person gave none: the organisation's explicit
    ``default_source`` while its list still has it, else "other" (an honest "not said") while
    the list has it, else None — the person must choose; no channel is ever guessed."""
    sources = lead_sources(org)
    if org.default_source is not None and org.default_source in sources:
        return org.default_source
    return "other" if "other" in sources else None


# An organisation's slug: its public address (the question form at /q/<slug>).
SLUG_PATTERN = re.compile(r"[a-z0-9-]{3,60}\Z")  # matched from the start
SLUG_MAX = 60


def slug_from_name(name: str) -> str:
    """A slug's stem from an organisation's name: lowercase ASCII words joined by '-'
    ("Müller & Söhne GmbH" → "muller-sohne-gmbh"), at least 3 characters, room left for a
    "-<n>" that makes it unique."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[: SLUG_MAX - 6].strip("-")
    if len(stem) < 3:
        # A name of no Latin letters (or a very short one) still needs an address.
        stem = f"{stem}-org" if stem else "org"
    return stem


# The rep appraisal's weights until an admin sets the organisation's own (they sum to 1).
DEFAULT_APPRAISAL_WEIGHTS = {"sales": 0.5, "inquiries": 0.3, "workload": 0.2}


def appraisal_weights(org) -> dict[str, float]:
    return dict(org.appraisal_weights or DEFAULT_APPRAISAL_WEIGHTS)


def lost_reasons(org) -> list[str]:
    """The reasons a lead may be lost for."""
    return list(org.lost_reasons or DEFAULT_LOST_REASONS)


class Organization(db.Model):
    __tablename__ = "organizations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    # Its public address (/q/<slug>, /api/v1/public/<slug>/…): made from the name at signup,
    # changeable by an admin, unique across the service since the public finds it by it alone.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    # Used to read phone numbers written without a country code.
    default_country: Mapped[str] = mapped_column(String(2), default="US")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The organisation's own lists; None means the defaults above.
    lead_sources: Mapped[list | None] = mapped_column(JSON)
    lost_reasons: Mapped[list | None] = mapped_column(JSON)
    # The source quick capture starts with and a lead given none takes (one of lead_sources);
    # None: none is preset, the person chooses.
    default_source: Mapped[str | None] = mapped_column(String(40))
    # The reporting currency (ISO 4217): spend is entered in it, and reports add up only the
    # lead values in it (others are counted apart, never silently added).
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    # The rep appraisal's weights: {"sales", "inquiries", "workload"}, summing to 1; None
    # means the defaults (app.reports).
    appraisal_weights: Mapped[dict | None] = mapped_column(JSON)
    # The company's own web origins ("https://www.acme.com") that may call the public
    # question endpoints from a browser (CORS); None: none.
    public_origins: Mapped[list | None] = mapped_column(JSON)
    # Assignment (app.assignment): who owns a lead no rule routes (None: nobody is chosen,
    # the lead stays with whoever captured it), and whether a rep's capture outside their
    # territory (User.regions) is routed by the rules instead of kept by the rep. No foreign
    # key (users point at their organisation already): checked when set, skipped once inactive.
    default_owner_id: Mapped[uuid.UUID | None] = mapped_column()
    route_out_of_territory: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Whether every consumer question is handed to sales as it arrives (a lead routed by the
    # rules), rather than when the desk decides to (``questions.service.convert``).
    route_questions_to_sales: Mapped[bool] = mapped_column(
        default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Its settings travel to devices (the ``org`` entity of sync); versions come from its
    # own change counter like every synced record's.
    version: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    @property
    def zone(self) -> ZoneInfo:
        """The time zone its days (report periods, tallies) are counted in."""
        return ZoneInfo(self.timezone or "UTC")


class Team(TenantScoped, db.Model):
    __tablename__ = "teams"
    # A race past the service's check is answered with the check's own code (app.errors).
    __table_args__ = (UniqueConstraint("org_id", "name", info={"code": "team_name_taken"}),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamMember(TenantScoped, db.Model):
    __tablename__ = "team_members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "team_id"], ["teams.org_id", "teams.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
        Index("ix_team_members_org_user", "org_id", "user_id"),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


class User(TenantScoped, UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (Index("ix_users_org_version", "org_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Sign-in is by email alone, so an address is unique across the whole service.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to end every session at once (deactivation, password change).
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Users sync to teammates' devices as reference data (see app.changelog.versions).
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    # Quiet hours: reminders wait for the person's working hours (a calendar's JSON form;
    # None means the organisation's sales hours) unless they asked for escalations at any hour.
    timezone: Mapped[str | None] = mapped_column(String(64))
    working_hours: Mapped[dict | None] = mapped_column(JSON)
    escalations_any_hour: Mapped[bool] = mapped_column(default=False)
    # Assignment (app.assignment): a rep on leave, or holding max_open_leads open leads
    # (None: no cap), is skipped by team round-robin. regions is the rep's territory: region
    # names (matched case-insensitively) and postcode/area-code prefixes written with a
    # trailing "*" ("80*"); None or empty: no territory, every capture is theirs.
    on_leave: Mapped[bool] = mapped_column(default=False, server_default=false())
    max_open_leads: Mapped[int | None] = mapped_column()
    regions: Mapped[list | None] = mapped_column(JSON)

    memberships: Mapped[list[TeamMember]] = relationship(
        primaryjoin=(
            "and_(User.org_id == foreign(TeamMember.org_id),"
            " User.id == foreign(TeamMember.user_id))"
        ),
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def team_ids(self) -> list[uuid.UUID]:
        return sorted(m.team_id for m in self.memberships)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def get_id(self) -> str:
        """The session's user key; a bumped epoch makes old sessions load nobody."""
        return f"{self.org_id}:{self.id}:{self.session_epoch}"


class DeviceToken(TenantScoped, db.Model):
    __tablename__ = "device_tokens"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
        Index("ix_device_tokens_org_user", "org_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the secret: the secret itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class Invitation(TenantScoped, db.Model):
    """A link that lets an invited person choose their password (and so sign up) once.

    Only a SHA-256 of the link's secret is kept, like a device token's. A person has at most
    one live invitation: sending a new one withdraws the old (``revoked_at``).
    """

    __tablename__ = "invitations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("org_id", "token_hash"),
        # The link is opened by someone not signed in: found by its hash across organisations.
        Index("ix_invitations_token_hash", "token_hash"),
        Index("ix_invitations_org_user", "org_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column()
    token_hash: Mapped[str] = mapped_column(String(64))
    # The admin who sent it, for the record (people are deactivated, never deleted).
    invited_by: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    accepted_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class UserSession(TenantScoped, db.Model):
    """One signed-in browser. The cookie names this row (``session["sid"]``) and the row is
    checked on every request, so signing out ends this browser's cookie on the server while
    the person's other browsers and devices stay signed in."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
        Index("ix_user_sessions_org_user", "org_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
