"""SLA rules: which target applies, in which calendar, and what happens when time passes.

Lead events (created, followed up, rescheduled, won/lost/reopened) start, meet, pause and
restart the lead's clock; they are called by the leads service inside its transaction. The
scheduler's ``run_sla_check`` moves clocks past their milestones and queues reminders.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from app.accounts.models import Organization, TeamMember, User
from app.business_time import DEFAULT_SALES_HOURS, BusinessCalendar
from app.changelog import versions as changes
from app.database import new_id
from app.errors import ApiError, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.push.outbox import NewReminder, enqueue_reminders
from app.sla import clock
from app.sla.clock import Target
from app.sla.models import Calendar, SlaEvent, SlaPolicy
from app.tenancy import all_orgs, tenant

if TYPE_CHECKING:
    from app.leads.models import Lead

log = logging.getLogger(__name__)

# Sensible for a sales team when an organisation has set nothing: answer a new inquiry within
# 2 business hours, follow up at least every 3 business days (of 8 hours), warn at 80 %.
DEFAULT_TARGETS: dict[tuple[str, str], dict[str, Any]] = {
    ("lead", "first_response"): {
        "target_minutes": 120,
        "warn_ratio": 0.8,
        "escalate_after_minutes": 120,
    },
    ("lead", "follow_up"): {
        "target_minutes": 3 * 8 * 60,
        "warn_ratio": 0.8,
        "escalate_after_minutes": 8 * 60,
    },
}
CONTACT_KINDS = ("call", "visit", "message", "email", "quote")


# --- what applies ------------------------------------------------------------------------


def _per_transaction(key: tuple, load):
    """Read once per transaction what every item of a push batch or a check run needs
    (policies, calendars); dropped at commit and rollback, and when an admin changes it."""
    cache = db.session.info.setdefault(_CACHE, {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


_CACHE = "leadsync.sla_cache"


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the real transaction, not a savepoint
        session.info.pop(_CACHE, None)


@dataclass(frozen=True)
class _Policy:
    id: uuid.UUID
    priority: str | None
    source: str | None
    target_minutes: int
    warn_ratio: float
    escalate_after_minutes: int | None


def _active_policies(org_id: uuid.UUID, item_type: str, metric: str) -> list[_Policy]:
    rows = db.session.scalars(
        select(SlaPolicy).where(
            SlaPolicy.item_type == item_type, SlaPolicy.metric == metric, SlaPolicy.active.is_(True)
        )
    )
    return [
        _Policy(
            p.id, p.priority, p.source, p.target_minutes, p.warn_ratio, p.escalate_after_minutes
        )
        for p in rows
    ]


def resolve_target(
    org_id: uuid.UUID, item_type: str, metric: str, priority: str | None, source: str | None
) -> Target:
    """The most specific active policy of the organisation that matches (a policy naming
    priority and source beats one naming either, which beats a catch-all; among equals the
    stricter target wins), else the defaults."""
    policies = [
        p
        for p in _per_transaction(
            ("policies", org_id, item_type, metric),
            lambda: _active_policies(org_id, item_type, metric),
        )
        if p.priority in (None, priority) and p.source in (None, source)
    ]
    if policies:
        best = max(
            policies,
            key=lambda p: ((p.priority is not None) + (p.source is not None), -p.target_minutes),
        )
        return Target(
            metric,
            timedelta(minutes=best.target_minutes),
            best.warn_ratio,
            timedelta(minutes=best.escalate_after_minutes) if best.escalate_after_minutes else None,
            best.id,
        )
    default = DEFAULT_TARGETS[(item_type, metric)]
    return Target(
        metric,
        timedelta(minutes=default["target_minutes"]),
        default["warn_ratio"],
        timedelta(minutes=default["escalate_after_minutes"]),
    )


@lru_cache(maxsize=512)
def _calendar_from_json(definition_json: str) -> BusinessCalendar:
    return BusinessCalendar.from_dict(json.loads(definition_json))


def _calendar(definition: dict[str, Any]) -> BusinessCalendar:
    """A calendar from its JSON form; shared instances keep their cached day periods."""
    return _calendar_from_json(json.dumps(definition, sort_keys=True))


def calendar_for(
    org: Organization, kind: str = "sales", team_id: uuid.UUID | None = None
) -> BusinessCalendar:
    """The team's own calendar of this kind, else the organisation's, else the default
    hours in the organisation's time zone."""
    rows = _per_transaction(
        ("calendars", org.id, kind),
        lambda: [
            (c.team_id, c.definition)
            for c in db.session.scalars(select(Calendar).where(Calendar.kind == kind))
        ],
    )
    chosen = next((d for t, d in rows if team_id is not None and t == team_id), None) or next(
        (d for t, d in rows if t is None), None
    )
    return _calendar(chosen or {**DEFAULT_SALES_HOURS, "timezone": org.timezone})


