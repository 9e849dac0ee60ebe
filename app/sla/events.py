"""A timed item's clock steps as its domain takes them (start, meet, pause), each recorded
in ``sla_events``; any registered kind (``app.sla.timed``) uses the same ones.

``app.sla.clock`` is the arithmetic on the item's columns; this module adds what needs the
database: the policy and calendar that apply, and the history row of each step.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from app.accounts.models import Organization
from app.database import new_id
from app.extensions import db
from app.sla import clock
from app.sla.calendars import calendar_for
from app.sla.models import SlaEvent
from app.sla.policies import resolve_target
from app.sla.timed import TimedKind, timed_kind

# --- history -----------------------------------------------------------------------------


def event_row(item_type: str, item, event: str, at: datetime) -> dict[str, Any]:
    """The ``sla_events`` row of one step of ``item``'s clock, with the item's owner and
    team at that moment (compliance counts for whoever had it then; reports read the steps
    without a join)."""
    kind = timed_kind(item_type)
    return {
        "id": new_id(),
        "org_id": item.org_id,
        "item_type": item_type,
        "item_id": item.id,
        "metric": item.sla_metric,
        "event": event,
        "at": at,
        "due_at": item.sla_due_at,
        "policy_id": item.sla_policy_id,
        "owner_id": kind.owner_id(item),
        "team_id": kind.team_id(item),
    }


def record(item_type: str, item, event: str, at: datetime) -> None:
    """Add the step to the session (written at its flush, with the item)."""
    db.session.add(SlaEvent(**event_row(item_type, item, event, at)))


def insert_rows(rows: list[dict[str, Any]]) -> None:
    """Write many ``event_row``s now, with one INSERT."""
    if rows:
        db.session.execute(insert(SlaEvent.__table__), rows)


# --- steps -------------------------------------------------------------------------------


def new_clock(
    kind: TimedKind,
    org_id: uuid.UUID,
    metric: str,
    priority: str | None,
    source: str | None,
    team_id: uuid.UUID | None,
    at: datetime,
    cap: datetime | None = None,
) -> dict[str, Any]:
    """The clock columns of an item of ``kind`` whose ``metric`` starts at ``at``: the
    organisation's policy for it, counted in the team's (else the organisation's) calendar
    of the kind. Depends on its arguments alone (policies and calendars are read once per
    transaction), so items alike in them can share the result (``clock.set_columns``)."""
    target = resolve_target(org_id, kind.item_type, metric, priority, source)
    org = db.session.get(Organization, org_id)
    return clock.started(target, calendar_for(org, kind.calendar_kind, team_id), at, cap)


def start(kind: TimedKind, item, columns: dict[str, Any], at: datetime) -> None:
    """Start (or restart) ``item``'s clock with ``new_clock``'s columns, and record it."""
    clock.set_columns(item, columns)
    record(kind.item_type, item, "started", at)


def meet(kind: TimedKind, item, at: datetime) -> None:
    """The item got what its clock waited for, at ``at`` (however late that is known). The
    step keeps how long that took in business minutes (the reports' response times)."""
    started = item.sla_started_at
    clock.meet(item, at)
    step = SlaEvent(**event_row(kind.item_type, item, "met", at))
    if started is not None:
        org = db.session.get(Organization, item.org_id)
        calendar = calendar_for(org, kind.calendar_kind, getattr(item, "team_id", None))
        elapsed = calendar.business_time_between(started, max(at, started))
        step.business_minutes = int(elapsed.total_seconds() // 60)
    db.session.add(step)


def pause(kind: TimedKind, item, at: datetime) -> None:
    """Nothing is owed until the item is reopened."""
    clock.pause(item)
    record(kind.item_type, item, "paused", at)
