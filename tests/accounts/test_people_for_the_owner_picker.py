"""Whom a person's devices know (the ``user`` entity, ``permissions.visible_people``): enough
for quick capture's owner picker, which offers the people ``may_give_lead_to`` allows."""

from __future__ import annotations

from tests.sync.syncing import Replica
from tests.sync.syncing import new_lead as lead_args

USERS = "/api/v1/users"
LEADS = "/api/v1/leads"


def _ids(people) -> set[str]:
    return {p["id"] for p in people}


def test_customer_service_receives_every_sales_person_by_sync_and_rest(api_as, org):
    # the fixture's cs person is in no team: before, they saw only themselves
    cs = api_as(org.cs)
    device = Replica(cs)
    device.pull_all()
    synced = device.of("user")
    sales = {str(p.id) for p in (org.admin, org.lead, org.rep, org.rep2)}
    assert sales <= set(synced)
    assert _ids(cs.get(USERS).json) == set(synced)
    # a deactivation reaches the device as an update (the picker drops inactive people)
    api_as(org.admin).patch(f"{USERS}/{org.rep2.id}", json={"active": False})
    device.pull_all()
    assert device.of("user")[str(org.rep2.id)]["active"] is False


def test_customer_service_hands_a_lead_to_a_rep_it_received(api_as, org):
    cs = api_as(org.cs)
    device = Replica(cs)
    device.pull_all()
    rep = device.of("user")[str(org.rep.id)]
    result = device.push(("lead.create", lead_args(owner_id=rep["id"], source="phone")))
    assert result["results"][0]["status"] == "applied", result
    mine = api_as(org.rep).get(LEADS).json["items"]
    assert [(lead["owner_id"], lead["created_by"]) for lead in mine] == [
        (str(org.rep.id), str(org.cs.id))
    ]
    # and still no leads for customer service itself
    assert cs.get(LEADS).json["items"] == []


def test_reps_and_team_leads_still_see_only_their_teams(api_as, org, app):
    from app.accounts import service as accounts
    from app.extensions import db
    from app.tenancy import tenant

    with app.app_context(), tenant(org.id):
        admin = org.user(org.admin)
        stranger = accounts.create_user(
            admin,
            {
                "email": f"stranger-{org.id.hex[:6]}@x.test",
                "name": "Stranger",
                "role": "rep",
                "password": "correct horse battery",
                "team_ids": [],
            },
        )
        stranger_id = str(stranger.id)
        db.session.commit()
    for person in (org.rep, org.lead):
        seen = _ids(api_as(person).get(USERS).json)
        assert stranger_id not in seen and str(org.rep.id) in seen
    assert stranger_id in _ids(api_as(org.cs).get(USERS).json)