def _org(org_id: uuid.UUID) -> Organization:
    return db.session.get(Organization, org_id)


# --- clock history -----------------------------------------------------------------------


def _event(item_type: str, item, event: str, at: datetime) -> dict[str, Any]:
    """The ``sla_events`` row of one step of ``item``'s clock."""
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
    }


def _record(item_type: str, item, event: str, at: datetime) -> None:
    db.session.add(SlaEvent(**_event(item_type, item, event, at)))


# --- lead events -------------------------------------------------------------------------


def _clock_inputs(lead, metric: str, at: datetime) -> tuple:
    """Everything a lead's clock, started at ``at``, depends on (besides the policies and
    calendars, read once per transaction): leads alike in these get the same clock."""
    cap = lead.next_follow_up_at if metric == "follow_up" else None
    return (lead.org_id, metric, lead.priority, lead.source, lead.team_id, at, cap)


def _lead_clock(inputs: tuple) -> dict[str, Any]:
    """The clock columns for ``_clock_inputs``."""
    org_id, metric, priority, source, team_id, at, cap = inputs
    target = resolve_target(org_id, "lead", metric, priority, source)
    return clock.started(target, calendar_for(_org(org_id), "sales", team_id), at, cap)


def _start_lead_clock(lead, metric: str, at: datetime) -> None:
    clock.set_columns(lead, _lead_clock(_clock_inputs(lead, metric, at)))
    _record("lead", lead, "started", at)


def leads_created(leads: list[Lead]) -> None:
    """New inquiries must be answered: each lead's first-response clock starts at its
    creation. For leads written together (a push of leads captured offline) each clock is
    computed once per kind of lead (same priority, source, team and creation time: the same
    deadlines), and the "started" events are written with one INSERT."""
    clocks: dict[tuple, dict[str, Any]] = {}
    events = []
    for lead in leads:
        inputs = _clock_inputs(lead, "first_response", lead.created_at)
        if inputs not in clocks:
            clocks[inputs] = _lead_clock(inputs)
        clock.set_columns(lead, clocks[inputs])
        events.append(_event("lead", lead, "started", lead.created_at))
    if events:
        db.session.execute(insert(SlaEvent.__table__), events)


def lead_followed_up(lead, kind: str, happened_at: datetime) -> None:
    """A contact meets the first-response clock (at its own time, however late it was
    synced) and starts the follow-up cadence from the latest contact."""
    if kind not in CONTACT_KINDS or lead.sla_state == "paused":
        if lead.sla_metric == "follow_up" and lead.sla_state not in ("paused", None):
            lead_rescheduled(lead)
        return
    if lead.sla_metric == "first_response" and lead.sla_met_at is None:
        clock.meet(lead, happened_at)
        _record("lead", lead, "met", happened_at)
    _start_lead_clock(lead, "follow_up", lead.last_follow_up_at or happened_at)


def lead_rescheduled(lead) -> None:
    """``next_follow_up_at``, priority or source changed: same start, new deadline."""
    if lead.sla_state in (None, "paused", "met") or lead.sla_started_at is None:
        return
    _start_lead_clock(lead, lead.sla_metric, lead.sla_started_at)


