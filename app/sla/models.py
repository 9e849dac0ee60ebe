"""SLA policies, business-hours calendars and the history of every clock."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, new_id, utcnow
from app.extensions import db

# A lead is first answered, then followed up; a consumer's question waits for a first reply.
METRICS = ("first_response", "follow_up", "first_reply")
# How urgent a timed item is; policies may set targets per priority.
PRIORITIES = ("low", "normal", "high", "urgent")
ITEM_TYPES = ("lead", "question")
CALENDAR_KINDS = ("sales", "service")
STATES = ("ok", "warning", "breached", "paused", "met")


class Calendar(TenantScoped, db.Model):
    """Working hours in a time zone (see ``app.business_time``); per team or organisation-wide."""

    __tablename__ = "calendars"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "team_id"], ["teams.org_id", "teams.id"], ondelete="CASCADE"
        ),
        Index("ix_calendars_org_version", "org_id", "version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    # "sales" counts lead deadlines; "service" the evening customer-service shift.
    kind: Mapped[str] = mapped_column(String(10))
    team_id: Mapped[uuid.UUID | None] = mapped_column()
    definition: Mapped[dict] = mapped_column(JSON)
    # Devices count deadlines offline in these hours, so calendars travel as the `calendar`
    # entity: every change takes a new version of the organisation's counter.
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SlaPolicy(TenantScoped, db.Model):
    """A target for one metric; the most specific active policy matching an item wins."""

    __tablename__ = "sla_policies"
    __table_args__ = (Index("ix_sla_policies_org_version", "org_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    item_type: Mapped[str] = mapped_column(String(10), default="lead")
    metric: Mapped[str] = mapped_column(String(20))
    # None matches any priority / any source.
    priority: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(String(40))
    target_minutes: Mapped[int] = mapped_column()  # business minutes
    warn_ratio: Mapped[float] = mapped_column(default=0.8)
    # Tell the team lead when a deadline has been breached this long (business minutes).
    escalate_after_minutes: Mapped[int | None] = mapped_column()
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SlaEvent(TenantScoped, db.Model):
    """One step of one clock: started, warning, breached, escalated, met, paused."""

    __tablename__ = "sla_events"
    __table_args__ = (
        Index("ix_sla_events_org_item", "org_id", "item_type", "item_id", "at"),
        # Reports read a period's steps (on PostgreSQL from the index alone).
        Index(
            "ix_sla_events_org_at",
            "org_id",
            "at",
            postgresql_include=[
                "item_type",
                "metric",
                "event",
                "due_at",
                "business_minutes",
                "owner_id",
                "team_id",
            ],
        ),  # fmt: skip
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    item_type: Mapped[str] = mapped_column(String(10))
    item_id: Mapped[uuid.UUID] = mapped_column()
    metric: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    policy_id: Mapped[uuid.UUID | None] = mapped_column()
    # On a "met" step: the business minutes from the clock's start (in the calendar that
    # applied), so reports take medians in SQL without redoing calendar arithmetic.
    business_minutes: Mapped[int | None] = mapped_column()
    # The item's owner and team when the step happened (None: the item had none).
    owner_id: Mapped[uuid.UUID | None] = mapped_column()
    team_id: Mapped[uuid.UUID | None] = mapped_column()

    def __init__(self, **fields: Any) -> None:
        # The id is made with the event, not by the INSERT: a flush of many events (an SLA
        # check) is then one executemany. Without ids the ORM must read them back with an
        # INSERT … RETURNING of every row, several times slower at a thousand rows.
        super().__init__(**{"id": new_id(), **fields})


class SlaStepTally(TenantScoped, db.Model):
    """Clocks met on time and breaches per local day, by item type, metric and the owner
    and team at the step: the compliance figures, read per period without reading the
    steps (``app.tallies``; kept by ``app.sla.events``)."""

    __tablename__ = "sla_step_tallies"

    day: Mapped[date] = mapped_column(primary_key=True)
    item_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # NOBODY for none
    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    met: Mapped[int] = mapped_column(default=0)  # on time
    breached: Mapped[int] = mapped_column(default=0)


class SlaMinutesTally(TenantScoped, db.Model):
    """How many clocks were met after how many business minutes, per local day, month and
    year, item type, metric and the owner and team at the step: the response times'
    medians and percentiles, read per period as a histogram rather than by sorting the
    steps (``app.tallies``, its spans; kept by ``app.sla.events``)."""

    __tablename__ = "sla_minutes_tallies"
    __table_args__ = (
        # A period's histogram, read from the index alone on PostgreSQL.
        Index(
            "ix_sla_minutes_tallies_read",
            "org_id",
            "span",
            "item_type",
            "metric",
            "day",
            postgresql_include=["owner_id", "team_id", "minutes", "met"],
        ),  # fmt: skip
    )

    span: Mapped[str] = mapped_column(String(5), primary_key=True)  # day, month or year
    day: Mapped[date] = mapped_column(primary_key=True)  # the span's first day
    item_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # NOBODY for none
    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    minutes: Mapped[int] = mapped_column(primary_key=True)
    met: Mapped[int] = mapped_column(default=0)
