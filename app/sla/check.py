"""The SLA check: move every due clock past its milestones, record them, queue reminders.

It knows no kind of item: it advances the clocks of every registered ``TimedKind``
(``app.sla.timed``), and each kind says whom to tell and in what words. The scheduler runs
``run_sla_check`` on its interval.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app.accounts import permissions
from app.accounts.models import Organization, User
from app.changelog import versions as changes
from app.extensions import db
from app.push.outbox import NewReminder, enqueue_reminders
from app.sla import clock, events
from app.sla.quiet_hours import send_time
from app.sla.timed import TimedKind, timed_kinds
from app.tenancy import all_orgs, tenant


@dataclass
class CheckStats:
    items: int = 0
    milestones: dict[str, int] = field(default_factory=dict)
    reminders: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # items handled per item_type


def due_organisations(
    now: datetime, batch: int, kinds: list[TimedKind] | None = None
) -> list[uuid.UUID]:
    """Organisations with clocks due, read without locks across all of them: per kind an
    index range on ``sla_next_at``, so the cost follows what is due, not what is open."""
    found: set[uuid.UUID] = set()
    with all_orgs():
        for kind in timed_kinds() if kinds is None else kinds:
            model = kind.model
            found.update(
                db.session.scalars(
                    select(model.org_id)
                    .where(model.sla_next_at <= now)
                    .order_by(model.sla_next_at)
                    .limit(batch)
                )
            )
    return sorted(found)


def due_items(kind: TimedKind, now: datetime, batch: int) -> list[Any]:
    """The current organisation's due items of ``kind``, locked. The caller holds the
    counter lock already: counter first, then rows, the order every writer keeps
    (``changes.lock_counter``)."""
    model = kind.model
    query = select(model).where(model.sla_next_at <= now).order_by(model.sla_next_at).limit(batch)
    if db.engine.dialect.name == "postgresql":
        # Two checks at once share the work instead of doing it twice.
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def run_sla_check(now: datetime, batch: int = 1000) -> CheckStats:
    """Move every due clock past its milestones, record them, and queue reminders: the
    owner is told when a deadline nears and when it passes, the team lead when a breach
    has lasted its escalation time. One organisation at a time, each in its own scope and
    transaction, up to ``batch`` items of each kind each per round; runs until nothing more
    is due.

    A round costs a fixed number of statements per organisation and kind, however many of
    its items are due: one query for the due items of each kind, then for all of them one
    counter update for their versions, one query for their owners, one executemany each
    for the items (per table), their events and their reminders."""
    stats = CheckStats()
    pending = list(timed_kinds())
    while pending:
        handled = dict.fromkeys((kind.item_type for kind in pending), 0)
        for org_id in due_organisations(now, batch, pending):
            with tenant(org_id):
                for item_type, count in _advance_organisation(
                    org_id, now, batch, stats, pending
                ).items():
                    handled[item_type] += count
                db.session.commit()
        stats.items += sum(handled.values())
        for item_type, count in handled.items():
            stats.kinds[item_type] = stats.kinds.get(item_type, 0) + count
        # Fewer than a batch of a kind: the unlocked read saw every one due (or another
        # check holds the rest and does it). Only kinds with a full batch go round again.
        pending = [kind for kind in pending if handled[kind.item_type] >= batch]
    return stats


def _advance_organisation(
    org_id: uuid.UUID, now: datetime, batch: int, stats: CheckStats, kinds: list[TimedKind]
) -> dict[str, int]:
    """One round for one organisation, inside its scope: lock, advance, record, remind,
    stamp. Returns how many due items of each kind it handled; the caller commits."""
    changes.lock_counter(org_id)  # before any row lock, as every writer does
    due = [(kind, due_items(kind, now, batch)) for kind in kinds]
    handled = {kind.item_type: len(items) for kind, items in due}
    if not any(items for _, items in due):
        return handled
    people = _Recipients(db.session.get(Organization, org_id), now, due)
    reminders: list[NewReminder] = []
    advanced: list[Any] = []
    steps: list[Any] = []
    # The lookups below (people, calendars) would otherwise flush the items one UPDATE at a
    # time; held back, items and events go out at commit, one executemany each.
    with db.session.no_autoflush:
        for kind, items in due:
            for item in items:
                milestones = clock.advance(item, now)
                for milestone in milestones:
                    stats.milestones[milestone] = stats.milestones.get(milestone, 0) + 1
                    at = {
                        "warning": item.sla_warn_at,
                        "breached": item.sla_due_at,
                        "escalated": now,
                    }
                    steps.append(
                        events.record(kind.item_type, item, milestone, at[milestone], counted=False)
                    )
                    reminders += _reminders(kind, item, milestone, people)
                if milestones:
                    advanced.append(item)
        _stamp_in_order(org_id, advanced)
        events.count_steps(steps)  # the breaches' tallies, one statement
        stats.reminders += len(enqueue_reminders(reminders))
    return handled


# What ``clock.advance`` may change on an item.
_ADVANCED_COLUMNS = ("sla_state", "sla_next_at", "sla_breached_at", "sla_escalated_at")


def _stamp_in_order(org_id: uuid.UUID, items: list[Any]) -> None:
    """``changes.stamp`` for each item, in order, with one counter update: devices see the
    new state."""
    if not items:
        return
    top = changes.next_versions(org_id, len(items))
    for version, item in enumerate(items, start=top - len(items) + 1):
        item.version = version
        # The same changed columns on every item: the flush sends one executemany (per
        # table), not one per run of items whose milestones happened to change different
        # columns.
        for name in _ADVANCED_COLUMNS:
            flag_modified(item, name)


class _Recipients:
    """Who hears of one organisation's milestones in a round, and from when: the owners of
    every kind's due items in one query, each team's escalation recipients and each
    person's send time looked up once (``now`` is fixed for the round), not once per
    reminder."""

    def __init__(
        self, org: Organization, now: datetime, due: list[tuple[TimedKind, list[Any]]]
    ) -> None:
        self.org = org
        self.now = now
        owner_ids = {kind.owner_id(item) for kind, items in due for item in items}
        owners = select(User).where(User.id.in_(owner_ids))
        self._owners = {user.id: user for user in db.session.scalars(owners)}
        self._escalation: dict[uuid.UUID | None, list[User]] = {}
        self._unowned: dict[str, list[User]] = {}
        self._send_at: dict[tuple[uuid.UUID, bool], datetime] = {}

    def owner(self, kind: TimedKind, item: Any) -> list[User]:
        owner_id = kind.owner_id(item)
        if owner_id is None and kind.unowned_audience is not None:
            if kind.item_type not in self._unowned:
                self._unowned[kind.item_type] = kind.unowned_audience()
            return self._unowned[kind.item_type]
        owner = self._owners.get(owner_id)
        return [owner] if owner is not None and owner.active else []

    def escalation(self, team_id: uuid.UUID | None) -> list[User]:
        if team_id not in self._escalation:
            self._escalation[team_id] = permissions.escalation_recipients(team_id)
        return self._escalation[team_id]

    def send_at(self, user: User, any_hour: bool) -> datetime:
        key = (user.id, any_hour)
        if key not in self._send_at:
            self._send_at[key] = send_time(user, self.org, self.now, any_hour=any_hour)
        return self._send_at[key]


def _milestone_key(item, milestone: str) -> str:
    return f"{item.sla_metric}:{int(item.sla_started_at.timestamp())}:{milestone}"


def _local(at: datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%a %H:%M")


def _reminders(kind: TimedKind, item, milestone: str, people: _Recipients) -> list[NewReminder]:
    """What a milestone of an item tells whom: "due soon" or "overdue" to its owner, an
    escalation to its team's leads, in the kind's words; each from the person's next
    working moment, and none that would be stale by then."""
    title, url = kind.wording(item, milestone)
    if milestone == "escalated":
        recipients = people.escalation(kind.team_id(item))
        reminder_kind = "escalation"
    else:
        recipients = people.owner(kind, item)
        reminder_kind = "due_soon" if milestone == "warning" else "overdue"
    reminders = []
    for user in recipients:
        not_before = people.send_at(
            user, reminder_kind == "escalation" and user.escalations_any_hour
        )
        zone = user.timezone or people.org.timezone
        if reminder_kind == "due_soon":
            body = f"Due {_local(item.sla_due_at, zone)}."
            expires_at = item.sla_due_at  # stale once it is due
        else:
            body = f"Was due {_local(item.sla_due_at, zone)}."
            expires_at = not_before + timedelta(days=1)
        if expires_at <= not_before:
            continue  # by the time the person is working, this news is stale
        reminders.append(
            NewReminder(
                org_id=item.org_id,
                user_id=user.id,
                kind=reminder_kind,
                item_type=kind.item_type,
                item_id=item.id,
                milestone=_milestone_key(item, milestone),
                title=title[:120],
                body=body,
                url=url,
                not_before=not_before,
                ttl_seconds=max(60, int((expires_at - not_before).total_seconds())),
                expires_at=expires_at,
            )
        )
    return reminders
