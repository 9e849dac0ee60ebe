"""POST/GET /leads/<id>/followups: the timeline, the clock, and how follow-ups move a lead."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.extensions import db
from app.leads.models import FOLLOW_UP_KINDS, Lead
from app.tenancy import tenant
from tests.leads.helpers import LEADS, error_of, get_lead, hours, iso, new_lead, now, uid


def log(api, lead_id, expect=201, **body):
    body.setdefault("happened_at", iso(now()))
    response = api.post(f"{LEADS}/{lead_id}/followups", json=body)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def test_every_kind_is_logged_with_author_and_receipt_time(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    before = now() - timedelta(seconds=1)
    entries = []
    for kind in FOLLOW_UP_KINDS:
        entry = log(rep, lead["id"], kind=kind, note=f"{kind} about pumps", outcome="interested")
        assert entry["kind"] == kind and entry["lead_id"] == lead["id"]
        assert entry["author_id"] == str(org.rep.id)
        assert entry["received_at"] >= iso(before)
        assert entry["note"] == f"{kind} about pumps" and entry["outcome"] == "interested"
        entries.append(entry)
    timeline = get_lead(rep, lead["id"])["follow_ups"]
    assert sorted(timeline, key=lambda f: f["id"]) == sorted(entries, key=lambda f: f["id"])


def test_an_unknown_kind_is_refused(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    error = error_of(
        rep.post(
            f"{LEADS}/{lead['id']}/followups", json={"kind": "fax", "happened_at": iso(now())}
        ),
        422,
    )
    assert "kind" in error["fields"]
    assert get_lead(rep, lead["id"])["follow_ups"] == []


def test_the_client_id_is_kept_and_a_second_create_is_409(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    entry_id = uid()
    assert log(rep, lead["id"], id=entry_id, kind="call")["id"] == entry_id
    error_of(
        rep.post(
            f"{LEADS}/{lead['id']}/followups",
            json={"id": entry_id, "kind": "visit", "happened_at": iso(now())},
        ),
        409,
        "already_exists",
    )
    assert [f["kind"] for f in get_lead(rep, lead["id"])["follow_ups"]] == ["call"]


def test_a_phone_clock_a_little_ahead_is_fine_but_a_day_ahead_is_refused(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    log(rep, lead["id"], kind="call", happened_at=iso(now() + hours(2)))
    error = error_of(
        rep.post(
            f"{LEADS}/{lead['id']}/followups",
            json={"kind": "call", "happened_at": iso(now() + hours(25))},
        ),
        422,
    )
    assert "happened_at" in error["fields"]
    assert len(get_lead(rep, lead["id"])["follow_ups"]) == 1


def test_a_follow_up_dated_before_the_lead_counts_from_the_leads_creation(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    entry = log(rep, lead["id"], kind="call", happened_at=iso(now() - timedelta(days=3)))
    assert entry["happened_at"] == lead["created_at"]
    assert get_lead(rep, lead["id"])["last_follow_up_at"] == lead["created_at"]


def test_an_offline_entry_keeps_its_own_time(api_as, org, app):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    with app.app_context(), tenant(org.id):
        row = db.session.get(Lead, (org.id, uuid.UUID(lead["id"])))
        row.created_at = now() - timedelta(days=10)
        db.session.commit()
    when = now() - timedelta(days=2)
    entry = log(rep, lead["id"], kind="visit", happened_at=iso(when))
    assert entry["happened_at"] == iso(when)[:23] + "Z"
    assert entry["received_at"] > entry["happened_at"]


def test_the_next_follow_up_date_becomes_the_leads(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    due = now() + timedelta(days=2)
    log(rep, lead["id"], kind="note", next_follow_up_at=iso(due))
    stored = get_lead(rep, lead["id"])
    assert stored["next_follow_up_at"] == iso(due)[:23] + "Z"
    # A note is no contact: the stage and the last contact stay.
    assert stored["stage"] == "new" and stored["last_follow_up_at"] is None


def test_a_contact_moves_a_new_lead_to_contacted(api_as, org):
    rep = api_as(org.rep)
    for kind in ("call", "visit", "message", "email"):
        lead = new_lead(rep)
        entry = log(rep, lead["id"], kind=kind)
        stored = get_lead(rep, lead["id"])
        assert stored["stage"] == "contacted", kind
        assert stored["last_follow_up_at"] == entry["happened_at"]


def test_a_quote_moves_new_and_contacted_to_quoted(api_as, org):
    rep = api_as(org.rep)
    for start in ("new", "contacted"):
        for body in ({"kind": "quote"}, {"kind": "call", "quoted_amount": 990}):
            lead = new_lead(rep, stage=start)
            entry = log(rep, lead["id"], **body)
            assert get_lead(rep, lead["id"])["stage"] == "quoted", (start, body)
            assert entry["quoted_amount"] == body.get("quoted_amount")


def test_a_follow_up_never_moves_a_lead_back_or_reopens_it(api_as, org):
    rep = api_as(org.rep)
    negotiating = new_lead(rep, stage="negotiating")
    log(rep, negotiating["id"], kind="quote", quoted_amount=5)
    assert get_lead(rep, negotiating["id"])["stage"] == "negotiating"
    lost = new_lead(rep)
    rep.post(f"{LEADS}/{lost['id']}/stage", json={"stage": "lost", "lost_reason": "other"})
    log(rep, lost["id"], kind="call")
    assert get_lead(rep, lost["id"])["stage"] == "lost"


def test_an_older_offline_contact_does_not_move_the_last_contact_back(api_as, org, app):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    with app.app_context(), tenant(org.id):
        row = db.session.get(Lead, (org.id, uuid.UUID(lead["id"])))
        row.created_at = now() - timedelta(days=10)
        db.session.commit()
    recent = log(rep, lead["id"], kind="call", happened_at=iso(now() - hours(1)))
    log(rep, lead["id"], kind="visit", happened_at=iso(now() - timedelta(days=5)))
    stored = get_lead(rep, lead["id"])
    assert stored["last_follow_up_at"] == recent["happened_at"]
    # The timeline is in the order things happened.
    assert [f["kind"] for f in stored["follow_ups"]] == ["visit", "call"]


def test_only_people_who_see_the_lead_log_or_read_follow_ups(api_as, org, other_org):
    lead = new_lead(api_as(org.rep))
    log(api_as(org.rep), lead["id"], kind="call")
    for person in (org.rep2, org.cs, other_org.admin, other_org.rep):
        api = api_as(person)
        error_of(api.get(f"{LEADS}/{lead['id']}/followups"), 404)
        error_of(
            api.post(
                f"{LEADS}/{lead['id']}/followups", json={"kind": "note", "happened_at": iso(now())}
            ),
            404,
        )
    entry = log(api_as(org.lead), lead["id"], kind="visit")
    assert entry["author_id"] == str(org.lead.id)
    assert len(api_as(org.rep).get(f"{LEADS}/{lead['id']}/followups").json) == 2


def test_happened_at_is_required_and_needs_a_time_zone(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    for body in ({"kind": "call"}, {"kind": "call", "happened_at": "2024-05-01T10:00:00"}):
        error = error_of(rep.post(f"{LEADS}/{lead['id']}/followups", json=body), 422)
        assert "happened_at" in error["fields"]
    assert get_lead(rep, lead["id"])["follow_ups"] == []


def _backdate(app, org, lead_id, **columns):
    with app.app_context(), tenant(org.id):
        row = db.session.get(Lead, (org.id, uuid.UUID(lead_id)))
        for name, value in columns.items():
            setattr(row, name, value)
        db.session.commit()


def test_a_call_without_a_next_date_clears_a_stale_one_and_the_cadence_decides(api_as, org, app):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    stale = now() - hours(1)
    _backdate(app, org, lead["id"], created_at=now() - timedelta(days=2), next_follow_up_at=stale)
    entry = log(rep, lead["id"], kind="call")
    stored = get_lead(rep, lead["id"])
    assert stored["next_follow_up_at"] is None
    clock = stored["sla"]
    assert clock["metric"] == "follow_up" and clock["state"] == "ok"
    assert clock["started_at"] == entry["happened_at"]
    # Three business days of eight hours (the default cadence), never the stale date.
    assert clock["due_at"] > iso(now() + timedelta(days=2))


def test_a_call_keeps_a_future_next_date_and_a_note_keeps_a_past_one(api_as, org, app):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    later = now() + hours(3)
    _backdate(app, org, lead["id"], next_follow_up_at=later)
    log(rep, lead["id"], kind="call")
    stored = get_lead(rep, lead["id"])
    assert stored["next_follow_up_at"] == iso(later)[:23] + "Z"
    assert stored["sla"]["due_at"] == stored["next_follow_up_at"]  # the earlier deadline
    past = now() - hours(1)
    _backdate(app, org, lead["id"], next_follow_up_at=past)
    log(rep, lead["id"], kind="note")  # a note is no contact: nothing moves
    assert get_lead(rep, lead["id"])["next_follow_up_at"] == iso(past)[:23] + "Z"


def test_a_next_date_before_the_contact_is_refused_with_the_field(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    error = error_of(
        rep.post(
            f"{LEADS}/{lead['id']}/followups",
            json={
                "kind": "call",
                "happened_at": iso(now()),
                "next_follow_up_at": iso(now() - timedelta(minutes=5)),
            },
        ),
        422,
    )
    assert "next_follow_up_at" in error["fields"]
    assert get_lead(rep, lead["id"])["follow_ups"] == []
    # Logged offline: a next date after the call, though past by the time it syncs, is fine.
    log(
        rep,
        lead["id"],
        kind="call",
        happened_at=iso(now() - hours(2)),
        next_follow_up_at=iso(now() - hours(1)),
    )
