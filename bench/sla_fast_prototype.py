"""The proposed ``run_sla_check``: the same milestones, events, reminders and versions as
``app.sla.service.run_sla_check``, with a constant number of statements per batch instead
of eleven per lead. ``install()`` monkeypatches it into ``app.sla.service`` (nothing in
app/ is edited); ``bench/sla_bench.py --variant both`` measures it and checks that both
leave identical rows behind.

What the app's version spends its time on (see the bench's statement table), and the fix:

1. ``_org`` and the owner's ``db.session.get(User, …)`` miss every time: the session's
   identity map holds objects weakly and nothing keeps the organisation or the user alive
   between two leads, so each lead re-selects ``organizations``, ``users`` and (selectin)
   ``team_members``.  -> one dict per check holds them; owners of a batch load in one query.
2. ``send_time`` -> ``calendar_for`` selects ``calendars`` for every reminder.
   -> memoised per (user, any_hour) for the check (``now`` is fixed).
3. ``changes.stamp`` runs one ``UPDATE change_counters … RETURNING`` per lead, and because
   it is an ORM statement it autoflushes the lead first, so each lead is UPDATEd twice.
   -> ``next_versions(org, n)`` once per organisation per batch; versions assigned in
   memory in the same order; the batch runs under ``no_autoflush`` so the leads go out in
   one executemany and the events in one multi-row INSERT at commit.
4. ``enqueue_reminder`` = INSERT … ON CONFLICT DO NOTHING RETURNING, a supersede UPDATE,
   and ``db.session.get(Reminder)`` to hand back an object nobody reads here.
   -> one multi-row INSERT … ON CONFLICT DO NOTHING RETURNING per batch, one SELECT of the
   pending reminders of the batch's items, and one executemany UPDATE for those superseded.
5. Lock order: the app locks the due leads (FOR UPDATE SKIP LOCKED) and only then the
   organisation's counter (``stamp``), the reverse of the rule in ``app.sync.changes``
   (counter first). A push holding the counter and waiting for a due lead's row lock
   deadlocks with it. -> read the due organisations without locks, then per organisation
   take the counter lock first and lock that organisation's due leads second.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import flag_modified

_SLA_STEP_COLUMNS = ("sla_state", "sla_next_at", "sla_breached_at", "sla_escalated_at")


def install() -> None:
    import app.sla.service as service

    service.run_sla_check = run_sla_check


def run_sla_check(now: datetime, batch: int = 1000):
    from app.extensions import db
    from app.leads.models import Lead
    from app.sla.service import CheckStats
    from app.tenancy import all_orgs

    stats = CheckStats()
    memo = _Memo()
    while True:
        with all_orgs():  # only this read spans organisations, and it takes no locks
            head = db.session.scalars(
                select(Lead.org_id)
                .where(Lead.sla_next_at <= now)
                .order_by(Lead.sla_next_at)
                .limit(batch)
            ).all()
        done = 0
        with db.session.no_autoflush:
            # a stable order of counter locks: two checks never wait on each other in a cycle
            for org_id in sorted(set(head), key=lambda o: o.bytes):
                done += _advance_org(org_id, now, batch, stats, memo)
        db.session.commit()
        stats.items += done
        if len(head) < batch or done == 0:
            return stats


class _Memo:
    """What a check looks up again and again: organisations, people, send times."""

    def __init__(self) -> None:
        self.orgs: dict[uuid.UUID, Any] = {}
        self.users: dict[tuple[uuid.UUID, uuid.UUID], Any] = {}
        self.escalation: dict[tuple[uuid.UUID, uuid.UUID | None], list] = {}
        self.send: dict[tuple[uuid.UUID, uuid.UUID, bool], datetime] = {}


def _advance_org(org_id: uuid.UUID, now: datetime, batch: int, stats, memo: _Memo) -> int:
    from app.accounts.models import Organization, User
    from app.extensions import db
    from app.leads.models import Lead
    from app.sla import clock
    from app.sla.service import _record
    from app.sync import changes
    from app.tenancy import tenant

    # tenant(), not nested in all_orgs(): every ORM query below is scoped to the organisation
    # (in the app's version the scheduler's all_orgs() also covers calendar_for and
    # _escalation_recipients, which then read every organisation's calendars and admins).
    with tenant(org_id):
        changes.lock_counter(org_id)  # the counter before any row lock
        query = select(Lead).where(Lead.sla_next_at <= now).order_by(Lead.sla_next_at).limit(batch)
        if db.engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        leads = list(db.session.scalars(query))
        if not leads:
            return 0
        org = memo.orgs.get(org_id) or db.session.get(Organization, org_id)
        memo.orgs[org_id] = org
        missing = {lead.owner_id for lead in leads} - {u for (o, u) in memo.users if o == org_id}
        if missing:
            found = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(missing)))}
            for user_id in missing:
                memo.users[(org_id, user_id)] = found.get(user_id)

        stamped = []
        reminders: list[dict[str, Any]] = []
        for lead in leads:
            milestones = clock.advance(lead, now)
            if not milestones:
                continue
            for milestone in milestones:
                stats.milestones[milestone] = stats.milestones.get(milestone, 0) + 1
                at = {"warning": lead.sla_warn_at, "breached": lead.sla_due_at, "escalated": now}[
                    milestone
                ]
                _record("lead", lead, milestone, at)
                reminders.extend(_reminders(lead, org, milestone, now, memo))
            stamped.append(lead)
        if stamped:
            top = changes.next_versions(org_id, len(stamped))
            for n, lead in enumerate(stamped):
                lead.version = top - len(stamped) + 1 + n
                # the same columns for every lead: the flush sends one executemany
                # instead of one per run of leads with the same changed columns
                for name in _SLA_STEP_COLUMNS:
                    flag_modified(lead, name)
        stats.reminders += _enqueue(org_id, reminders)
        return len(leads)


def _reminders(lead, org, milestone: str, now: datetime, memo: _Memo) -> list[dict[str, Any]]:
    """``app.sla.service._remind``, returning the outbox rows instead of writing them."""
    from app.push.outbox import HIGH_URGENCY_KINDS, default_topic
    from app.sla.service import _escalation_recipients, _local, _milestone_key, send_time

    who = lead.contact_name + (f" ({lead.company})" if lead.company else "")
    what = "First response" if lead.sla_metric == "first_response" else "Follow-up"
    url = f"/leads/{lead.id}"
    if milestone == "escalated":
        key = (lead.org_id, lead.team_id)
        if key not in memo.escalation:
            memo.escalation[key] = _escalation_recipients(lead)
        recipients = memo.escalation[key]
        kind, title = "escalation", f"{what} overdue: {who}"
    else:
        owner = memo.users.get((lead.org_id, lead.owner_id))
        recipients = [owner] if owner is not None and owner.active else []
        kind = "due_soon" if milestone == "warning" else "overdue"
        title = f"{what} due soon: {who}" if milestone == "warning" else f"{what} overdue: {who}"
    rows = []
    for user in recipients:
        any_hour = kind == "escalation" and user.escalations_any_hour
        skey = (lead.org_id, user.id, any_hour)
        if skey not in memo.send:
            memo.send[skey] = send_time(user, org, now, any_hour=any_hour)
        not_before = memo.send[skey]
        zone = user.timezone or org.timezone
        if kind == "due_soon":
            body = f"Due {_local(lead.sla_due_at, zone)}."
            expires_at = lead.sla_due_at
        else:
            body = f"Was due {_local(lead.sla_due_at, zone)}."
            expires_at = not_before + timedelta(days=1)
        ttl = max(60, int((expires_at - not_before).total_seconds()))
        if expires_at <= not_before:
            continue
        rows.append(
            {
                "org_id": lead.org_id,
                "id": uuid.uuid4(),
                "user_id": user.id,
                "kind": kind[:20],
                "item_type": "lead",
                "item_id": lead.id,
                "milestone": _milestone_key(lead, milestone),
                "title": title[:120],
                "body": body[:400],
                "url": url[:300],
                "urgency": "high" if kind in HIGH_URGENCY_KINDS else "normal",
                "ttl_seconds": ttl,
                "topic": default_topic(lead.id),
                "not_before": not_before,
                "expires_at": expires_at,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": not_before,
            }
        )
    return rows


def _enqueue(org_id: uuid.UUID, rows: list[dict[str, Any]]) -> int:
    """``enqueue_reminder`` for many rows: insert-or-ignore, then supersede older pending
    reminders about the same item for the same person, in the order the rows were made
    (a reminder supersedes those already there and those made before it, never later ones)."""
    from app.database import utcnow
    from app.extensions import db
    from app.push.models import Reminder

    if not rows:
        return 0
    created = utcnow()
    for row in rows:
        row["created_at"] = created
    table = Reminder.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    # one executemany: SQLAlchemy's "insertmanyvalues" sends it as multi-row INSERTs with
    # RETURNING, and the statement compiles once (cached), unlike insert().values([...])
    statement = insert.on_conflict_do_nothing(
        index_elements=["org_id", "item_type", "item_id", "milestone", "user_id"]
    ).returning(table.c.id)
    inserted = set(db.session.execute(statement, rows).scalars())
    new = [r for r in rows if r["id"] in inserted]
    if not new:
        return 0
    order = {r["id"]: n for n, r in enumerate(new)}
    pending = db.session.execute(
        select(
            table.c.id, table.c.item_id, table.c.user_id, table.c.milestone, table.c.not_before
        ).where(
            table.c.org_id == org_id,
            table.c.item_type == "lead",
            table.c.item_id.in_({r["item_id"] for r in new}),
            table.c.status == "pending",
        )
    ).all()
    by_key: dict[tuple, list] = {}
    for p in pending:
        by_key.setdefault((p.item_id, p.user_id), []).append(p)
    expire: dict[uuid.UUID, str] = {}
    for r in new:
        for p in by_key.get((r["item_id"], r["user_id"]), ()):
            if p.id in expire or p.milestone == r["milestone"]:
                continue
            if p.id in order and order[p.id] >= order[r["id"]]:
                continue  # made after r: r never saw it
            if p.not_before <= r["not_before"]:
                expire[p.id] = f"superseded by {r['milestone']}"[:500]
    if expire:
        db.session.execute(
            update(table)
            .where(table.c.org_id == org_id, table.c.id == _bind("rid"))
            .values(status="expired", last_error=_bind("err")),
            [{"rid": rid, "err": err} for rid, err in expire.items()],
        )
    return len(new)


def _bind(name: str):
    from sqlalchemy import bindparam

    return bindparam(name)