def lead_stage_changed(lead, old_stage: str, now: datetime) -> None:
    """Won and lost pause the clock; reopening restarts it from now."""
    closed = ("won", "lost")
    if lead.stage in closed and old_stage not in closed:
        clock.pause(lead)
        _record("lead", lead, "paused", now)
    elif old_stage in closed and lead.stage not in closed:
        _start_lead_clock(lead, "follow_up" if lead.last_follow_up_at else "first_response", now)


# --- quiet hours -------------------------------------------------------------------------


def user_calendar(user: User, org: Organization) -> BusinessCalendar:
    """A person's working hours: their own, else their organisation's sales hours."""
    if user.working_hours:
        return _calendar(user.working_hours)
    return calendar_for(org, "sales", user.team_ids[0] if user.team_ids else None)


def send_time(user: User, org: Organization, now: datetime, *, any_hour: bool = False) -> datetime:
    """Now if the person is working, else the start of their next working period."""
    if any_hour:
        return now
    hours = user_calendar(user, org)
    return now if hours.is_open(now) else hours.next_open(now)


# --- the check ---------------------------------------------------------------------------


@dataclass
class CheckStats:
    items: int = 0
    milestones: dict[str, int] = field(default_factory=dict)
    reminders: int = 0


def due_organisations(now: datetime, batch: int) -> list[uuid.UUID]:
    """Organisations with clocks due, read without locks across all of them: an index range
    on ``sla_next_at``, so the cost follows what is due, not what is open."""
    from app.leads.models import Lead

    with all_orgs():
        rows = db.session.scalars(
            select(Lead.org_id)
            .where(Lead.sla_next_at <= now)
            .order_by(Lead.sla_next_at)
            .limit(batch)
        )
        return sorted(set(rows))


def due_leads(org_id: uuid.UUID, now: datetime, batch: int) -> list[Lead]:
    """The organisation's due leads, locked. The caller holds the counter lock already:
    counter first, then rows, the order every writer keeps (``changes.lock_counter``)."""
    from app.leads.models import Lead

    query = select(Lead).where(Lead.sla_next_at <= now).order_by(Lead.sla_next_at).limit(batch)
    if db.engine.dialect.name == "postgresql":
        # Two checks at once share the work instead of doing it twice.
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def run_sla_check(now: datetime, batch: int = 1000) -> CheckStats:
    """Move every due clock past its milestones, record them, and queue reminders: the
    owner is told when a deadline nears and when it passes, the team lead when a breach
    has lasted its escalation time. One organisation at a time, each in its own scope and
    transaction, up to ``batch`` leads each per round; runs until nothing more is due.

    A round costs a fixed number of statements per organisation, however many of its leads
    are due: one counter update for all their versions, one query for their owners, one
    executemany each for the leads, their events and their reminders."""
    stats = CheckStats()
    while True:
        handled = 0
        for org_id in due_organisations(now, batch):
            with tenant(org_id):
                handled += _advance_organisation(org_id, now, batch, stats)
                db.session.commit()
        stats.items += handled
        # Fewer than a batch: the unlocked read saw everything due (or another check
        # holds the rest and does it).
        if handled < batch:
            return stats


def _advance_organisation(org_id: uuid.UUID, now: datetime, batch: int, stats: CheckStats) -> int:
    """One round for one organisation, inside its scope: lock, advance, record, remind,
    stamp. Returns how many due leads it handled; the caller commits."""
    changes.lock_counter(org_id)  # before any row lock, as every writer does
    leads = due_leads(org_id, now, batch)
    if not leads:
        return 0
    people = _Recipients(_org(org_id), now, leads)
    reminders: list[NewReminder] = []
    advanced: list[Lead] = []
    # The lookups below (people, calendars) would otherwise flush the leads one UPDATE at a
    # time; held back, leads and events go out at commit, one executemany each.
    with db.session.no_autoflush:
        for lead in leads:
            milestones = clock.advance(lead, now)
            for milestone in milestones:
                stats.milestones[milestone] = stats.milestones.get(milestone, 0) + 1
                at = {"warning": lead.sla_warn_at, "breached": lead.sla_due_at, "escalated": now}
                _record("lead", lead, milestone, at[milestone])
                reminders += _reminders(lead, milestone, people)
            if milestones:
                advanced.append(lead)
        _stamp_in_order(org_id, advanced)
        stats.reminders += len(enqueue_reminders(reminders))
    return len(leads)


