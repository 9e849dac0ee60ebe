"""The rules list through the API: who edits it, what a rule holds, the order."""

from __future__ import annotations

import uuid

import pytest

from tests.assignment.conftest import RULES, add_rule, rule_names, set_person, set_settings
from tests.leads.helpers import error_of


def test_an_admin_builds_an_ordered_list_and_moves_rules(admin_api, org):
    bavaria = add_rule(
        admin_api,
        name="Bavaria",
        match={"region": "Bavaria", "region_prefix": "80 3", "priority": "urgent"},
        owner_id=str(org.rep.id),
    )
    assert bavaria["position"] == 1
    assert bavaria["match"] == {"region": "Bavaria", "region_prefix": "803", "priority": "urgent"}
    assert (bavaria["owner_id"], bavaria["team_id"]) == (str(org.rep.id), None)
    rest = add_rule(admin_api, name="Everyone else", team_id=str(org.team_id))
    assert rest["position"] == 2 and rest["match"] == {}
    # Inserted at the top: the others move down by one.
    first = add_rule(
        admin_api, name="Trade fairs", position=1, match={"source": "trade_show"},
        owner_id=str(org.rep2.id),
    )  # fmt: skip
    assert first["position"] == 1
    assert rule_names(admin_api) == ["Trade fairs", "Bavaria", "Everyone else"]
    # Moved to the end (a position past the end means last), then one up.
    moved = admin_api.patch(f"{RULES}/{first['id']}", json={"position": 99})
    assert moved.status_code == 200 and moved.json["position"] == 3
    assert rule_names(admin_api) == ["Bavaria", "Everyone else", "Trade fairs"]
    admin_api.patch(f"{RULES}/{first['id']}", json={"position": 2})
    assert rule_names(admin_api) == ["Bavaria", "Trade fairs", "Everyone else"]
    # Deleting closes the gap.
    assert admin_api.delete(f"{RULES}/{bavaria['id']}").status_code == 204
    listed = admin_api.get(RULES).json
    assert [(r["name"], r["position"]) for r in listed] == [
        ("Trade fairs", 1), ("Everyone else", 2)
    ]  # fmt: skip


def test_a_patch_replaces_the_match_and_switches_between_person_and_team(admin_api, org):
    rule = add_rule(
        admin_api, name="Web", match={"source": "website", "region": "Berlin"},
        owner_id=str(org.rep.id),
    )  # fmt: skip
    changed = admin_api.patch(
        f"{RULES}/{rule['id']}", json={"match": {"priority": "high"}, "team_id": str(org.team_id)}
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["match"] == {"priority": "high"}
    assert (changed.json["owner_id"], changed.json["team_id"]) == (None, str(org.team_id))
    renamed = admin_api.patch(f"{RULES}/{rule['id']}", json={"name": "Hot web leads"})
    assert renamed.json["name"] == "Hot web leads" and renamed.json["match"] == {"priority": "high"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Both", "owner_id": "REP", "team_id": "TEAM"}, "owner_id"),
        ({"name": "Neither"}, "owner_id"),
        ({"name": "Customer service", "owner_id": "CS"}, "owner_id"),
        ({"name": "Ghost team", "team_id": str(uuid.uuid4())}, "team_id"),
        ({"name": "Bad source", "team_id": "TEAM", "match": {"source": "telepathy"}}, "match"),
        ({"name": "Bad prefix", "team_id": "TEAM", "match": {"region_prefix": "80%"}}, "match"),
        ({"name": "Bad priority", "team_id": "TEAM", "match": {"priority": "asap"}}, "match"),
        ({"name": "Ghost product", "team_id": "TEAM", "match": {"product_id": str(uuid.uuid4())}},
         "match"),
        ({"name": "Odd key", "team_id": "TEAM", "match": {"city": "Bonn"}}, "match"),
        ({"name": "", "team_id": "TEAM"}, "name"),
        ({"name": "Zero", "team_id": "TEAM", "position": 0}, "position"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_field(admin_api, org, body, field):
    ids = {"REP": str(org.rep.id), "TEAM": str(org.team_id), "CS": str(org.cs.id)}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    error = error_of(admin_api.post(RULES, json=body), 422)
    assert field in error["fields"], error
    assert rule_names(admin_api) == []


@pytest.mark.parametrize("who", ["lead", "rep", "cs"])
def test_only_admins_see_or_edit_the_rules(api_as, admin_api, org, who):
    rule = add_rule(admin_api, name="All", team_id=str(org.team_id))
    api = api_as(getattr(org, who))
    error_of(api.get(RULES), 403)
    error_of(api.post(RULES, json={"name": "Mine", "owner_id": str(org.rep.id)}), 403)
    error_of(api.patch(f"{RULES}/{rule['id']}", json={"name": "Mine"}), 403)
    error_of(api.delete(f"{RULES}/{rule['id']}"), 403)
    error_of(api.get(f"{RULES}/settings"), 403)
    error_of(api.patch(f"{RULES}/people/{org.rep.id}", json={"on_leave": True}), 403)
    assert rule_names(admin_api) == ["All"]


def test_another_organisations_rules_and_people_do_not_exist(api_as, admin_api, org, other_org):
    rule = add_rule(admin_api, name="All", team_id=str(org.team_id))
    foreign = api_as(other_org.admin)
    assert foreign.get(RULES).json == []
    error_of(foreign.patch(f"{RULES}/{rule['id']}", json={"name": "Stolen"}), 404)
    error_of(foreign.delete(f"{RULES}/{rule['id']}"), 404)
    error_of(foreign.post(RULES, json={"name": "X", "team_id": str(org.team_id)}), 422)
    error_of(foreign.post(RULES, json={"name": "X", "owner_id": str(org.rep.id)}), 422)
    set_person(foreign, org.rep.id, expect=404, on_leave=True)
    error = error_of(
        foreign.patch(f"{RULES}/settings", json={"default_owner_id": str(org.rep.id)}), 422
    )
    assert "default_owner_id" in error["fields"]
    assert rule_names(admin_api) == ["All"]


def test_settings_and_people_as_the_rules_see_them(admin_api, org):
    assert admin_api.get(f"{RULES}/settings").json == {
        "default_owner_id": None,
        "route_out_of_territory": False,
        "route_questions_to_sales": False,
    }
    settings = set_settings(
        admin_api, default_owner_id=str(org.lead.id), route_out_of_territory=True
    )
    assert settings == {
        "default_owner_id": str(org.lead.id),
        "route_out_of_territory": True,
        "route_questions_to_sales": False,
    }
    error = error_of(
        admin_api.patch(f"{RULES}/settings", json={"default_owner_id": str(org.cs.id)}), 422
    )
    assert "default_owner_id" in error["fields"]
    rep = set_person(
        admin_api, org.rep.id, on_leave=True, max_open_leads=30, regions=[" Bavaria ", "80*", "80*"]
    )
    assert rep["on_leave"] is True and rep["max_open_leads"] == 30
    assert rep["regions"] == ["Bavaria", "80*"] and rep["open_leads"] == 0
    people = {p["user_id"]: p for p in admin_api.get(f"{RULES}/people").json}
    # The sales people only: customer service is given no leads.
    assert set(people) == {str(org.admin.id), str(org.lead.id), str(org.rep.id), str(org.rep2.id)}
    assert people[str(org.rep2.id)]["on_leave"] is False
    assert people[str(org.rep.id)]["regions"] == ["Bavaria", "80*"]
    set_person(admin_api, org.cs.id, expect=404, on_leave=True)
    error_of(admin_api.patch(f"{RULES}/people/{org.rep.id}", json={"max_open_leads": -1}), 422)
