"""SLA clocks on leads, the check that moves them, and the reminders it queues."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from app.changelog import versions as changes
from app.changelog.models import ChangeCounter
from app.extensions import db
from app.leads.models import Lead
from app.push.models import Reminder
from app.sla.check import run_sla_check
from app.sla.models import SlaEvent
from app.tenancy import all_orgs, tenant
from tests.conftest import is_postgres


def create_lead(api, **fields) -> dict:
    response = api.post("/api/v1/leads", json={"contact_name": "Ada Buyer", **fields})
    assert response.status_code == 201, response.json
    return response.json


def check(app, now: datetime, **kwargs):
    with app.app_context():
        return run_sla_check(now, **kwargs)


def reminders(app, org) -> list[Reminder]:
    with app.app_context(), tenant(org.id):
        rows = db.session.scalars(
            select(Reminder).order_by(Reminder.created_at, Reminder.kind)
        ).all()
        db.session.expunge_all()
        return rows


def events(app, org, lead_id) -> list[tuple[str, str]]:
    with app.app_context(), tenant(org.id):
        rows = db.session.execute(
            select(SlaEvent.metric, SlaEvent.event)
            .where(SlaEvent.item_id == uuid.UUID(lead_id))
            .order_by(SlaEvent.at)
        ).all()
        db.session.rollback()
        return [tuple(r) for r in rows]


def test_an_inquiry_on_friday_evening_is_due_monday_morning(app, api_as, berlin_org, clock):
    clock.set(day=27, hour=17, minute=55)  # Friday 17:55
    lead = create_lead(api_as(berlin_org.rep))
    assert lead["sla"]["metric"] == "first_response"
    assert lead["sla"]["state"] == "ok"
    assert lead["sla"]["due_at"] == "2026-11-30T10:00:00.000Z"  # Monday 11:00 Berlin
    assert lead["sla"]["warn_at"] == "2026-11-30T09:36:00.000Z"  # 80 % of two hours


def test_warning_breach_and_escalation_each_remind_once(app, api_as, berlin_org, clock):
    lead = create_lead(api_as(berlin_org.rep), company="Weber Bau")  # Monday 09:00, due 11:00
    assert check(app, clock.set(day=23, hour=10, minute=0)).items == 0  # nothing due yet

    stats = check(app, clock.set(day=23, hour=10, minute=40))
    assert stats.milestones == {"warning": 1}
    due_soon = reminders(app, berlin_org)
    assert [(r.kind, r.user_id) for r in due_soon] == [("due_soon", berlin_org.rep.id)]
    assert (
        "Ada Buyer (Weber Bau)" in due_soon[0].title and due_soon[0].url == f"/leads/{lead['id']}"
    )
    assert due_soon[0].expires_at == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # stale once due

    check(app, clock.set(day=23, hour=11, minute=1))
    check(app, clock.set(day=23, hour=11, minute=2))  # again: nothing new
    kinds = [(r.kind, r.user_id, r.urgency) for r in reminders(app, berlin_org)]
    assert kinds == [
        ("due_soon", berlin_org.rep.id, "normal"),
        ("overdue", berlin_org.rep.id, "high"),
    ]

    check(app, clock.set(day=23, hour=13, minute=1))  # breached for two business hours
    kinds = [(r.kind, r.user_id) for r in reminders(app, berlin_org)]
    assert kinds[-1] == ("escalation", berlin_org.lead.id)
    assert len(kinds) == 3
    assert events(app, berlin_org, lead["id"]) == [
        ("first_response", "started"),
        ("first_response", "warning"),
        ("first_response", "breached"),
        ("first_response", "escalated"),
    ]
    state = api_as(berlin_org.rep).get(f"/api/v1/leads/{lead['id']}").json["sla"]
    assert state["state"] == "breached" and state["breached_at"] == "2026-11-23T10:00:00.000Z"


def test_a_check_after_downtime_skips_stale_warnings(app, api_as, berlin_org, clock):
    create_lead(api_as(berlin_org.rep))
    stats = check(app, clock.set(day=23, hour=12))  # the scheduler was down past the deadline
    assert stats.milestones == {"breached": 1}
    assert [r.kind for r in reminders(app, berlin_org)] == ["overdue"]


def test_the_first_contact_meets_the_clock_and_starts_the_cadence(app, api_as, berlin_org, clock):
    rep = api_as(berlin_org.rep)
    lead = create_lead(rep)
    clock.set(day=23, hour=10)
    logged = rep.post(
        f"/api/v1/leads/{lead['id']}/followups",
        json={"kind": "call", "note": "Spoke", "happened_at": "2026-11-23T08:30:00Z"},
    )
    assert logged.status_code == 201
    sla = rep.get(f"/api/v1/leads/{lead['id']}").json["sla"]
    assert sla["metric"] == "follow_up" and sla["state"] == "ok"
    # Three business days of eight hours from the call at 09:30 on Monday: Thursday 09:30.
    assert sla["due_at"] == "2026-11-26T08:30:00.000Z"
    assert ("first_response", "met") in events(app, berlin_org, lead["id"])
    # Setting an earlier next follow-up makes that the deadline.
    rep.patch(
        f"/api/v1/leads/{lead['id']}", json={"set": {"next_follow_up_at": "2026-11-24T13:00:00Z"}}
    )
    assert (
        rep.get(f"/api/v1/leads/{lead['id']}").json["sla"]["due_at"] == "2026-11-24T13:00:00.000Z"
    )


def test_an_offline_follow_up_counts_at_its_own_time(app, api_as, berlin_org, clock):
    rep = api_as(berlin_org.rep)
    lead = create_lead(rep)
    clock.set(day=23, hour=15)  # synced long after the deadline, but made in time
    rep.post(
        f"/api/v1/leads/{lead['id']}/followups",
        json={"kind": "visit", "note": "On site", "happened_at": "2026-11-23T09:00:00Z"},
    )
    with app.app_context(), tenant(berlin_org.id):
        met = db.session.scalar(select(SlaEvent).where(SlaEvent.event == "met"))
        assert met.at == datetime(2026, 11, 23, 9, 0, tzinfo=UTC) < met.due_at
        db.session.rollback()


def test_won_and_lost_pause_the_clock_and_reopening_restarts_it(app, api_as, berlin_org, clock):
    rep = api_as(berlin_org.rep)
    lead = create_lead(rep)
    rep.post(
        f"/api/v1/leads/{lead['id']}/stage", json={"stage": "lost", "lost_reason": "price_too_high"}
    )
    assert rep.get(f"/api/v1/leads/{lead['id']}").json["sla"]["state"] == "paused"
    assert check(app, clock.set(day=24, hour=12)).items == 0  # a paused clock is never due
    reopened = rep.post(f"/api/v1/leads/{lead['id']}/stage", json={"stage": "contacted"}).json
    assert reopened["sla"]["state"] == "ok"
    assert reopened["sla"]["started_at"] == "2026-11-24T11:00:00.000Z"


def test_quiet_hours_hold_a_reminder_until_the_person_works_again(app, api_as, berlin_org, clock):
    rep = api_as(berlin_org.rep)
    hours = {
        "weekly": {
            d: [{"start": "10:00", "end": "16:00"}] for d in ("mon", "tue", "wed", "thu", "fri")
        }
    }
    assert (
        rep.patch("/api/v1/auth/me/preferences", json={"working_hours": hours}).status_code == 200
    )
    clock.set(day=23, hour=15)
    create_lead(rep)  # due Tuesday 10:00 in the org's 09–17 hours
    check(app, clock.set(day=24, hour=9, minute=50))  # breached before the rep starts work
    check(app, clock.set(day=24, hour=10, minute=1))
    overdue = [r for r in reminders(app, berlin_org) if r.kind == "overdue"]
    assert len(overdue) == 1 and overdue[0].not_before == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_a_lead_may_ask_for_escalations_at_any_hour(app, api_as, berlin_org, clock):
    api_as(berlin_org.lead).patch(
        "/api/v1/auth/me/preferences", json={"escalations_any_hour": True}
    )
    api_as(berlin_org.lead).patch(
        "/api/v1/auth/me/preferences",
        json={"working_hours": {"weekly": {"sat": [{"start": "10:00", "end": "11:00"}]}}},
    )
    create_lead(api_as(berlin_org.rep))
    now = clock.set(day=23, hour=14)
    check(app, now)
    escalation = [r for r in reminders(app, berlin_org) if r.kind == "escalation"]
    assert len(escalation) == 1 and escalation[0].not_before == now


def test_the_most_specific_policy_wins(app, api_as, berlin_org, clock):
    lead_api = api_as(berlin_org.admin)  # policies are the admins' (issue 14, finding 9)
    for body in (
        {"name": "All", "metric": "first_response", "target_minutes": 240},
        {"name": "Urgent", "metric": "first_response", "target_minutes": 60, "priority": "urgent"},
        {
            "name": "Urgent web",
            "metric": "first_response",
            "target_minutes": 15,
            "priority": "urgent",
            "source": "website",
        },
    ):
        assert lead_api.post("/api/v1/sla/policies", json=body).status_code == 201
    rep = api_as(berlin_org.rep)
    due = {
        (p, s): create_lead(rep, priority=p, source=s)["sla"]["due_at"]
        for p, s in (("normal", "phone"), ("urgent", "phone"), ("urgent", "website"))
    }
    assert due == {
        ("normal", "phone"): "2026-11-23T12:00:00.000Z",
        ("urgent", "phone"): "2026-11-23T09:00:00.000Z",
        ("urgent", "website"): "2026-11-23T08:15:00.000Z",
    }
    assert (
        api_as(berlin_org.rep)
        .post(
            "/api/v1/sla/policies", json={"name": "x", "metric": "follow_up", "target_minutes": 1}
        )
        .status_code
        == 403
    )


def test_a_team_calendar_overrides_the_organisations(app, api_as, berlin_org, clock):
    always = {
        "timezone": "Europe/Berlin",
        "weekly": {
            d: [{"start": "00:00", "end": "24:00"}]
            for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
        },
    }
    made = api_as(berlin_org.lead).post(
        "/api/v1/sla/calendars",
        json={
            "name": "Round the clock",
            "kind": "sales",
            "team_id": str(berlin_org.team_id),
            "definition": always,
        },
    )
    assert made.status_code == 201
    clock.set(day=28, hour=22)  # Saturday night
    assert create_lead(api_as(berlin_org.rep))["sla"]["due_at"] == "2026-11-28T23:00:00.000Z"
    bad = api_as(berlin_org.admin).post(
        "/api/v1/sla/calendars",
        json={
            "name": "Broken",
            "kind": "sales",
            "definition": {"timezone": "Mars/Base", "weekly": {}},
        },
    )
    assert bad.status_code == 422 and "definition" in bad.json["error"]["fields"]


def test_devices_receive_clock_changes_and_policies(app, api_as, berlin_org, clock):
    from tests.sync.syncing import Replica

    api_as(berlin_org.admin).post(
        "/api/v1/sla/policies",
        json={"name": "Fast", "metric": "first_response", "target_minutes": 30},
    )
    rep = Replica(api_as(berlin_org.rep))
    lead = create_lead(rep.api)
    rep.pull_all()
    assert rep.of("lead")[lead["id"]]["sla"]["state"] == "ok"
    assert [p["name"] for p in rep.of("sla_policy").values()] == ["Fast"]
    check(app, clock.set(day=23, hour=10))
    rep.pull_all()
    assert rep.of("lead")[lead["id"]]["sla"]["state"] == "breached"
    with app.app_context(), all_orgs():
        stored = db.session.execute(
            select(Lead.version, Lead.wire_version).where(Lead.id == uuid.UUID(lead["id"]))
        ).one()
    assert stored.version == stored.wire_version  # the check stored the changed lead's change


def test_two_checks_at_once_queue_each_reminder_once(app, api_as, berlin_org, other_org, clock):
    if not is_postgres(app):
        pytest.skip("SQLite runs one writer at a time; the race needs PostgreSQL")
    berlin_rep, globex_rep = api_as(berlin_org.rep), api_as(other_org.rep)
    for i in range(20):
        create_lead(berlin_rep, contact_name=f"Buyer {i}")
    for i in range(10):
        create_lead(globex_rep, contact_name=f"Globex buyer {i}")
    # 12:00 UTC: Berlin's leads are overdue and escalated, Globex's (UTC hours) overdue.
    now = clock.set(day=23, hour=13)
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            check(app, now, batch=7)  # several rounds each, over both organisations
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with app.app_context(), all_orgs():
        kinds = Counter(r.kind for r in db.session.scalars(select(Reminder)))
        steps = db.session.execute(
            select(SlaEvent.item_id, SlaEvent.event).where(SlaEvent.event != "started")
        ).all()
        db.session.rollback()
    assert kinds == {"overdue": 30, "escalation": 20}
    assert len(steps) == len(set(steps)) == 50  # no clock advanced twice


def test_a_check_waits_for_a_writer_holding_the_counter(app, api_as, berlin_org, clock):
    """A push takes the organisation's counter, then touches a lead that is due. A check
    starting in between waits for the counter before it locks any lead: had it locked the
    lead first, each would wait for the other and PostgreSQL would abort one (deadlock)."""
    if not is_postgres(app):
        pytest.skip("SQLite runs one writer at a time; row locks are PostgreSQL's")
    lead_id = uuid.UUID(create_lead(api_as(berlin_org.rep))["id"])
    now = clock.set(day=23, hour=11, minute=30)
    counter_taken = threading.Event()
    errors, results = [], []

    def push():
        try:
            with app.app_context(), tenant(berlin_org.id):
                changes.lock_counter(berlin_org.id)
                counter_taken.set()
                wait_until_a_session_waits_for_a_lock()  # the check, at the counter
                lead = db.session.get(Lead, (berlin_org.id, lead_id), with_for_update=True)
                lead.company = "Touched by a push"
                changes.stamp(lead)
                db.session.commit()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
            counter_taken.set()

    def sla_check():
        try:
            counter_taken.wait(10)
            results.append(check(app, now))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=push), threading.Thread(target=sla_check)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert results[0].milestones == {"breached": 1}
    with app.app_context(), tenant(berlin_org.id):
        lead = db.session.get(Lead, (berlin_org.id, lead_id))
        assert (lead.sla_state, lead.company) == ("breached", "Touched by a push")
        db.session.rollback()
    assert [r.kind for r in reminders(app, berlin_org)] == ["overdue"]


def wait_until_a_session_waits_for_a_lock(seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return
        time.sleep(0.02)
    raise AssertionError("no session came to wait for a lock")


def counter_of(app, org) -> int:
    with app.app_context(), tenant(org.id):
        value = db.session.get(ChangeCounter, org.id).value
        db.session.rollback()
        return value


def test_one_check_serves_several_organisations_in_rounds(
    app, api_as, berlin_org, other_org, clock
):
    """More due leads than one batch, in two organisations: every clock advances once, each
    organisation's people hear of its own leads only, and each organisation's counter gives
    the versions of its own leads."""
    berlin_rep, globex_rep = api_as(berlin_org.rep), api_as(other_org.rep)
    for i in range(3):
        create_lead(berlin_rep, contact_name=f"Berlin buyer {i}")
    for i in range(2):
        create_lead(globex_rep, contact_name=f"Globex buyer {i}")
    counters = {org.id: counter_of(app, org) for org in (berlin_org, other_org)}
    # 12:00 UTC: Berlin's leads are overdue and escalated, Globex's (UTC hours) overdue.
    stats = check(app, clock.set(day=23, hour=13), batch=2)
    assert (stats.items, stats.milestones, stats.reminders) == (
        5,
        {"breached": 5, "escalated": 3},
        8,
    )
    assert check(app, clock.now).items == 0  # nothing left behind
    expected = {
        berlin_org.id: {("overdue", berlin_org.rep.id): 3, ("escalation", berlin_org.lead.id): 3},
        other_org.id: {("overdue", other_org.rep.id): 2},
    }
    for org in (berlin_org, other_org):
        sent = Counter((r.kind, r.user_id) for r in reminders(app, org))
        assert sent == expected[org.id]
        with app.app_context(), tenant(org.id):
            versions = sorted(
                db.session.scalars(select(Lead.version).where(Lead.sla_state == "breached"))
            )
            db.session.rollback()
        top = counter_of(app, org)
        assert versions == list(range(counters[org.id] + 1, top + 1))  # the check's, in a row


def test_the_check_reads_each_organisations_own_calendar_and_people(
    app, api_as, berlin_org, other_org, clock
):
    """Regression: the check once ran every lead's rules across all organisations, so one
    organisation's calendar or admin could decide another's reminders."""
    weekends = {
        "timezone": "Europe/Berlin",
        "weekly": {"sat": [{"start": "10:00", "end": "11:00"}]},
    }
    api_as(other_org.admin).post(
        "/api/v1/sla/calendars", json={"name": "Weekends", "kind": "sales", "definition": weekends}
    )
    # The admin's own lead has no team: its escalation goes to the organisation's admins.
    lead = create_lead(api_as(berlin_org.admin), contact_name="Admin's own")
    assert lead["team_id"] is None
    check(app, clock.set(day=23, hour=10, minute=40))
    due_soon = [r for r in reminders(app, berlin_org) if r.kind == "due_soon"]
    assert [r.user_id for r in due_soon] == [berlin_org.admin.id]
    stats = check(app, clock.set(day=23, hour=13, minute=30))
    assert stats.milestones == {"breached": 1, "escalated": 1}
    escalations = [r for r in reminders(app, berlin_org) if r.kind == "escalation"]
    assert [r.user_id for r in escalations] == [berlin_org.admin.id]
    assert reminders(app, other_org) == []
