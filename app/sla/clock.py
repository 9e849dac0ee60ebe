"""One SLA clock: start it, advance it past its milestones, meet it, pause it.

The clock lives in ``sla_*`` columns of the item it times (``SlaClockColumns``): the
metric, the policy's deadline and warning time in the item's business calendar, and
``sla_next_at`` — the next instant at which something must happen (a warning, a breach, an
escalation). The scheduler looks only at items whose ``sla_next_at`` has passed, so a check
costs what becomes due, not what is open.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.business_time import BusinessCalendar
from app.fields import isoformat_z


@dataclass(frozen=True)
class Target:
    """A resolved policy: what to measure and how long it may take in business time."""

    metric: str
    target: timedelta
    warn_ratio: float
    escalate_after: timedelta | None
    policy_id: uuid.UUID | None = None


class SlaClockColumns:
    """The running clock of an item (a lead now, a consumer question later)."""

    @declared_attr
    def sla_metric(cls) -> Mapped[str | None]:
        return mapped_column(String(20))

    @declared_attr
    def sla_state(cls) -> Mapped[str | None]:
        return mapped_column(String(10))

    @declared_attr
    def sla_policy_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column()

    @declared_attr
    def sla_started_at(cls) -> Mapped[datetime | None]:
        return mapped_column()

    @declared_attr
    def sla_warn_at(cls) -> Mapped[datetime | None]:
        return mapped_column()

    @declared_attr
    def sla_due_at(cls) -> Mapped[datetime | None]:
        return mapped_column()

    @declared_attr
    def sla_breached_at(cls) -> Mapped[datetime | None]:
        return mapped_column()

    @declared_attr
    def sla_met_at(cls) -> Mapped[datetime | None]:
        return mapped_column()

    @declared_attr
    def sla_escalate_at(cls) -> Mapped[datetime | None]:
        return mapped_column()

    @declared_attr
    def sla_escalated_at(cls) -> Mapped[datetime | None]:
        return mapped_column()

    @declared_attr
    def sla_next_at(cls) -> Mapped[datetime | None]:
        return mapped_column()


#: The latest deadline a clock is given: a target whose working time would end past the
#: supported dates (the year 9999) is due then instead of failing the item's capture.
HORIZON = datetime(9999, 12, 31, tzinfo=UTC)


def _deadline(calendar: BusinessCalendar, at: datetime, work: timedelta, strict: bool) -> datetime:
    try:
        return calendar.add_business_time(at, work)
    except ValueError:
        if strict:
            raise
        return max(HORIZON, at)


def started(
    target: Target,
    calendar: BusinessCalendar,
    at: datetime,
    cap: datetime | None = None,
    *,
    strict: bool = False,
) -> dict[str, Any]:
    """The clock columns of an item whose clock starts (or restarts) at ``at``. ``cap`` is an
    earlier deadline the person set themselves (a lead's ``next_follow_up_at``): the sooner
    of the two counts. It depends on its arguments alone, so items alike in them can share
    one result (``set_columns`` gives it to each).

    A deadline past the supported dates is ``HORIZON`` (an item is never refused for its
    clock), or, ``strict``, a ``ValueError`` (the SLA preview and a policy's save answer
    422 with it)."""
    due = _deadline(calendar, at, target.target, strict)
    if cap is not None and cap < due:
        due = max(cap, at)
    span = calendar.business_time_between(at, due)
    warn = _deadline(calendar, at, span * target.warn_ratio, strict)
    return {
        "sla_metric": target.metric,
        "sla_policy_id": target.policy_id,
        "sla_state": "ok",
        "sla_started_at": at,
        "sla_warn_at": warn,
        "sla_due_at": due,
        "sla_breached_at": None,
        "sla_met_at": None,
        "sla_escalate_at": (
            _deadline(calendar, due, target.escalate_after, strict)
            if target.escalate_after
            else None
        ),
        "sla_escalated_at": None,
        "sla_next_at": warn if warn < due else due,
    }


def set_columns(item, columns: dict[str, Any]) -> None:
    """Start (or restart) ``item``'s clock: give it the ``columns`` that ``started`` made."""
    for name, value in columns.items():
        setattr(item, name, value)


def meet(item, at: datetime) -> None:
    item.sla_state = "met"
    item.sla_met_at = at
    item.sla_next_at = None


def pause(item) -> None:
    item.sla_state = "paused"
    item.sla_next_at = None


def advance(item, now: datetime) -> list[str]:
    """Move the clock past every milestone that ``now`` has reached; returns them in order
    (``warning``, ``breached``, ``escalated``). A warning whose deadline has also passed is
    skipped: "due soon" is no news once it is overdue."""
    passed: list[str] = []
    while item.sla_next_at is not None and item.sla_next_at <= now:
        if item.sla_state == "ok" and item.sla_warn_at < item.sla_due_at and now < item.sla_due_at:
            item.sla_state = "warning"
            item.sla_next_at = item.sla_due_at
            passed.append("warning")
        elif item.sla_state in ("ok", "warning"):
            item.sla_state = "breached"
            item.sla_breached_at = item.sla_due_at
            item.sla_next_at = item.sla_escalate_at
            passed.append("breached")
        elif (
            item.sla_state == "breached"
            and item.sla_escalate_at is not None
            and item.sla_escalated_at is None
        ):
            item.sla_escalated_at = now
            item.sla_next_at = None
            passed.append("escalated")
        else:
            item.sla_next_at = None
    return passed


# The keys of the ``sla`` wire field; each is the item's ``sla_<key>`` column.
SLA_KEYS = (
    "metric",
    "state",
    "started_at",
    "warn_at",
    "due_at",
    "breached_at",
    "met_at",
    "escalated_at",
)


# Each wire key with its column, named once (``wire`` runs for every record written).
_WIRE_COLUMNS = tuple((key, f"sla_{key}") for key in SLA_KEYS)


def wire(item) -> dict | None:
    """The ``sla`` field of an item as it travels."""
    if item.sla_metric is None:
        return None
    values = {}
    for key, column in _WIRE_COLUMNS:
        value = getattr(item, column)
        values[key] = isoformat_z(value) if isinstance(value, datetime) else value
    return values
