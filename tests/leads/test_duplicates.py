"""Phone numbers read with the organisation's country, and possible duplicates (never merged)."""

from __future__ import annotations

import pytest

from tests.leads.helpers import LEADS, error_of, get_lead, new_lead


@pytest.fixture
def in_germany(api_as, org):
    response = api_as(org.admin).patch("/api/v1/org", json={"default_country": "DE"})
    assert response.status_code == 200, response.json


def test_local_and_international_forms_of_a_number_match(api_as, org, in_germany):
    rep = api_as(org.rep)
    first = new_lead(rep, contact_name="Local", phone="030 1234567")
    second = new_lead(rep, contact_name="International", phone="+49 30 1234567")
    assert second["possible_duplicate_of"] == first["id"]
    # What the person typed is kept as typed.
    assert first["phone"] == "030 1234567"
    assert first["possible_duplicate_of"] is None


def test_the_default_country_decides_how_a_local_number_reads(api_as, org):
    rep = api_as(org.rep)
    new_lead(rep, contact_name="German", phone="+49 30 1234567")
    # With the default country US, "030 1234567" is not the Berlin number.
    us_reading = new_lead(rep, contact_name="Local", phone="030 1234567")
    assert us_reading["possible_duplicate_of"] is None


def test_text_that_is_no_phone_number_is_refused(api_as, org, in_germany):
    rep = api_as(org.rep)
    for phone in ("call me maybe", "12", "+49 30 12345678901234567"):
        error = error_of(rep.post(LEADS, json={"contact_name": "X", "phone": phone}), 422)
        assert "phone" in error["fields"]
    assert rep.get(LEADS).json["items"] == []


def test_same_email_in_another_case_matches(api_as, org):
    rep = api_as(org.rep)
    first = new_lead(rep, email="anna@example.com")
    second = new_lead(rep, email="  Anna@Example.COM ")
    assert second["possible_duplicate_of"] == first["id"]
    assert second["email"] == "anna@example.com"


def test_the_oldest_open_match_is_named_and_nothing_is_merged(api_as, org, in_germany):
    rep = api_as(org.rep)
    oldest = new_lead(rep, contact_name="One", phone="030 1234567")
    new_lead(rep, contact_name="Two", email="two@example.com", phone="030 1234567")
    third = new_lead(rep, contact_name="Three", email="two@example.com")
    assert third["possible_duplicate_of"] != oldest["id"]  # matched by email only
    fourth = new_lead(rep, contact_name="Four", phone="+49301234567", email="two@example.com")
    assert fourth["possible_duplicate_of"] == oldest["id"]
    names = {item["contact_name"] for item in rep.get(LEADS).json["items"]}
    assert names == {"One", "Two", "Three", "Four"}


def test_a_match_seen_by_nobody_else_still_counts_within_the_organisation(api_as, org):
    first = new_lead(api_as(org.rep), email="shared@example.com")
    second = new_lead(api_as(org.rep2), email="shared@example.com")
    assert second["possible_duplicate_of"] == first["id"]


@pytest.mark.parametrize(
    "close", [{"stage": "won", "won_value": 100}, {"stage": "lost", "lost_reason": "no_response"}]
)
def test_a_closed_lead_is_no_duplicate(api_as, org, close):
    rep = api_as(org.rep)
    closed = new_lead(rep, email="buyer@example.com")
    assert rep.post(f"{LEADS}/{closed['id']}/stage", json=close).status_code == 200
    again = new_lead(rep, email="buyer@example.com")
    assert again["possible_duplicate_of"] is None


def test_another_organisations_lead_never_matches(api_as, org, other_org):
    new_lead(api_as(other_org.rep), email="buyer@example.com", phone="+1 415 555 0100")
    ours = new_lead(api_as(org.rep), email="buyer@example.com", phone="+1 415 555 0100")
    assert ours["possible_duplicate_of"] is None


def test_editing_a_phone_into_a_match_flags_it_and_editing_it_away_clears_it(
    api_as, org, in_germany
):
    rep = api_as(org.rep)
    first = new_lead(rep, contact_name="First", phone="030 1234567")
    second = new_lead(rep, contact_name="Second", phone="030 7654321")
    assert second["possible_duplicate_of"] is None
    patched = rep.patch(f"{LEADS}/{second['id']}", json={"set": {"phone": "+49 30 1234567"}})
    assert patched.status_code == 200
    assert patched.json["lead"]["possible_duplicate_of"] == first["id"]
    cleared = rep.patch(f"{LEADS}/{second['id']}", json={"set": {"phone": None}})
    assert cleared.json["lead"]["possible_duplicate_of"] is None
    assert get_lead(rep, second["id"])["phone"] is None
