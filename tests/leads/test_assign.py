"""POST /leads/<id>/assign: who may reassign, to whom, and what moves along."""

from __future__ import annotations

import pytest

from app.accounts import service as accounts
from app.extensions import db
from app.tenancy import tenant
from tests.leads.helpers import LEADS, error_of, get_lead, iso, new_lead, now


def assign(api, lead_id, owner_id, expect=200):
    response = api.post(f"{LEADS}/{lead_id}/assign", json={"owner_id": str(owner_id)})
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def test_a_team_lead_reassigns_and_the_follow_ups_move_along(api_as, org):
    rep, rep2 = api_as(org.rep), api_as(org.rep2)
    lead = new_lead(rep)
    logged = rep.post(
        f"{LEADS}/{lead['id']}/followups", json={"kind": "call", "happened_at": iso(now())}
    )
    assert logged.status_code == 201
    moved = assign(api_as(org.lead), lead["id"], org.rep2.id)
    assert moved["owner_id"] == str(org.rep2.id)
    assert moved["team_id"] == str(org.team_id)
    assert moved["version"] > lead["version"]
    get_lead(rep, lead["id"], expect=404)
    error_of(rep.get(f"{LEADS}/{lead['id']}/followups"), 404)
    assert rep.get(LEADS).json["items"] == []
    detail = get_lead(rep2, lead["id"])
    assert [f["id"] for f in detail["follow_ups"]] == [logged.json["id"]]
    assert [item["id"] for item in rep2.get(LEADS).json["items"]] == [lead["id"]]


@pytest.mark.parametrize("who", ["rep", "cs"])
def test_reps_and_customer_service_cannot_reassign(api_as, org, who):
    lead = new_lead(api_as(org.rep))
    error_of(
        api_as(getattr(org, who)).post(
            f"{LEADS}/{lead['id']}/assign", json={"owner_id": str(org.rep2.id)}
        ),
        403,
    )
    assert get_lead(api_as(org.rep), lead["id"])["owner_id"] == str(org.rep.id)


def test_a_team_lead_assigns_only_within_their_teams(api_as, org, app):
    with app.app_context(), tenant(org.id):
        admin = org.user(org.admin)
        export = accounts.create_team(admin, "Export")
        outsider = accounts.create_user(
            admin,
            {
                "email": "export.rep@acme-assign.test",
                "name": "Export Rep",
                "role": "rep",
                "password": "correct horse battery",
                "team_ids": [export.id],
            },
        )
        outsider_id, export_id = outsider.id, export.id
        db.session.commit()
    lead = new_lead(api_as(org.rep))
    error_of(
        api_as(org.lead).post(f"{LEADS}/{lead['id']}/assign", json={"owner_id": str(outsider_id)}),
        403,
    )
    assert get_lead(api_as(org.rep), lead["id"])["owner_id"] == str(org.rep.id)
    # A lead of another team is not even visible to this team lead.
    foreign = new_lead(api_as(org.admin), owner_id=str(outsider_id))
    assert foreign["team_id"] == str(export_id)
    error_of(
        api_as(org.lead).post(
            f"{LEADS}/{foreign['id']}/assign", json={"owner_id": str(org.rep.id)}
        ),
        404,
    )
    # The admin may move it anywhere; it takes the new owner's team.
    moved = assign(api_as(org.admin), lead["id"], outsider_id)
    assert moved["team_id"] == str(export_id)


def test_customer_service_and_inactive_people_cannot_own_leads(api_as, org, app):
    lead = new_lead(api_as(org.rep))
    admin = api_as(org.admin)
    error = error_of(
        admin.post(f"{LEADS}/{lead['id']}/assign", json={"owner_id": str(org.cs.id)}), 422
    )
    assert "owner_id" in error["fields"]
    with app.app_context(), tenant(org.id):
        accounts.update_user(org.user(org.admin), org.rep2.id, {"active": False})
        db.session.commit()
    error = error_of(
        admin.post(f"{LEADS}/{lead['id']}/assign", json={"owner_id": str(org.rep2.id)}), 422
    )
    assert "owner_id" in error["fields"]
    assert get_lead(admin, lead["id"])["owner_id"] == str(org.rep.id)


def test_someone_of_another_organisation_is_no_owner(api_as, org, other_org):
    lead = new_lead(api_as(org.rep))
    error_of(
        api_as(org.admin).post(
            f"{LEADS}/{lead['id']}/assign", json={"owner_id": str(other_org.rep.id)}
        ),
        422,
    )
    error_of(
        api_as(other_org.admin).post(
            f"{LEADS}/{lead['id']}/assign", json={"owner_id": str(other_org.rep.id)}
        ),
        404,
    )
    assert get_lead(api_as(org.rep), lead["id"])["owner_id"] == str(org.rep.id)


def test_assigning_to_the_current_owner_changes_nothing(api_as, org):
    lead = new_lead(api_as(org.rep))
    same = assign(api_as(org.admin), lead["id"], org.rep.id)
    assert same["version"] == lead["version"]
