"""The SLA preview: when would a new item, arriving now (or at a given time), be due?

An administrator editing a policy or a calendar sees the answer before saving. It is worked
out by the very steps that start a real item's clock (``events.new_clock``): the target
chosen among the organisation's active policies (``policies.choose_target``), the
calendar that counts for the item's team (``calendars.calendar_for``), and
``clock.started``. An unsaved policy takes the place of the stored one it edits (or joins
them, when new); an unsaved calendar definition is counted instead of the calendar that
would apply. Nothing is written.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.accounts import permissions
from app.accounts.models import Organization, Team, User
from app.business_time import BusinessCalendar
from app.database import utcnow
from app.errors import ValidationFailed
from app.extensions import db
from app.sla import clock
from app.sla.calendars import calendar_for, calendar_of, require_enough_open_time
from app.sla.models import Calendar, SlaPolicy
from app.sla.policies import PolicyRule, active_policies, choose_target
from app.sla.timed import TimedKind, timed_kinds

# Stands for a policy being created (it has no id yet) among the stored ones.
_NEW_POLICY = uuid.UUID(int=0)


def _kind(item_type: str) -> TimedKind:
    for kind in timed_kinds():
        if kind.item_type == item_type:
            return kind
    raise ValidationFailed({"item_type": ["No deadlines are kept for this kind of item yet."]})


def _rules(
    org_id: uuid.UUID, kind: TimedKind, metric: str, unsaved: dict[str, Any] | None
) -> list[PolicyRule]:
    """The active policies as they would be with the unsaved one saved."""
    rules = active_policies(org_id, kind.item_type, metric)
    if unsaved is None:
        return rules
    stored = db.session.get(SlaPolicy, (org_id, unsaved["id"])) if unsaved.get("id") else None
    if stored is not None and (stored.item_type, stored.metric) != (kind.item_type, metric):
        raise ValidationFailed(
            {"policy": {"id": [f"That policy measures {stored.metric} of {stored.item_type}s."]}}
        )
    edited = unsaved.get("id") or _NEW_POLICY
    rules = [r for r in rules if r.id != edited]
    if unsaved.get("active", True):
        rules.append(
            PolicyRule(
                edited,
                unsaved.get("priority"),
                unsaved.get("source"),
                unsaved["target_minutes"],
                unsaved.get("warn_ratio", 0.8),
                unsaved.get("escalate_after_minutes"),
            )
        )
    return rules


def _policy_named(
    org_id: uuid.UUID, policy_id: uuid.UUID | None, unsaved: dict[str, Any] | None
) -> dict[str, Any] | None:
    if policy_id is None:
        return None  # the kind's defaults
    if unsaved is not None and policy_id == (unsaved.get("id") or _NEW_POLICY):
        stored = db.session.get(SlaPolicy, (org_id, policy_id)) if unsaved.get("id") else None
        name = unsaved.get("name") or (stored.name if stored else None)
        return {"id": unsaved.get("id"), "name": name, "unsaved": True}
    stored = db.session.get(SlaPolicy, (org_id, policy_id))
    return {"id": policy_id, "name": stored.name if stored else None, "unsaved": False}


def _stored_calendar_named(
    kind: TimedKind, team_id: uuid.UUID | None, chosen: BusinessCalendar
) -> dict[str, Any] | None:
    """Which stored calendar ``calendar_for`` chose, so the answer can name it; None for
    the default hours. Matched by the hours it gives rather than by repeating its rule of
    choice (team's own, else the organisation's): that rule lives in ``calendar_for``."""
    rows = db.session.scalars(
        select(Calendar).where(Calendar.kind == kind.calendar_kind).order_by(Calendar.name)
    ).all()
    candidates = [r for r in rows if r.team_id is not None and r.team_id == team_id] + [
        r for r in rows if r.team_id is None
    ]
    for row in candidates:
        try:
            hours = calendar_of(row.definition)
        except ValueError:  # stored before a stricter check; it cannot be the chosen one
            continue
        if hours == chosen:
            return {"id": row.id, "name": row.name, "team_id": row.team_id, "unsaved": False}
    return None


def _calendar(
    org: Organization,
    kind: TimedKind,
    team_id: uuid.UUID | None,
    unsaved: dict[str, Any] | None,
) -> tuple[BusinessCalendar, dict[str, Any] | None]:
    if unsaved is None:
        chosen = calendar_for(org, kind.calendar_kind, team_id)
        return chosen, _stored_calendar_named(kind, team_id, chosen)
    try:
        hours = calendar_of(unsaved["definition"])
        require_enough_open_time(hours)
    except ValueError as error:  # the message create and update give for the same mistake
        raise ValidationFailed({"calendar": {"definition": [str(error)]}}) from error
    named = {
        "id": unsaved.get("id"),
        "name": unsaved.get("name"),
        "team_id": team_id,
        "unsaved": True,
    }
    return hours, named


def preview_deadline(actor: User, data: dict[str, Any]) -> dict[str, Any]:
    """When an item of ``data["item_type"]`` (a lead by default) with this metric, priority,
    source and team, arriving at ``data["at"]`` (now by default), would be due; with the
    unsaved ``policy`` and/or ``calendar`` of an administrator's form, if given. Those who
    manage SLAs may ask."""
    permissions.require(
        permissions.may_manage_sla(actor), "Only admins and team leads manage SLAs."
    )
    kind = _kind(data.get("item_type", "lead"))
    metric = data["metric"]
    team_id = data.get("team_id")
    if team_id is not None and db.session.get(Team, (actor.org_id, team_id)) is None:
        raise ValidationFailed({"team_id": ["No such team."]})
    org = db.session.get(Organization, actor.org_id)
    at: datetime = data.get("at") or utcnow()

    unsaved_policy = data.get("policy")
    target = choose_target(
        _rules(org.id, kind, metric, unsaved_policy),
        kind.item_type,
        metric,
        data.get("priority"),
        data.get("source"),
    )
    calendar, calendar_named = _calendar(org, kind, team_id, data.get("calendar"))
    try:
        columns = clock.started(target, calendar, at, strict=True)
    except ValueError as error:  # the deadline would fall past the year 9999
        # Blame the unsaved policy when it is one (its target), else the arrival time.
        field = "policy" if unsaved_policy is not None and data.get("at") is None else "at"
        message = [str(error)]
        raise ValidationFailed(
            {field: {"target_minutes": message}} if field == "policy" else {field: message}
        ) from error
    return {
        "at": at,
        "due_at": columns["sla_due_at"],
        "warn_at": columns["sla_warn_at"],
        "escalate_at": columns["sla_escalate_at"],
        "business_minutes": int(target.target.total_seconds() // 60),
        "metric": metric,
        "policy": _policy_named(org.id, target.policy_id, unsaved_policy),
        "calendar": calendar_named,
        "timezone": calendar.timezone,
    }
