"""Business-hours calendars: which one counts an item's deadlines, and their
administration."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from app.accounts import permissions
from app.accounts.models import Organization, Team, User
from app.business_time import DEFAULT_EVENING_SHIFT, DEFAULT_SALES_HOURS, BusinessCalendar
from app.changelog import versions as changes
from app.errors import ApiError, NotFound, ValidationFailed
from app.extensions import db
from app.sla import cache
from app.sla.models import Calendar


@lru_cache(maxsize=512)
def _calendar_from_json(definition_json: str) -> BusinessCalendar:
    return BusinessCalendar.from_dict(json.loads(definition_json))


def calendar_of(definition: dict[str, Any]) -> BusinessCalendar:
    """A calendar from its JSON form; shared instances keep their cached day periods."""
    return _calendar_from_json(json.dumps(definition, sort_keys=True))


def calendar_for(
    org: Organization, kind: str = "sales", team_id: uuid.UUID | None = None
) -> BusinessCalendar:
    """The team's own calendar of this kind, else the organisation's, else the default
    hours of the kind (office hours; the evening shift for the service desk) in the
    organisation's time zone."""
    rows = cache.per_transaction(
        ("calendars", org.id, kind),
        lambda: [
            (c.team_id, c.definition)
            for c in db.session.scalars(select(Calendar).where(Calendar.kind == kind))
        ],
    )
    chosen = next((d for t, d in rows if team_id is not None and t == team_id), None) or next(
        (d for t, d in rows if t is None), None
    )
    default = DEFAULT_EVENING_SHIFT if kind == "service" else DEFAULT_SALES_HOURS
    return calendar_of(chosen or {**default, "timezone": org.timezone})


def calendars_of_kind(org: Organization, kind: str) -> list[tuple[str, BusinessCalendar]]:
    """Every calendar of this kind that may count an item's deadline, by name: the teams'
    own, the organisation's, else the default hours."""
    rows = db.session.scalars(select(Calendar).where(Calendar.kind == kind)).all()
    named = [(row.name, calendar_for(org, kind, row.team_id)) for row in rows]
    if not any(row.team_id is None for row in rows):
        named.append(("default hours", calendar_for(org, kind)))
    return named


# --- administration (admins and team leads) ----------------------------------------------


def require_manager(actor: User) -> None:
    """Only admins and team leads change calendars (which, ``_check_team`` says); a change
    drops what this transaction had read of the SLA settings."""
    permissions.require(
        permissions.may_manage_sla(actor), "Only admins and team leads manage SLAs."
    )
    cache.forget()


def list_calendars(actor: User) -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).order_by(Calendar.kind, Calendar.name)))


#: The least working time a calendar's weekly hours may hold. Deadlines are counted in
#: it, so a calendar open a minute a week would put a day's target centuries away.
MIN_WEEKLY_OPEN_TIME = timedelta(hours=1)


def require_enough_open_time(calendar: BusinessCalendar) -> None:
    """``ValueError`` unless the weekly hours hold at least ``MIN_WEEKLY_OPEN_TIME``."""
    if calendar.weekly_open_time < MIN_WEEKLY_OPEN_TIME:
        minutes = int(calendar.weekly_open_time.total_seconds() // 60)
        raise ValueError(
            f"weekly: the hours must be open at least "
            f"{int(MIN_WEEKLY_OPEN_TIME.total_seconds() // 60)} minutes a week, "
            f"not {minutes}"
        )


def _valid_definition(definition: dict[str, Any]) -> dict[str, Any]:
    try:
        calendar = BusinessCalendar.from_dict(definition)
        require_enough_open_time(calendar)
        return calendar.to_dict()
    except ValueError as error:
        raise ValidationFailed({"definition": [str(error)]}) from error


def _check_team(actor: User, team_id: uuid.UUID | None) -> None:
    if team_id is None:
        permissions.require(
            permissions.may_set_calendar_of(actor, None),
            "Only admins set the organisation's calendars.",
        )
        return
    if db.session.get(Team, (actor.org_id, team_id)) is None:
        raise ValidationFailed({"team_id": ["No such team."]})
    permissions.require(
        permissions.may_set_calendar_of(actor, team_id),
        "Team leads set their own teams' calendars.",
    )


def create_calendar(actor: User, data: dict[str, Any]) -> Calendar:
    require_manager(actor)
    _check_team(actor, data.get("team_id"))
    same_team = (
        Calendar.team_id.is_(None)
        if data.get("team_id") is None
        else Calendar.team_id == data["team_id"]
    )
    duplicate = db.session.scalar(
        select(Calendar.id).where(Calendar.kind == data["kind"], same_team)
    )
    if duplicate is not None:
        raise ApiError(
            409,
            "calendar_exists",
            "That team already has a calendar of this kind; change it instead.",
        )
    calendar = Calendar(
        org_id=actor.org_id,
        id=uuid.uuid4(),
        name=data["name"],
        kind=data["kind"],
        team_id=data.get("team_id"),
        definition=_valid_definition(data["definition"]),
    )
    changes.stamp(calendar)  # devices count deadlines in it offline (the `calendar` entity)
    db.session.add(calendar)
    db.session.flush()
    return calendar


def update_calendar(actor: User, calendar_id: uuid.UUID, data: dict[str, Any]) -> Calendar:
    require_manager(actor)
    calendar = db.session.get(Calendar, (actor.org_id, calendar_id))
    if calendar is None:
        raise NotFound("calendar")
    _check_team(actor, calendar.team_id)
    new = {
        "name": data.get("name", calendar.name),
        "definition": (
            _valid_definition(data["definition"]) if "definition" in data else calendar.definition
        ),
    }
    # An unchanged save is no change: devices are not sent the same hours again.
    if new != {"name": calendar.name, "definition": calendar.definition}:
        calendar.name, calendar.definition = new["name"], new["definition"]
        changes.stamp(calendar)
        db.session.flush()
    return calendar
