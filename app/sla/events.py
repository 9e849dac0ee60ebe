"""A timed item's clock steps as its domain takes them (start, meet, pause), each recorded
in ``sla_events``; any registered kind (``app.sla.timed``) uses the same ones.

``app.sla.clock`` is the arithmetic on the item's columns; this module adds what needs the
database: the policy and calendar that apply, and the history row of each step.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, Uuid, and_, case, func, insert, literal, or_, select

from app import tallies
from app.accounts.models import Organization
from app.database import new_id
from app.extensions import db
from app.sla import clock
from app.sla.calendars import calendar_for
from app.sla.models import SlaEvent, SlaMinutesTally, SlaStepTally
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


def _step_entry(step) -> tallies.Entry | None:
    """What a step adds to the compliance tally: a clock met on time, or a breach."""
    if step.event == "breached":
        counts = (0, 1)
    elif step.event == "met" and (step.due_at is None or step.at <= step.due_at):
        counts = (1, 0)
    else:
        return None
    return step.at, (step.item_type, step.metric, step.owner_id, step.team_id), counts


def _step_keys() -> list:
    return [
        SlaEvent.item_type.label("item_type"),
        SlaEvent.metric.label("metric"),
        tallies.counted_key(SlaEvent.owner_id).label("owner_id"),
        tallies.counted_key(SlaEvent.team_id).label("team_id"),
    ]


def _recount_steps(org_id: uuid.UUID, tz: str, span: str) -> Select:
    day = tallies.local_start(SlaEvent.at, tz, span)
    keys = _step_keys()
    met_on_time = and_(
        SlaEvent.event == "met", or_(SlaEvent.due_at.is_(None), SlaEvent.at <= SlaEvent.due_at)
    )
    return (
        select(
            literal(org_id, Uuid).label("org_id"),
            day.label("day"),
            *keys,
            func.sum(case((SlaEvent.event == "met", 1), else_=0)).label("met"),
            func.sum(case((SlaEvent.event == "breached", 1), else_=0)).label("breached"),
        )
        .where(SlaEvent.org_id == org_id, or_(met_on_time, SlaEvent.event == "breached"))
        .group_by(day, *(k.element for k in keys))
    )


STEP_TALLY = tallies.register(
    tallies.Tally(
        table=SlaStepTally.__table__,
        keys=("item_type", "metric", "owner_id", "team_id"),
        counts=("met", "breached"),
        entry=_step_entry,
        recount=_recount_steps,
    )
)


def _minutes_entry(step) -> tallies.Entry | None:
    """What a step adds to the response-time histogram: a clock met after so many
    business minutes (steps from before minutes were kept have none)."""
    if step.event != "met" or step.business_minutes is None:
        return None
    key = (step.item_type, step.metric, step.owner_id, step.team_id, step.business_minutes)
    return step.at, key, (1,)


def _recount_minutes(org_id: uuid.UUID, tz: str, span: str) -> Select:
    day = tallies.local_start(SlaEvent.at, tz, span)
    keys = [*_step_keys(), SlaEvent.business_minutes.label("minutes")]
    return (
        select(
            literal(org_id, Uuid).label("org_id"),
            day.label("day"),
            *keys,
            func.count().label("met"),
        )
        .where(
            SlaEvent.org_id == org_id,
            SlaEvent.event == "met",
            SlaEvent.business_minutes.is_not(None),
        )
        .group_by(day, *(k.element for k in keys))
    )


MINUTES_TALLY = tallies.register(
    tallies.Tally(
        table=SlaMinutesTally.__table__,
        keys=("item_type", "metric", "owner_id", "team_id", "minutes"),
        counts=("met",),
        entry=_minutes_entry,
        recount=_recount_minutes,
        spans=("day", "month", "year"),
    )
)


def count_steps(steps: list) -> None:
    """Count written steps (``SlaEvent``s, or their rows as namespaces) in the tallies."""
    if not steps:
        return
    org = db.session.get(Organization, steps[0].org_id)
    for tally in (STEP_TALLY, MINUTES_TALLY):
        tallies.add(tally, org.id, org.zone, steps)


def record(item_type: str, item, event: str, at: datetime, counted: bool = True) -> SlaEvent:
    """Add the step to the session (written at its flush, with the item) and count it
    (``counted`` False: the caller counts a batch of steps at once, ``count_steps``)."""
    step = SlaEvent(**event_row(item_type, item, event, at))
    db.session.add(step)
    if counted:
        count_steps([step])
    return step


def insert_rows(rows: list[dict[str, Any]]) -> None:
    """Write many ``event_row``s now, with one INSERT."""
    if rows:
        db.session.execute(insert(SlaEvent.__table__), rows)
        count_steps([SimpleNamespace(**{"business_minutes": None, **row}) for row in rows])


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
    count_steps([step])


def pause(kind: TimedKind, item, at: datetime) -> None:
    """Nothing is owed until the item is reopened."""
    clock.pause(item)
    record(kind.item_type, item, "paused", at)