# What ``clock.advance`` may change on a lead.
_ADVANCED_COLUMNS = ("sla_state", "sla_next_at", "sla_breached_at", "sla_escalated_at")


def _stamp_in_order(org_id: uuid.UUID, leads: list[Lead]) -> None:
    """``changes.stamp`` for each lead, in order, with one counter update: devices see the
    new state."""
    if not leads:
        return
    top = changes.next_versions(org_id, len(leads))
    for version, lead in enumerate(leads, start=top - len(leads) + 1):
        lead.version = version
        # The same changed columns on every lead: the flush sends one executemany, not one
        # per run of leads whose milestones happened to change different columns.
        for name in _ADVANCED_COLUMNS:
            flag_modified(lead, name)


class _Recipients:
    """Who hears of one organisation's milestones in a round, and from when: the owners in
    one query, each team's escalation recipients and each person's send time looked up once
    (``now`` is fixed for the round), not once per reminder."""

    def __init__(self, org: Organization, now: datetime, leads: list[Lead]) -> None:
        self.org = org
        self.now = now
        owners = select(User).where(User.id.in_({lead.owner_id for lead in leads}))
        self._owners = {user.id: user for user in db.session.scalars(owners)}
        self._escalation: dict[uuid.UUID | None, list[User]] = {}
        self._send_at: dict[tuple[uuid.UUID, bool], datetime] = {}

    def owner(self, lead: Lead) -> list[User]:
        owner = self._owners.get(lead.owner_id)
        return [owner] if owner is not None and owner.active else []

    def escalation(self, team_id: uuid.UUID | None) -> list[User]:
        if team_id not in self._escalation:
            self._escalation[team_id] = _escalation_recipients(team_id)
        return self._escalation[team_id]

    def send_at(self, user: User, any_hour: bool) -> datetime:
        key = (user.id, any_hour)
        if key not in self._send_at:
            self._send_at[key] = send_time(user, self.org, self.now, any_hour=any_hour)
        return self._send_at[key]


def _milestone_key(lead, milestone: str) -> str:
    return f"{lead.sla_metric}:{int(lead.sla_started_at.timestamp())}:{milestone}"


