"""The sender, end to end against the local push-service stand-in, on an injected clock."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import asdict
from datetime import timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.push.models import DeliveryAttempt, PushSubscription, Reminder
from app.push.outbox import NewReminder, enqueue_reminder, enqueue_reminders
from app.push.sender import deliver_due, parse_retry_after
from app.tenancy import all_orgs, tenant
from tests.push.conftest import T0, enqueue, reminder_row, run, subscribe

MIN = timedelta(minutes=1)
SEC = timedelta(seconds=1)


def attempts_of(app, org_id, reminder_id) -> list[tuple]:
    with app.app_context(), tenant(org_id):
        rows = db.session.execute(
            select(
                DeliveryAttempt.status_code, DeliveryAttempt.outcome, DeliveryAttempt.attempted_at
            )
            .where(DeliveryAttempt.reminder_id == reminder_id)
            .order_by(DeliveryAttempt.attempted_at)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def subscription_count(app) -> int:
    with app.app_context(), all_orgs():
        count = len(db.session.scalars(select(PushSubscription.id)).all())
        db.session.remove()
    return count


def test_a_reminder_is_delivered_end_to_end(app, api_as, org, push_service):
    rep = api_as(org.rep)
    lead = rep.post("/api/v1/leads", json={"contact_name": "Ada Lovelace"}).json
    browser = push_service.new_browser()
    subscribe(rep, browser)
    reminder_id = enqueue(
        app,
        org.rep,
        item_id=uuid.UUID(lead["id"]),
        title="Call Ada Lovelace",
        body="Follow-up due in 30 minutes",
    )

    assert run(app, T0 - SEC).claimed == 0  # not before its time
    stats = run(app, T0)
    assert (stats.claimed, stats.delivered, stats.requests) == (1, 1, 1)

    [message] = push_service.received
    assert message.content_encoding == "aes128gcm"
    assert message.payload["title"] == "Call Ada Lovelace"
    assert message.payload["body"] == "Follow-up due in 30 minutes"
    assert message.payload["url"] == f"/leads/{lead['id']}"
    assert message.payload["lead_id"] == lead["id"]
    assert message.payload["kind"] == "due_soon"
    assert message.ttl == "1800"
    assert message.urgency == "normal"
    assert message.topic == uuid.UUID(lead["id"]).hex and len(message.topic) == 32
    assert message.size < 4096

    row = reminder_row(app, org.id, reminder_id)
    assert (row.status, row.attempts, row.delivered_at) == ("delivered", 1, T0)
    assert attempts_of(app, org.id, reminder_id) == [(201, "delivered", T0)]
    assert run(app, T0 + 10 * MIN).claimed == 0  # delivered once, never again
    assert len(push_service.received) == 1


def test_overdue_and_escalation_are_high_urgency_and_every_browser_gets_it(
    app, api_as, org, push_service
):
    phone, laptop = push_service.new_browser(), push_service.new_browser()
    subscribe(api_as(org.lead), phone)
    subscribe(api_as(org.lead), laptop)
    enqueue(app, org.lead, kind="escalation", milestone="escalated", url="/leads/x")
    stats = run(app, T0)
    assert (stats.delivered, stats.requests) == (1, 2)
    assert {r.token for r in push_service.received} == {phone.token, laptop.token}
    assert {r.urgency for r in push_service.received} == {"high"}


def test_a_retry_near_expiry_asks_for_a_shorter_ttl(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    enqueue(app, org.rep, ttl_seconds=1800)  # expires at T0 + 30 min
    push_service.answer(503)
    run(app, T0)
    run(app, T0 + 20 * MIN)
    assert [r.ttl for r in push_service.received] == ["1800", "600"]


def test_gone_subscriptions_are_removed_and_the_reminder_waits(app, api_as, org, push_service):
    rep = api_as(org.rep)
    old, other = push_service.new_browser(), push_service.new_browser()
    subscribe(rep, old)
    subscribe(rep, other)
    push_service.answer(410, browser=old)
    push_service.answer(404, browser=other)
    reminder_id = enqueue(app, org.rep, ttl_seconds=3600)

    stats = run(app, T0)
    assert (stats.delivered, stats.subscriptions_removed, stats.waiting) == (0, 2, 1)
    assert subscription_count(app) == 0
    assert rep.get("/api/v1/push/subscriptions").json == []
    assert reminder_row(app, org.id, reminder_id).status == "pending"

    # Nothing to send to: not even claimed, until the person subscribes again.
    assert run(app, T0 + MIN).claimed == 0
    fresh = push_service.new_browser()
    subscribe(rep, fresh)
    assert run(app, T0 + 2 * MIN).delivered == 1
    assert [r.token for r in push_service.received if r.status == 201] == [fresh.token]


def test_429_with_retry_after_is_not_retried_before_its_time(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    reminder_id = enqueue(app, org.rep)
    push_service.answer((429, {"Retry-After": "120"}))

    stats = run(app, T0)
    assert (stats.retried, stats.delivered) == (1, 0)
    row = reminder_row(app, org.id, reminder_id)
    assert (row.status, row.next_attempt_at, row.attempts) == ("pending", T0 + 120 * SEC, 1)
    assert "429" in row.last_error

    assert run(app, T0 + 119 * SEC).requests == 0  # the exponential backoff alone says 30 s
    assert len(push_service.received) == 1
    assert run(app, T0 + 120 * SEC).delivered == 1
    assert [r.status for r in push_service.received] == [429, 201]
    assert attempts_of(app, org.id, reminder_id) == [
        (429, "retry", T0),
        (201, "delivered", T0 + 120 * SEC),
    ]
    assert reminder_row(app, org.id, reminder_id).status == "delivered"


def test_retry_after_as_an_http_date(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    reminder_id = enqueue(app, org.rep)
    push_service.answer((503, {"Retry-After": format_datetime(T0 + 5 * MIN, usegmt=True)}))
    run(app, T0)
    assert reminder_row(app, org.id, reminder_id).next_attempt_at == T0 + 5 * MIN


def test_parse_retry_after():
    assert parse_retry_after("0", T0) == T0
    assert parse_retry_after(" 90 ", T0) == T0 + 90 * SEC
    assert parse_retry_after("Mon, 01 Jun 2026 09:10:00 GMT", T0) == T0 + 10 * MIN
    assert parse_retry_after("soon", T0) is None
    assert parse_retry_after(None, T0) is None


def test_5xx_backs_off_exponentially_then_delivers(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    reminder_id = enqueue(app, org.rep)
    push_service.answer(500, 502)

    run(app, T0)
    assert reminder_row(app, org.id, reminder_id).next_attempt_at == T0 + 30 * SEC
    assert run(app, T0 + 29 * SEC).requests == 0
    run(app, T0 + 30 * SEC)
    row = reminder_row(app, org.id, reminder_id)
    assert (row.attempts, row.next_attempt_at) == (2, T0 + 90 * SEC)  # then 60 s
    assert run(app, T0 + 89 * SEC).requests == 0
    assert run(app, T0 + 90 * SEC).delivered == 1
    assert [a[:2] for a in attempts_of(app, org.id, reminder_id)] == [
        (500, "retry"),
        (502, "retry"),
        (201, "delivered"),
    ]


def test_no_answer_at_all_is_retried(app, api_as, org, push_service):
    browser = push_service.new_browser()
    subscribe(api_as(org.rep), browser)
    reminder_id = enqueue(app, org.rep)
    push_service.stop()
    stats = run(app, T0)
    assert (stats.retried, stats.requests) == (1, 1)
    row = reminder_row(app, org.id, reminder_id)
    assert row.status == "pending" and "Error" in row.last_error
    assert attempts_of(app, org.id, reminder_id)[0][:2] == (None, "retry")


def test_too_many_attempts_fail_the_reminder(app, api_as, org, push_service, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_MAX_ATTEMPTS", 2)
    subscribe(api_as(org.rep), push_service.new_browser())
    reminder_id = enqueue(app, org.rep)
    push_service.answer(500, 500, 500)
    run(app, T0)
    run(app, T0 + MIN)
    row = reminder_row(app, org.id, reminder_id)
    assert (row.status, row.attempts) == ("failed", 2)
    assert run(app, T0 + 10 * MIN).requests == 0


def test_other_4xx_fail_and_413_is_logged_as_a_bug(app, api_as, org, push_service, caplog):
    subscribe(api_as(org.rep), push_service.new_browser())
    bad = enqueue(app, org.rep)
    big = enqueue(app, org.rep)  # another item
    push_service.answer(400, 413)
    with caplog.at_level(logging.ERROR, logger="app.push.sender"):
        stats = run(app, T0)
    assert stats.failed == 2
    rows = {r: reminder_row(app, org.id, r) for r in (bad, big)}
    assert {row.status for row in rows.values()} == {"failed"}
    assert sorted(row.last_error[:3] for row in rows.values()) == ["400", "413"]
    assert any("too large" in m for m in caplog.messages)
    assert subscription_count(app) == 1  # a failure is not a reason to drop the browser


def test_expired_reminders_are_not_sent(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    reminder_id = enqueue(app, org.rep, ttl_seconds=600)  # stale 10 minutes after T0
    push_service.answer(500)
    run(app, T0)
    stats = run(app, T0 + 10 * MIN)
    assert (stats.expired, stats.requests) == (1, 0)
    assert reminder_row(app, org.id, reminder_id).status == "expired"
    assert len(push_service.received) == 1


def test_without_subscriptions_a_reminder_waits_until_it_expires(app, org, push_service):
    reminder_id = enqueue(app, org.rep, ttl_seconds=600)
    assert run(app, T0).claimed == 0
    row = reminder_row(app, org.id, reminder_id)
    assert (row.status, row.attempts) == ("pending", 0)
    assert run(app, T0 + 10 * MIN).expired == 1
    assert reminder_row(app, org.id, reminder_id).status == "expired"


def test_deactivated_people_get_nothing(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    enqueue(app, org.rep)
    api_as(org.admin).patch(f"/api/v1/users/{org.rep.id}", json={"active": False})
    assert run(app, T0).claimed == 0
    assert push_service.received == []


def test_one_reminder_per_item_milestone_and_person(app, org):
    item = uuid.uuid4()
    first = enqueue(app, org.rep, item_id=item, milestone="due")
    assert first is not None
    assert enqueue(app, org.rep, item_id=item, milestone="due", title="again") is None
    assert enqueue(app, org.rep2, item_id=item, milestone="due") is not None  # another person
    with app.app_context(), tenant(org.id):
        db.session.add(
            Reminder(
                org_id=org.id,
                user_id=org.rep.id,
                kind="due_soon",
                item_type="lead",
                item_id=item,
                milestone="due",
                title="t",
                body="b",
                url="/leads/x",
                ttl_seconds=60,
                not_before=T0,
                expires_at=T0 + MIN,
                next_attempt_at=T0,
            )
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert len(db.session.scalars(select(Reminder.id)).all()) == 2
        db.session.remove()


def test_a_newer_milestone_supersedes_a_pending_one(app, api_as, org, push_service):
    item = uuid.uuid4()
    due_soon = enqueue(app, org.rep, item_id=item, milestone="due_soon")
    overdue = enqueue(app, org.rep, item_id=item, milestone="overdue", kind="overdue")
    assert reminder_row(app, org.id, due_soon).status == "expired"
    assert "superseded" in reminder_row(app, org.id, due_soon).last_error
    subscribe(api_as(org.rep), push_service.new_browser())
    assert run(app, T0).delivered == 1
    assert [r.payload["kind"] for r in push_service.received] == ["overdue"]
    assert reminder_row(app, org.id, overdue).status == "delivered"


def test_a_batch_enqueues_as_one_at_a_time_would(app, org):
    """``enqueue_reminders`` leaves what enqueueing its reminders one by one in the same order
    leaves: a reminder already there is skipped, and each new one supersedes the pending
    ones before it about the same item and person, never one after it."""

    def batch(item: uuid.UUID) -> list[NewReminder]:
        def reminder(person, milestone: str, kind: str, not_before) -> NewReminder:
            return NewReminder(
                org_id=org.id,
                user_id=person.id,
                kind=kind,
                item_type="lead",
                item_id=item,
                milestone=milestone,
                title=f"{kind} {item}",
                body="b",
                not_before=not_before,
            )

        return [
            reminder(org.rep, "warning", "due_soon", T0),
            reminder(org.rep2, "warning", "due_soon", T0),
            reminder(org.rep, "breached", "overdue", T0 + 60 * MIN),  # replaces rep's warning
            reminder(org.rep, "escalated", "escalation", T0 + 30 * MIN),  # sooner: replaces none
            reminder(org.rep, "warning", "due_soon", T0 + 90 * MIN),  # already there: skipped
        ]

    one_by_one, batched = uuid.uuid4(), uuid.uuid4()
    with app.app_context(), tenant(org.id):
        made = [enqueue_reminder(**asdict(r)) for r in batch(one_by_one)]
        assert len(enqueue_reminders(batch(batched))) == 4 == sum(m is not None for m in made)
        db.session.commit()

    def outcome(item: uuid.UUID) -> list[tuple]:
        with app.app_context(), tenant(org.id):
            rows = db.session.execute(
                select(Reminder.user_id, Reminder.milestone, Reminder.status, Reminder.last_error)
                .where(Reminder.item_id == item)
                .order_by(Reminder.user_id, Reminder.milestone)
            ).all()
            db.session.remove()
        return [tuple(row) for row in rows]

    assert outcome(batched) == outcome(one_by_one)
    assert sorted(outcome(batched)) == sorted(
        [
            (org.rep.id, "breached", "pending", None),
            (org.rep.id, "escalated", "pending", None),
            (org.rep.id, "warning", "expired", "superseded by breached"),
            (org.rep2.id, "warning", "pending", None),
        ]
    )


def test_enqueue_refuses_bad_input(app, org):
    for bad in (
        {"topic": "has spaces"},
        {"topic": "x" * 33},
        {"urgency": "urgent"},
        {"not_before": T0.replace(tzinfo=None)},
    ):
        with pytest.raises(ValueError):
            enqueue(app, org.rep, **bad)


def test_one_run_serves_every_organisation(app, api_as, org, other_org, push_service):
    ours, theirs = push_service.new_browser(), push_service.new_browser()
    subscribe(api_as(org.rep), ours)
    subscribe(api_as(other_org.rep), theirs)
    item = uuid.uuid4()
    enqueue(app, org.rep, item_id=item, title="For Acme")
    enqueue(app, other_org.rep, item_id=item, title="For Globex")
    assert run(app, T0).delivered == 2
    got = {r.token: r.payload["title"] for r in push_service.received}
    assert got == {ours.token: "For Acme", theirs.token: "For Globex"}


def test_a_crashed_senders_lease_lapses_and_the_reminder_is_sent(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    reminder_id = enqueue(app, org.rep)
    with app.app_context(), tenant(org.id):  # as a sender that died after claiming
        row = db.session.get(Reminder, (org.id, reminder_id))
        row.status, row.attempts, row.next_attempt_at = "sending", 1, T0 + 5 * MIN
        db.session.commit()
        db.session.remove()
    assert run(app, T0 + 4 * MIN).claimed == 0
    assert run(app, T0 + 5 * MIN).delivered == 1


def test_twenty_reminders_reuse_one_connection(app, api_as, org, push_service):
    for person in (org.rep, org.rep2):
        subscribe(api_as(person), push_service.new_browser())
    for _ in range(10):
        enqueue(app, org.rep)
        enqueue(app, org.rep2)
    stats = run(app, T0, batch=7)  # several batches, one session
    assert (stats.delivered, stats.requests) == (20, 20)
    assert 1 <= push_service.connections <= 2


def test_concurrent_requests_when_configured(app, api_as, org, push_service, monkeypatch):
    monkeypatch.setitem(app.config, "PUSH_CONCURRENCY", 4)
    browsers = [push_service.new_browser() for _ in range(3)]
    for browser in browsers:
        subscribe(api_as(org.rep), browser)
    ids = [enqueue(app, org.rep) for _ in range(10)]
    push_service.answer(410, browser=browsers[0])
    stats = run(app, T0)
    assert (stats.delivered, stats.requests, stats.subscriptions_removed) == (10, 30, 1)
    assert push_service.connections <= 4
    assert {reminder_row(app, org.id, i).status for i in ids} == {"delivered"}


def test_two_senders_at_once_deliver_each_reminder_once(app, api_as, org, push_service):
    subscribe(api_as(org.rep), push_service.new_browser())
    for _ in range(30):
        enqueue(app, org.rep)
    results, errors = [], []

    def sender():
        try:
            with app.app_context():
                results.append(deliver_due(T0, batch=5))
                db.session.remove()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r.delivered for r in results) == 30
    assert len(push_service.received) == 30
    assert len({r.payload["reminder_id"] for r in push_service.received}) == 30
