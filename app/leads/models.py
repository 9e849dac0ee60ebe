"""Leads (inquiries), their follow-ups, and the product catalogue."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.accounts.models import DEFAULT_LOST_REASONS, DEFAULT_SOURCES  # noqa: F401 (re-exported)
from app.database import TenantScoped, new_id, utcnow
from app.extensions import db
from app.sla.clock import SlaClockColumns
from app.sla.models import PRIORITIES  # noqa: F401 (a lead has one of the SLA priorities)

STAGES = ("new", "contacted", "quoted", "negotiating", "won", "lost")
OPEN_STAGES = ("new", "contacted", "quoted", "negotiating")
FOLLOW_UP_KINDS = ("call", "visit", "message", "email", "quote", "note")
# The follow-up kinds that are a contact with the customer (a "note" is not).
CONTACT_KINDS = ("call", "visit", "message", "email", "quote")

Money = Numeric(14, 2)

# What the reports read of the leads of a period (see the indexes on Lead).
COHORT_COLUMNS = [
    "stage", "source", "owner_id", "team_id", "last_follow_up_at", "quoted_at", "won_value",
    "currency", "product_id", "priority", "region",
]  # fmt: skip
CLOSED_COLUMNS = [
    "stage", "lost_reason", "product_id", "product_text", "quantity", "estimated_value",
    "currency", "owner_id", "team_id", "source", "priority", "region", "won_value",
    "closed_owner_id", "closed_team_id",
]  # fmt: skip


OVERDUE = "sla_state = 'breached'"


class Product(TenantScoped, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("org_id", "sku"),
        Index("ix_products_org_version", "org_id", "version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(64))
    list_price: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    # What customer service tells consumers: a short spec and the frequent questions with
    # their answers, plain text (synced to every device, so the desk has them offline).
    spec: Mapped[str | None] = mapped_column(Text)
    faq: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Lead(TenantScoped, SlaClockColumns, db.Model):
    __tablename__ = "leads"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "owner_id"], ["users.org_id", "users.id"]),
        ForeignKeyConstraint(["org_id", "team_id"], ["teams.org_id", "teams.id"]),
        ForeignKeyConstraint(["org_id", "product_id"], ["products.org_id", "products.id"]),
        # Pull reads each visible set in version order: the whole org, a team's, an owner's.
        Index("ix_leads_org_version", "org_id", "version"),
        Index("ix_leads_org_owner_version", "org_id", "owner_id", "version"),
        Index("ix_leads_org_team_version", "org_id", "team_id", "version"),
        # Lists sort by creation (newest first) with a keyset on (created_at, id).
        Index("ix_leads_org_created", "org_id", "created_at", "id"),
        Index("ix_leads_org_phone", "org_id", "phone_e164"),
        Index("ix_leads_org_email", "org_id", "email_norm"),
        # The SLA check's scan across organisations: what is due first.
        Index("ix_leads_sla_next_at", "sla_next_at"),
        UniqueConstraint("org_id", "external_ref"),
        # Reports read the leads created in a period (the inquiry cohort) and those closed
        # in one (lost reasons, the demand report) — on PostgreSQL from these indexes alone,
        # which carry every column such a report reads.
        Index(
            "ix_leads_org_cohort",
            "org_id",
            "created_at",
            postgresql_include=COHORT_COLUMNS,
        ),
        Index("ix_leads_org_closed", "org_id", "closed_at", postgresql_include=CLOSED_COLUMNS),
        # The leads overdue now (the SLA report, the board): a few among a million.
        Index(
            "ix_leads_org_overdue",
            "org_id",
            "owner_id",
            "team_id",
            postgresql_where=text(OVERDUE),
            sqlite_where=text(OVERDUE),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    contact_name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    email_norm: Mapped[str | None] = mapped_column(String(254))
    region: Mapped[str | None] = mapped_column(String(120))
    territory: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(40))
    product_id: Mapped[uuid.UUID | None] = mapped_column()
    product_text: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(14, 3))
    estimated_value: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    notes: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[uuid.UUID] = mapped_column()
    team_id: Mapped[uuid.UUID | None] = mapped_column()
    stage: Mapped[str] = mapped_column(String(12), default="new")
    lost_reason: Mapped[str | None] = mapped_column(String(60))
    won_value: Mapped[Decimal | None] = mapped_column(Money)
    # When the lead last became won or lost (None while open): the reports' sales date.
    closed_at: Mapped[datetime | None] = mapped_column()
    # Its owner and team when it was closed: a sale counts for whoever won it, however the
    # lead moves on afterwards (and reports read it from ix_leads_org_closed alone).
    closed_owner_id: Mapped[uuid.UUID | None] = mapped_column()
    closed_team_id: Mapped[uuid.UUID | None] = mapped_column()
    # When it was first quoted (reached quoted, negotiating or won, or had a quote logged);
    # kept when it moves on or closes: the reports' "quoted" count reads it without a join.
    quoted_at: Mapped[datetime | None] = mapped_column()
    next_follow_up_at: Mapped[datetime | None] = mapped_column()
    last_follow_up_at: Mapped[datetime | None] = mapped_column()
    possible_duplicate_of: Mapped[uuid.UUID | None] = mapped_column()
    # The inquiry's number in the system it was imported from (unique in the organisation):
    # follow-ups imported later find their lead by it.
    external_ref: Mapped[str | None] = mapped_column(String(100))
    # The assignment rule that chose its owner (app.assignment; None: a person chose, or no
    # rule matched). Kept after the rule is deleted, as a record.
    assigned_by_rule: Mapped[uuid.UUID | None] = mapped_column()
    created_by: Mapped[uuid.UUID] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    # The version at which each field last changed: lead.update compares a device's
    # base_version with these, so only fields changed since the device's copy conflict.
    field_versions: Mapped[dict] = mapped_column(JSON, default=dict)
    # The record's sync change as a pull sends it, valid while wire_version = version
    # (app/changelog/stored.py).
    wire_change: Mapped[str | None] = mapped_column(Text)
    wire_version: Mapped[int | None] = mapped_column(BigInteger)


class LeadStageChange(TenantScoped, db.Model):
    """One step in a lead's stage history: from what, to what, when and by whom. Written by
    the leads service for every change (REST, sync, import alike); the reports read it."""

    __tablename__ = "lead_stage_changes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "lead_id"], ["leads.org_id", "leads.id"], ondelete="CASCADE"
        ),
        Index("ix_lead_stage_changes_org_lead", "org_id", "lead_id", "at"),
        # Reports read the changes of a period: "which leads were won in March".
        Index("ix_lead_stage_changes_org_stage_at", "org_id", "to_stage", "at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    lead_id: Mapped[uuid.UUID] = mapped_column()
    from_stage: Mapped[str | None] = mapped_column(String(12))  # None: the lead was created
    to_stage: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column()
    # Who made it (None: the migration's reconstruction of an older lead's history).
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    # The assignment rule that chose the owner with this step (its creation), if one did.
    assigned_by_rule: Mapped[uuid.UUID | None] = mapped_column()
    # The lead's owner and team at the time: a sale counts for who won it, even after the
    # lead is reassigned.
    owner_id: Mapped[uuid.UUID] = mapped_column()
    team_id: Mapped[uuid.UUID | None] = mapped_column()


class FollowUp(TenantScoped, db.Model):
    """An append-only entry in a lead's timeline."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "lead_id"], ["leads.org_id", "leads.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["org_id", "author_id"], ["users.org_id", "users.id"]),
        Index("ix_follow_ups_org_lead", "org_id", "lead_id", "happened_at"),
        # owner_id and team_id copy the lead's, so pull can read a visible set by index.
        Index("ix_follow_ups_org_version", "org_id", "version"),
        Index("ix_follow_ups_org_owner_version", "org_id", "owner_id", "version"),
        Index("ix_follow_ups_org_team_version", "org_id", "team_id", "version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    lead_id: Mapped[uuid.UUID] = mapped_column()
    owner_id: Mapped[uuid.UUID] = mapped_column()
    team_id: Mapped[uuid.UUID | None] = mapped_column()
    author_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(200))
    happened_at: Mapped[datetime] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_follow_up_at: Mapped[datetime | None] = mapped_column()
    quoted_amount: Mapped[Decimal | None] = mapped_column(Money)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    wire_change: Mapped[str | None] = mapped_column(Text)  # as on Lead
    wire_version: Mapped[int | None] = mapped_column(BigInteger)


class FollowUpTally(TenantScoped, db.Model):
    """How many follow-ups each person logged per local day, by the lead's owner and team
    of now (the visible set they count in): the reps' workload, read per period without
    reading the follow-ups (``app.tallies``; kept by ``app.leads.tally``)."""

    __tablename__ = "follow_up_tallies"

    day: Mapped[date] = mapped_column(primary_key=True)
    author_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # NOBODY for none
    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    follow_ups: Mapped[int] = mapped_column(default=0)
    quotes: Mapped[int] = mapped_column(default=0)