def _local(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")


def _reminders(lead: Lead, milestone: str, people: _Recipients) -> list[NewReminder]:
    """What a milestone of a lead tells whom: "due soon" or "overdue" to its owner, an
    escalation to its team's leads; each from the person's next working moment, and none
    that would be stale by then."""
    who = lead.contact_name + (f" ({lead.company})" if lead.company else "")
    what = "First response" if lead.sla_metric == "first_response" else "Follow-up"
    if milestone == "escalated":
        recipients = people.escalation(lead.team_id)
        kind, title = "escalation", f"{what} overdue: {who}"
    else:
        recipients = people.owner(lead)
        kind = "due_soon" if milestone == "warning" else "overdue"
        title = f"{what} due soon: {who}" if milestone == "warning" else f"{what} overdue: {who}"
    reminders = []
    for user in recipients:
        not_before = people.send_at(user, kind == "escalation" and user.escalations_any_hour)
        zone = user.timezone or people.org.timezone
        if kind == "due_soon":
            body = f"Due {_local(lead.sla_due_at, zone)}."
            expires_at = lead.sla_due_at  # stale once it is due
        else:
            body = f"Was due {_local(lead.sla_due_at, zone)}."
            expires_at = not_before + timedelta(days=1)
        if expires_at <= not_before:
            continue  # by the time the person is working, this news is stale
        reminders.append(
            NewReminder(
                org_id=lead.org_id,
                user_id=user.id,
                kind=kind,
                item_type="lead",
                item_id=lead.id,
                milestone=_milestone_key(lead, milestone),
                title=title[:120],
                body=body,
                url=f"/leads/{lead.id}",
                not_before=not_before,
                ttl_seconds=max(60, int((expires_at - not_before).total_seconds())),
                expires_at=expires_at,
            )
        )
    return reminders


def _escalation_recipients(team_id: uuid.UUID | None) -> list[User]:
    """The active leads of the lead's team, else the organisation's active admins."""
    if team_id is not None:
        members = select(TeamMember.user_id).where(TeamMember.team_id == team_id)
        leads_of_team = db.session.scalars(
            select(User).where(User.id.in_(members), User.role == "lead", User.active.is_(True))
        ).all()
        if leads_of_team:
            return list(leads_of_team)
    return list(db.session.scalars(select(User).where(User.role == "admin", User.active.is_(True))))


# --- policies and calendars (admins and team leads) --------------------------------------


def _require_manager(actor: User) -> None:
    """Only admins and team leads change SLA settings; a change drops what this
    transaction had read of them."""
    if actor.role not in ("admin", "lead"):
        raise Forbidden("Only admins and team leads manage SLAs.")
    db.session.info.pop(_CACHE, None)


def list_policies(actor: User) -> list[SlaPolicy]:
    return list(
        db.session.scalars(
            select(SlaPolicy).order_by(SlaPolicy.item_type, SlaPolicy.metric, SlaPolicy.name)
        )
    )


def create_policy(actor: User, data: dict[str, Any]) -> SlaPolicy:
    _require_manager(actor)
    policy = SlaPolicy(org_id=actor.org_id, id=uuid.uuid4(), **data)
    changes.stamp(policy)
    db.session.add(policy)
    db.session.flush()
    return policy


def update_policy(actor: User, policy_id: uuid.UUID, data: dict[str, Any]) -> SlaPolicy:
    _require_manager(actor)
    policy = db.session.get(SlaPolicy, (actor.org_id, policy_id))
    if policy is None:
        raise NotFound("policy")
    for key, value in data.items():
        setattr(policy, key, value)
    changes.stamp(policy)
    db.session.flush()
    return policy


def list_calendars(actor: User) -> list[Calendar]:
    return list(db.session.scalars(select(Calendar).order_by(Calendar.kind, Calendar.name)))


def _valid_definition(definition: dict[str, Any]) -> dict[str, Any]:
    try:
        return BusinessCalendar.from_dict(definition).to_dict()
    except ValueError as error:
        raise ValidationFailed({"definition": [str(error)]}) from error


def _check_team(actor: User, team_id: uuid.UUID | None) -> None:
    from app.accounts.models import Team

    if team_id is None:
        if actor.role != "admin":
            raise Forbidden("Only admins set the organisation's calendars.")
        return
    if db.session.get(Team, (actor.org_id, team_id)) is None:
        raise ValidationFailed({"team_id": ["No such team."]})
    if actor.role == "lead" and team_id not in actor.team_ids:
        raise Forbidden("Team leads set their own teams' calendars.")


def create_calendar(actor: User, data: dict[str, Any]) -> Calendar:
    _require_manager(actor)
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
    db.session.add(calendar)
    db.session.flush()
    return calendar


def update_calendar(actor: User, calendar_id: uuid.UUID, data: dict[str, Any]) -> Calendar:
    _require_manager(actor)
    calendar = db.session.get(Calendar, (actor.org_id, calendar_id))
    if calendar is None:
        raise NotFound("calendar")
    _check_team(actor, calendar.team_id)
    if "name" in data:
        calendar.name = data["name"]
    if "definition" in data:
        calendar.definition = _valid_definition(data["definition"])
    db.session.flush()
    return calendar
