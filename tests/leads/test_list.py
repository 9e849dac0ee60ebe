"""GET /leads: filters, sorts and keyset pages that never skip or repeat a lead."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta

import pytest

from app.extensions import db
from app.leads.models import Lead
from app.tenancy import tenant
from tests.leads.helpers import LEADS, error_of, hours, iso, list_ids, new_lead, now


def set_created(app, org, lead_id, when):
    with app.app_context(), tenant(org.id):
        row = db.session.get(Lead, (org.id, uuid.UUID(lead_id)))
        row.created_at = when
        db.session.commit()


def walk(api, limit, between=None, **params):
    """Every page of a listing, following next_after; ``between(n)`` runs after page n."""
    seen, after, pages = [], None, 0
    while True:
        query = {**params, "limit": limit}
        if after:
            query["after"] = after
        response = api.get(LEADS, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        assert len(response.json["items"]) <= limit
        seen += [item["id"] for item in response.json["items"]]
        pages += 1
        after = response.json["next_after"]
        if between:
            between(pages)
        if after is None:
            return seen
        assert pages < 100


def test_filters_by_owner_team_stage_and_source(api_as, org):
    admin = api_as(org.admin)
    a = new_lead(api_as(org.rep), source="website")
    b = new_lead(api_as(org.rep2), source="phone", stage="quoted")
    c = new_lead(admin, source="website", owner_id=str(org.rep2.id))
    admin.post(f"{LEADS}/{c['id']}/stage", json={"stage": "lost", "lost_reason": "other"})
    assert set(list_ids(admin, owner_id=str(org.rep2.id))) == {b["id"], c["id"]}
    assert set(list_ids(admin, team_id=str(org.team_id))) == {a["id"], b["id"], c["id"]}
    assert list_ids(admin, team_id=str(uuid.uuid4())) == []
    assert list_ids(admin, stage="quoted") == [b["id"]]
    assert set(list_ids(admin, stage=["new", "lost"])) == {a["id"], c["id"]}
    assert set(list_ids(admin, source="website")) == {a["id"], c["id"]}
    assert list_ids(admin, source="website", stage="new") == [a["id"]]
    assert set(list_ids(api_as(org.lead), owner_id=str(org.rep2.id))) == {b["id"], c["id"]}


def test_overdue_means_open_with_a_follow_up_date_passed(api_as, org):
    rep = api_as(org.rep)
    late = new_lead(rep, next_follow_up_at=iso(now() - hours(1)))
    future = new_lead(rep, next_follow_up_at=iso(now() + hours(5)))
    undated = new_lead(rep)
    closed_late = new_lead(rep, next_follow_up_at=iso(now() - hours(3)))
    rep.post(f"{LEADS}/{closed_late['id']}/stage", json={"stage": "won", "won_value": 3})
    assert list_ids(rep, overdue="true") == [late["id"]]
    assert set(list_ids(rep, overdue="false")) == {future["id"], undated["id"], closed_late["id"]}


def test_created_from_is_inclusive_and_created_to_exclusive(api_as, org, app):
    rep = api_as(org.rep)
    base = now().replace(microsecond=0) - timedelta(days=10)
    ids = []
    for day in range(4):
        lead = new_lead(rep, contact_name=f"Day {day}")
        set_created(app, org, lead["id"], base + timedelta(days=day))
        ids.append(lead["id"])
    start, end = iso(base + timedelta(days=1)), iso(base + timedelta(days=3))
    assert set(list_ids(rep, created_from=start, created_to=end)) == {ids[1], ids[2]}
    assert set(list_ids(rep, created_from=start)) == set(ids[1:])
    assert set(list_ids(rep, created_to=end)) == set(ids[:3])


def test_text_search_over_name_company_email_and_phone_digits(api_as, org):
    rep = api_as(org.rep)
    api_as(org.admin).patch("/api/v1/org", json={"default_country": "DE"})
    by_name = new_lead(rep, contact_name="Zoë Quartermain")
    by_company = new_lead(rep, contact_name="X", company="Quarter Pumps GmbH")
    by_email = new_lead(rep, contact_name="Y", email="buyer@quarterly.example")
    by_phone = new_lead(rep, contact_name="Z", phone="030 9876543")
    new_lead(rep, contact_name="Nobody", company="Else")
    assert set(list_ids(rep, q="quarter")) == {by_name["id"], by_company["id"], by_email["id"]}
    assert list_ids(rep, q="QUARTERMAIN") == [by_name["id"]]
    assert list_ids(rep, q="9876543") == [by_phone["id"]]
    assert list_ids(rep, q="987-6543") == [by_phone["id"]]
    # Typed the way the organisation writes numbers, or internationally.
    assert list_ids(rep, q="030 9876543") == [by_phone["id"]]
    assert list_ids(rep, q="+49 30 9876543") == [by_phone["id"]]
    assert list_ids(rep, q="nothing-like-this") == []


def test_search_wildcards_are_plain_characters(api_as, org):
    rep = api_as(org.rep)
    percent = new_lead(rep, contact_name="X", company="100% Steel")
    new_lead(rep, contact_name="Y", company="Plain Steel")
    assert list_ids(rep, q="%") == [percent["id"]]
    assert list_ids(rep, q="_") == []


def test_sorts(api_as, org, app):
    rep = api_as(org.rep)
    base = now() - timedelta(days=5)
    leads = []
    for n in range(3):
        lead = new_lead(rep, contact_name=f"L{n}")
        set_created(app, org, lead["id"], base + timedelta(hours=n))
        leads.append(lead["id"])
    assert list_ids(rep) == leads[::-1]  # newest first by default
    assert list_ids(rep, sort="-created_at") == leads[::-1]
    assert list_ids(rep, sort="created_at") == leads
    rep.patch(f"{LEADS}/{leads[0]}", json={"set": {"company": "touched"}})
    assert list_ids(rep, sort="-updated_at")[0] == leads[0]
    rep.patch(f"{LEADS}/{leads[2]}", json={"set": {"next_follow_up_at": iso(now() + hours(1))}})
    rep.patch(f"{LEADS}/{leads[1]}", json={"set": {"next_follow_up_at": iso(now() + hours(9))}})
    # Soonest first; leads without a date come last rather than disappear.
    assert list_ids(rep, sort="next_follow_up_at") == [leads[2], leads[1], leads[0]]
    error_of(rep.get(LEADS, query_string={"sort": "contact_name"}), 422)


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "-updated_at", "next_follow_up_at"])
def test_walking_every_page_sees_each_lead_once(api_as, org, app, sort):
    rep = api_as(org.rep)
    base = now() - timedelta(days=1)
    expected = []
    for n in range(11):
        body = {"contact_name": f"L{n}"}
        if n % 3:  # some with a follow-up date, some without; some dates shared
            body["next_follow_up_at"] = iso(base + timedelta(hours=n % 4))
        lead = new_lead(rep, **body)
        expected.append(lead["id"])
    # Two leads created at the very same instant: the id breaks the tie.
    set_created(app, org, expected[3], base)
    set_created(app, org, expected[4], base)
    for page_size in (1, 4, 11, 50):
        seen = walk(rep, page_size, sort=sort)
        assert len(seen) == len(set(seen)) == len(expected)
        assert set(seen) == set(expected)


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "next_follow_up_at"])
def test_leads_created_while_paging_cause_no_gap_and_no_repeat(api_as, org, sort):
    rep = api_as(org.rep)
    original = [
        new_lead(rep, contact_name=f"L{n}", next_follow_up_at=iso(now() + hours(n)))["id"]
        for n in range(9)
    ]
    added = []

    def insert(page):
        for n in range(2):
            added.append(
                new_lead(
                    rep, contact_name=f"New {page}.{n}", next_follow_up_at=iso(now() + hours(n))
                )["id"]
            )

    seen = walk(rep, 3, between=insert, sort=sort)
    assert len(seen) == len(set(seen))
    assert set(original) <= set(seen)
    assert set(seen) <= set(original) | set(added)


def test_a_page_key_from_another_sort_or_made_up_is_a_400(api_as, org):
    rep = api_as(org.rep)
    for n in range(3):
        new_lead(rep, contact_name=f"L{n}", next_follow_up_at=iso(now() + hours(n)))
    key = rep.get(LEADS, query_string={"limit": 1}).json["next_after"]
    assert key
    made_up = [
        "garbage",
        "!!!",
        "é",
        base64.urlsafe_b64encode(b'{"a": 1}').decode(),
        base64.urlsafe_b64encode(b'["2024-01-01T00:00:00", "not-a-uuid"]').decode(),
        base64.urlsafe_b64encode(
            b'["2024-01-01T00:00:00", "%s"]' % str(uuid.uuid4()).encode()
        ).decode(),
        base64.urlsafe_b64encode(b'[12, "%s"]' % str(uuid.uuid4()).encode()).decode(),
        base64.urlsafe_b64encode(
            b'["9999-12-31T23:59:59-05:00", "%s"]' % str(uuid.uuid4()).encode()
        ).decode(),
    ]
    for after in made_up:
        error = error_of(rep.get(LEADS, query_string={"after": after}), 400, "bad_page_key")
        assert "after" in error["fields"]
    error_of(
        rep.get(LEADS, query_string={"after": key, "sort": "next_follow_up_at"}),
        400,
        "bad_page_key",
    )
    error_of(rep.get(LEADS, query_string={"after": "x" * 500}), 422)


def test_bad_list_parameters_are_422(api_as, org):
    rep = api_as(org.rep)
    new_lead(rep)
    problems = []
    for params in (
        {"limit": 0},
        {"limit": 201},
        {"limit": "ten"},
        {"owner_id": "me"},
        {"team_id": "5"},
        {"stage": "dead"},
        {"stage": ["new", "dead"]},
        {"overdue": "maybe"},
        {"created_from": "yesterday"},
        {"created_to": "2024-01-01T00:00:00"},
        {"q": ""},
        {"q": "x" * 101},
        {"q": "a\x00b"},
        {"source": "web\x00site"},
        {"sort": "contact_name"},
    ):
        response = rep.get(LEADS, query_string=params)
        error = response.json.get("error", {}) if response.is_json else {}
        if response.status_code != 422 or set(error.get("fields", {})) != set(params):
            problems.append((params, response.status_code, response.get_data(as_text=True)))
    assert not problems, problems


def test_limit_bounds_are_honoured(api_as, org):
    rep = api_as(org.rep)
    for n in range(3):
        new_lead(rep, contact_name=f"L{n}")
    one = rep.get(LEADS, query_string={"limit": 1}).json
    assert len(one["items"]) == 1 and one["next_after"]
    everything = rep.get(LEADS, query_string={"limit": 200}).json
    assert len(everything["items"]) == 3 and everything["next_after"] is None
