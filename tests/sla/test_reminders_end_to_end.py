"""The whole path: an untouched lead passes its deadline, the scheduler runs, and the rep's
subscribed device — a real HTTP push-service stand-in that checks the VAPID signature and
decrypts the payload — receives one reminder at a proper hour; the team lead an escalation
later; nobody gets duplicates across a restart or two schedulers at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app.scheduler.lock import LeaseLock, lock_for_database
from app.scheduler.runner import Scheduler
from tests.conftest import is_postgres
from tests.push.standin import PushServiceStandIn


@pytest.fixture
def push_service(client):
    standin = PushServiceStandIn().start()
    standin.vapid_public_key = client.get("/api/v1/push/key").json["public_key"]
    yield standin
    standin.stop()
    assert not standin.problems, standin.problems


@pytest.fixture
def world(app, api_as, org, push_service, clock):
    """A Berlin organisation whose rep and team lead have each subscribed a phone."""
    api_as(org.admin).patch("/api/v1/org", json={"timezone": "Europe/Berlin"})
    phones = {}
    for person in (org.rep, org.lead):
        browser = push_service.new_browser()
        answer = api_as(person).post("/api/v1/push/subscriptions", json=browser.to_json())
        assert answer.status_code in (200, 201), answer.json
        phones[person.role] = browser
    lead = api_as(org.rep).post("/api/v1/leads", json={"contact_name": "Ada Buyer"}).json
    return phones, lead


def scheduler(app, clock, holder: str) -> Scheduler:
    lock = LeaseLock(clock=clock, holder=holder) if not is_postgres(app) else None
    if lock is None:
        with app.app_context():
            lock = lock_for_database(clock)
    return Scheduler(app, lock=lock, clock=clock)


def delivered(push_service, browser) -> list[dict]:
    return [r.payload for r in push_service.for_browser(browser) if r.status in (200, 201, 202)]


def test_an_untouched_lead_reminds_its_rep_then_escalates_once(app, world, push_service, clock):
    phones, lead = world
    first = scheduler(app, clock, "first")
    try:
        clock.berlin(23, 10, 40)  # 80 % of the two hours
        first.run_due()
        soon = delivered(push_service, phones["rep"])
        assert len(soon) == 1
        assert soon[0]["kind"] == "due_soon" and soon[0]["url"] == f"/leads/{lead['id']}"
        assert "Ada Buyer" in soon[0]["title"]
        received = push_service.for_browser(phones["rep"])[0]
        assert received.urgency == "normal" and received.topic == lead["id"].replace("-", "")
        assert 0 < int(received.ttl) <= 20 * 60  # stale once the lead is due at 11:00

        clock.berlin(23, 11, 1)
        first.run_due()
        overdue = delivered(push_service, phones["rep"])[1:]
        assert [p["kind"] for p in overdue] == ["overdue"]
        assert push_service.for_browser(phones["rep"])[-1].urgency == "high"
        assert delivered(push_service, phones["lead"]) == []
    finally:
        with app.app_context():
            first.lock.release()

    # The scheduler is restarted: the new process catches up without repeating anything.
    clock.berlin(23, 11, 30)
    restarted = scheduler(app, clock, "restarted")
    try:
        restarted.run_due()
        assert len(delivered(push_service, phones["rep"])) == 2

        clock.berlin(23, 13, 1)  # breached for two business hours
        restarted.run_due()
        escalation = delivered(push_service, phones["lead"])
        assert [p["kind"] for p in escalation] == ["escalation"]
        clock.now += timedelta(minutes=5)
        restarted.run_due()
        assert len(delivered(push_service, phones["lead"])) == 1
        assert len(delivered(push_service, phones["rep"])) == 2
    finally:
        with app.app_context():
            restarted.lock.release()


def test_a_breach_after_hours_reaches_the_rep_next_morning(app, world, push_service, clock):
    phones, _ = world
    one = scheduler(app, clock, "one")
    try:
        clock.berlin(23, 20, 0)  # the first lead breached at 11:00; the rep is off
        one.run_due()
        assert [p["kind"] for p in delivered(push_service, phones["rep"])] == []
        clock.berlin(24, 9, 1)
        one.run_due()
        assert [p["kind"] for p in delivered(push_service, phones["rep"])] == ["overdue"]
    finally:
        with app.app_context():
            one.lock.release()


def test_two_schedulers_at_once_send_exactly_one_reminder(app, world, push_service, clock):
    phones, _ = world
    clock.berlin(23, 11, 1)
    schedulers = [scheduler(app, clock, f"s{i}") for i in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def run(s):
        try:
            barrier.wait()
            s.run_due()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for s in schedulers:
        with app.app_context():
            s.lock.release()
    assert not errors, errors
    assert [p["kind"] for p in delivered(push_service, phones["rep"])] == ["overdue"]
