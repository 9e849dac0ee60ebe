"""Who sees which leads: own for reps, the team's for team leads, all for admins, none for CS."""

from __future__ import annotations

from app.accounts import service as accounts
from app.extensions import db
from app.tenancy import tenant
from tests.leads.helpers import LEADS, error_of, get_lead, list_ids, new_lead


def test_each_role_sees_its_own_set(api_as, org, app):
    with app.app_context(), tenant(org.id):
        admin = org.user(org.admin)
        export = accounts.create_team(admin, "Export")
        loner = accounts.create_user(
            admin,
            {
                "email": "loner@acme-visibility.test",
                "name": "Loner",
                "role": "rep",
                "password": "correct horse battery",
                "team_ids": [export.id],
            },
        )
        loner_id = loner.id
        db.session.commit()
    mine = new_lead(api_as(org.rep), contact_name="Rep's")
    theirs = new_lead(api_as(org.rep2), contact_name="Rep2's")
    leads_own = new_lead(api_as(org.lead), contact_name="Lead's")
    export_lead = new_lead(api_as(org.admin), contact_name="Export's", owner_id=str(loner_id))

    assert set(list_ids(api_as(org.rep))) == {mine["id"]}
    assert set(list_ids(api_as(org.rep2))) == {theirs["id"]}
    assert set(list_ids(api_as(org.lead))) == {mine["id"], theirs["id"], leads_own["id"]}
    everything = {mine["id"], theirs["id"], leads_own["id"], export_lead["id"]}
    assert set(list_ids(api_as(org.admin))) == everything
    assert list_ids(api_as(org.cs)) == []

    get_lead(api_as(org.rep), mine["id"])
    get_lead(api_as(org.rep), theirs["id"], expect=404)
    get_lead(api_as(org.lead), theirs["id"])
    get_lead(api_as(org.lead), export_lead["id"], expect=404)
    get_lead(api_as(org.admin), export_lead["id"])
    for lead in (mine, export_lead):
        get_lead(api_as(org.cs), lead["id"], expect=404)


def test_a_rep_filtering_for_someone_else_still_sees_only_their_own(api_as, org):
    new_lead(api_as(org.rep2))
    assert list_ids(api_as(org.rep), owner_id=str(org.rep2.id)) == []
    assert list_ids(api_as(org.rep), team_id=str(org.team_id)) == []


def test_another_organisations_lead_is_404_everywhere(api_as, org, other_org):
    lead = new_lead(api_as(org.rep), company="Secret Co")
    for person in (other_org.admin, other_org.lead, other_org.rep):
        api = api_as(person)
        assert list_ids(api) == []
        assert list_ids(api, q="Secret") == []
        lead_url = f"{LEADS}/{lead['id']}"
        for response in (
            api.get(lead_url),
            api.patch(lead_url, json={"set": {"company": "Stolen"}}),
            api.post(f"{lead_url}/stage", json={"stage": "contacted"}),
            api.get(f"{lead_url}/followups"),
            api.post(
                f"{lead_url}/followups", json={"kind": "note", "happened_at": lead["created_at"]}
            ),
        ):
            error_of(response, 404, "not_found")
        # Reassigning is refused before the lead is looked up for those who may never do it.
        assign = api.post(f"{lead_url}/assign", json={"owner_id": str(person.id)})
        error_of(assign, 403 if person.role == "rep" else 404)
    stored = get_lead(api_as(org.rep), lead["id"])
    assert stored["company"] == "Secret Co" and stored["stage"] == "new"
    assert stored["version"] == lead["version"] and stored["follow_ups"] == []


def test_an_unknown_lead_is_404(api_as, org):
    error_of(api_as(org.admin).get(f"{LEADS}/00000000-0000-4000-8000-000000000000"), 404)
    error_of(api_as(org.admin).get(f"{LEADS}/not-a-uuid"), 404)
