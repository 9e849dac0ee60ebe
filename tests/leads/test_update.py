"""PATCH /leads/<id>: field-by-field changes and conflicts against the caller's base_version."""

from __future__ import annotations

import pytest

from tests.leads.helpers import LEADS, PRODUCTS, error_of, get_lead, hours, iso, new_lead, now


def patch(api, lead_id, expect=200, **body):
    response = api.patch(f"{LEADS}/{lead_id}", json=body)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def test_a_plain_edit_applies_every_field_and_bumps_the_version(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, company="Old Co", priority="low")
    follow_up_at = now() + hours(48)
    result = patch(
        rep,
        lead["id"],
        set={
            "company": "New Co",
            "priority": "high",
            "quantity": 12.5,
            "estimated_value": "1999.99",
            "currency": "eur",
            "next_follow_up_at": iso(follow_up_at),
            "notes": "Wants a demo",
        },
    )
    assert result["conflicts"] == []
    updated = result["lead"]
    assert updated["version"] > lead["version"]
    assert updated["updated_at"] >= lead["updated_at"]
    stored = get_lead(rep, lead["id"])
    assert stored["company"] == "New Co"
    assert stored["priority"] == "high"
    assert stored["quantity"] == 12.5
    assert stored["estimated_value"] == 1999.99
    assert stored["currency"] == "EUR"
    assert stored["next_follow_up_at"] == iso(follow_up_at)[:23] + "Z"
    assert stored["notes"] == "Wants a demo"
    assert stored["version"] == updated["version"]


def test_a_field_changed_since_the_base_version_keeps_the_server_value(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, company="Start Co", region="North")
    base = lead["version"]
    # Another device changes the company first.
    patch(rep, lead["id"], base_version=base, set={"company": "Server Co"})
    # This device, still at `base`, edits company and region.
    result = patch(
        rep, lead["id"], base_version=base, set={"company": "Device Co", "region": "South"}
    )
    assert result["conflicts"] == [{"field": "company", "server_value": "Server Co"}]
    assert result["lead"]["company"] == "Server Co"
    assert result["lead"]["region"] == "South"
    stored = get_lead(rep, lead["id"])
    assert (stored["company"], stored["region"]) == ("Server Co", "South")


def test_a_device_up_to_date_has_no_conflict(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, company="Start Co")
    first = patch(rep, lead["id"], base_version=lead["version"], set={"company": "Second"})
    second = patch(rep, lead["id"], base_version=first["lead"]["version"], set={"company": "Third"})
    assert second["conflicts"] == [] and second["lead"]["company"] == "Third"


def test_sending_the_value_the_server_already_has_is_no_conflict(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, company="Start Co")
    base = lead["version"]
    patch(rep, lead["id"], base_version=base, set={"company": "Same Co", "estimated_value": 10})
    result = patch(
        rep, lead["id"], base_version=base, set={"company": "Same Co", "estimated_value": "10.00"}
    )
    assert result["conflicts"] == []


def test_server_side_changes_by_follow_ups_conflict_too(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    base = lead["version"]
    server_date = now() + hours(30)
    response = rep.post(
        f"{LEADS}/{lead['id']}/followups",
        json={"kind": "call", "happened_at": iso(now()), "next_follow_up_at": iso(server_date)},
    )
    assert response.status_code == 201
    result = patch(
        rep, lead["id"], base_version=base, set={"next_follow_up_at": iso(now() + hours(99))}
    )
    assert [c["field"] for c in result["conflicts"]] == ["next_follow_up_at"]
    assert result["conflicts"][0]["server_value"] == iso(server_date)[:23] + "Z"


@pytest.mark.parametrize(
    "field, value",
    [("stage", "won"), ("owner_id", "REP2"), ("team_id", "TEAM"), ("lost_reason", "other")],
)
def test_stage_owner_and_team_are_not_editable_here(api_as, org, field, value):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    value = {"REP2": str(org.rep2.id), "TEAM": str(org.team_id)}.get(value, value)
    response = rep.patch(f"{LEADS}/{lead['id']}", json={"set": {field: value, "company": "X"}})
    error = error_of(response, 422)
    assert field in str(error["fields"])
    stored = get_lead(rep, lead["id"])
    assert stored["company"] is None and stored["version"] == lead["version"]


def test_the_contact_name_cannot_be_emptied(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, contact_name="Ada")
    for value in ("", None, "   "):
        error_of(rep.patch(f"{LEADS}/{lead['id']}", json={"set": {"contact_name": value}}), 422)
    assert get_lead(rep, lead["id"])["contact_name"] == "Ada"


def test_an_edit_checks_source_and_product(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep, source="website")
    error_of(rep.patch(f"{LEADS}/{lead['id']}", json={"set": {"source": "nowhere"}}), 422)
    error_of(
        rep.patch(
            f"{LEADS}/{lead['id']}",
            json={"set": {"product_id": "00000000-0000-4000-8000-000000000000"}},
        ),
        422,
    )
    assert get_lead(rep, lead["id"])["source"] == "website"


def test_resending_a_product_that_was_retired_since_is_no_error(api_as, org):
    """A device sends back the lead it holds: an unchanged product is not a new choice."""
    admin = api_as(org.admin)
    product = admin.post(PRODUCTS, json={"name": "Pump"}).json
    rep = api_as(org.rep)
    lead = new_lead(rep, product_id=product["id"])
    admin.patch(f"{PRODUCTS}/{product['id']}", json={"active": False})
    result = patch(
        rep,
        lead["id"],
        base_version=lead["version"],
        set={"product_id": product["id"], "company": "Now with company"},
    )
    assert result["lead"]["company"] == "Now with company"
    assert result["lead"]["product_id"] == product["id"]


def test_an_empty_set_changes_nothing(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    result = patch(rep, lead["id"], set={})
    assert result["lead"]["version"] == lead["version"]


def test_set_is_required(api_as, org):
    rep = api_as(org.rep)
    lead = new_lead(rep)
    assert "set" in error_of(rep.patch(f"{LEADS}/{lead['id']}", json={}), 422)["fields"]


def test_someone_who_cannot_see_the_lead_cannot_edit_it(api_as, org, other_org):
    lead = new_lead(api_as(org.rep), company="Mine")
    for person in (org.rep2, org.cs, other_org.admin):
        error_of(
            api_as(person).patch(f"{LEADS}/{lead['id']}", json={"set": {"company": "Theirs"}}),
            404,
        )
    assert get_lead(api_as(org.rep), lead["id"])["company"] == "Mine"
    # The team lead and the admin may.
    patch(api_as(org.lead), lead["id"], set={"company": "Lead's"})
    patch(api_as(org.admin), lead["id"], set={"company": "Admin's"})
    assert get_lead(api_as(org.rep), lead["id"])["company"] == "Admin's"
