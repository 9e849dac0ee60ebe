"""A rep's capture outside their territory, when the organisation routes those by the rules
(``route_out_of_territory``); otherwise, and inside it, the rep keeps what they capture."""

from __future__ import annotations

import pytest

from tests.assignment.conftest import (
    RULES,
    add_rule,
    new_person,
    new_team,
    set_person,
    set_settings,
)
from tests.leads.helpers import LEADS, get_lead, new_lead
from tests.sync.syncing import Replica
from tests.sync.syncing import new_lead as lead_args


@pytest.fixture
def bavarian_rep(admin_api, org):
    """The rep's territory is Bavaria and the 80… postcodes; the rules send Hamburg to rep2
    and the rest to the admin; captures outside a territory are routed."""
    set_person(admin_api, org.rep.id, regions=["Bavaria", "80*"])
    hamburg = add_rule(
        admin_api, name="Hamburg", match={"region_prefix": "20"}, owner_id=str(org.rep2.id)
    )
    add_rule(admin_api, name="The rest", owner_id=str(org.admin.id))
    set_settings(admin_api, route_out_of_territory=True)
    return hamburg


def test_a_capture_outside_the_territory_goes_where_the_rules_say(
    api_as, admin_api, org, bavarian_rep
):
    rep = api_as(org.rep)
    lead = new_lead(rep, region="20095 Hamburg")
    assert (lead["owner_id"], lead["assigned_by_rule"]) == (str(org.rep2.id), bavarian_rep["id"])
    assert lead["created_by"] == str(org.rep.id)
    # It is rep2's now: the rep who captured it no longer sees it.
    get_lead(rep, lead["id"], expect=404)
    assert get_lead(api_as(org.rep2), lead["id"])["owner_id"] == str(org.rep2.id)


@pytest.mark.parametrize("region", ["80331 München", "bavaria", " BAVARIA ", None, ""])
def test_a_capture_inside_the_territory_or_without_a_region_stays(
    api_as, org, bavarian_rep, region
):
    rep = api_as(org.rep)
    lead = new_lead(rep, **({"region": region} if region is not None else {}))
    assert (lead["owner_id"], lead["assigned_by_rule"]) == (str(org.rep.id), None)


def test_nothing_is_routed_unless_the_organisation_asks_or_the_rep_has_a_territory(
    api_as, admin_api, org, bavarian_rep
):
    rep, rep2 = api_as(org.rep), api_as(org.rep2)
    # rep2 has no territory: everything rep2 captures is rep2's.
    assert new_lead(rep2, region="Vienna")["owner_id"] == str(org.rep2.id)
    # A rep naming an owner (themselves) is not routed either.
    named = new_lead(rep, region="Vienna", owner_id=str(org.rep.id))
    assert named["owner_id"] == str(org.rep.id)
    set_settings(admin_api, route_out_of_territory=False)
    kept = new_lead(rep, region="20095 Hamburg")
    assert (kept["owner_id"], kept["assigned_by_rule"]) == (str(org.rep.id), None)


def test_when_the_rules_choose_nobody_the_rep_keeps_it(api_as, admin_api, org):
    set_person(admin_api, org.rep.id, regions=["Bavaria"])
    set_settings(admin_api, route_out_of_territory=True)
    add_rule(admin_api, name="Hamburg", match={"region": "Hamburg"}, owner_id=str(org.rep2.id))
    lead = new_lead(api_as(org.rep), region="Vienna")
    assert (lead["owner_id"], lead["assigned_by_rule"]) == (str(org.rep.id), None)


def test_a_capture_pushed_from_a_phone_leaves_the_phone_on_the_next_pull(
    api_as, admin_api, org, bavarian_rep
):
    phone = Replica(api_as(org.rep))
    phone.pull_all()
    inside, outside = lead_args(region="Bavaria"), lead_args(region="20095 Hamburg")
    for args in (inside, outside):  # the phone holds what it captured offline
        phone.records[("lead", args["id"])] = args
    answer = phone.push(("lead.create", inside), ("lead.create", outside))
    assert [r["status"] for r in answer["results"]] == ["applied", "applied"]
    phone.pull_all()
    assert set(phone.of("lead")) == {inside["id"]}
    moved = get_lead(api_as(org.rep2), outside["id"])
    assert moved["assigned_by_rule"] == bavarian_rep["id"]
    assert admin_api.get(f"{LEADS}/{outside['id']}").json["created_by"] == str(org.rep.id)


def test_nobody_sets_the_rule_or_the_routing_from_outside(api_as, org, bavarian_rep):
    rep = api_as(org.rep)
    for smuggled in ({"assigned_by_rule": bavarian_rep["id"]}, {"routed": str(org.rep2.id)}):
        refused = rep.post(LEADS, json={"contact_name": "Ada Buyer", **smuggled})
        assert refused.status_code == 422, refused.json
        assert set(refused.json["error"]["fields"]) == set(smuggled)
    lead = new_lead(rep)
    edit = rep.patch(f"{LEADS}/{lead['id']}", json={"set": {"assigned_by_rule": None}})
    assert edit.status_code == 422
    assert "assigned_by_rule" in edit.json["error"]["fields"]["set"]


def test_captures_pushed_together_count_each_other(app, api_as, admin_api, org):
    """Four captures outside the territory in one push, for a team whose reps carry 2 and 0
    open leads: each decision counts the ones before it, so they end level at 3 and 3."""
    field = new_team(app, org, "Field")
    anna, ben = new_person(app, org, "anna", [field]), new_person(app, org, "ben", [field])
    for _ in range(2):
        new_lead(admin_api, owner_id=str(anna))
    add_rule(admin_api, name="Field", team_id=str(field))
    set_person(admin_api, org.rep.id, regions=["Bavaria"])
    set_settings(admin_api, route_out_of_territory=True)
    phone = Replica(api_as(org.rep))
    answer = phone.push(*(("lead.create", lead_args(region="Vienna")) for _ in range(4)))
    assert [r["status"] for r in answer["results"]] == ["applied"] * 4
    people = {p["user_id"]: p["open_leads"] for p in admin_api.get(f"{RULES}/people").json}
    assert (people[str(anna)], people[str(ben)]) == (3, 3)
