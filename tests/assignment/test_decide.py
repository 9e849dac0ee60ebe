"""The decision: which rule matches, and who of a team gets the next lead."""

from __future__ import annotations

import uuid
from collections import Counter

from app.assignment.service import NOBODY, Decision
from tests.assignment.conftest import (
    add_rule,
    convert,
    decide,
    new_person,
    new_team,
    set_person,
    set_settings,
)
from tests.leads.helpers import new_lead


def _uuid(record: dict) -> uuid.UUID:
    return uuid.UUID(record["id"])


def test_the_first_matching_rule_decides_and_an_empty_match_catches_the_rest(
    app, admin_api, org
):
    pump = admin_api.post("/api/v1/products", json={"name": "Pump X"}).json
    munich = add_rule(
        admin_api, name="Munich", match={"region_prefix": "80"}, owner_id=str(org.rep.id)
    )
    bavaria = add_rule(
        admin_api, name="Bavaria", match={"region": "Bavaria"}, owner_id=str(org.rep2.id)
    )
    urgent = add_rule(
        admin_api, name="Urgent web", match={"source": "website", "priority": "urgent"},
        owner_id=str(org.lead.id),
    )  # fmt: skip
    pumps = add_rule(
        admin_api, name="Pumps", match={"product_id": pump["id"]}, owner_id=str(org.rep2.id)
    )
    rest = add_rule(admin_api, name="The rest", owner_id=str(org.admin.id))

    def rule_of(**lead) -> str:
        return decide(app, org, **lead).rule_name

    # A postcode prefix, compared without spaces or hyphens and in upper case.
    assert decide(app, org, region="80331 München") == Decision(
        org.rep.id, org.team_id, _uuid(munich), "Munich"
    )
    assert rule_of(region="80-331") == "Munich"
    assert rule_of(region="D-80331") == "The rest"  # "D80331" does not start with "80"
    # A region exactly, case and spacing aside — not a region that merely starts with it.
    assert decide(app, org, region="  BAVARIA ").rule_id == _uuid(bavaria)
    assert rule_of(region="Bavaria North") == "The rest"
    # Every condition of a rule must hold.
    assert decide(app, org, region="Hamburg", priority="urgent").rule_id == _uuid(urgent)
    assert rule_of(region="Hamburg", priority="urgent", source="phone") == "The rest"
    assert rule_of(product_id=_uuid(pump)) == "Pumps"
    assert decide(app, org, product_id=_uuid(pump)).rule_id == _uuid(pumps)
    # A lead without a region matches no region rule; the catch-all takes it. The admin is
    # in no team: the lead is filed under none.
    assert decide(app, org) == Decision(org.admin.id, None, _uuid(rest), "The rest")


def test_without_a_matching_rule_the_default_owner_takes_it_else_nobody(app, admin_api, org):
    add_rule(admin_api, name="Bavaria", match={"region": "Bavaria"}, owner_id=str(org.rep.id))
    assert decide(app, org, region="Hamburg") == NOBODY
    set_settings(admin_api, default_owner_id=str(org.rep2.id))
    # The default owner takes it even on leave: an admin chose them for exactly this.
    set_person(admin_api, org.rep2.id, on_leave=True)
    assert decide(app, org, region="Hamburg") == Decision(org.rep2.id, org.team_id, None, None)


def _team_of_three(app, admin_api, org):
    """A team "Field" of reps Anna, Ben and Cleo and its team lead; a rule sends every lead
    to it."""
    field = new_team(app, org, "Field")
    anna, ben, cleo = (new_person(app, org, name, [field]) for name in ("anna", "ben", "cleo"))
    new_person(app, org, "boss", [field], role="lead")  # a team lead is given no turn
    rule = add_rule(admin_api, name="Field", team_id=str(field))
    return field, anna, ben, cleo, rule


def test_round_robin_gives_the_next_lead_to_the_least_loaded_rep(app, admin_api, org):
    field, anna, ben, cleo, rule = _team_of_three(app, admin_api, org)
    # Open loads before: Anna 2, Ben 0, Cleo 1. Won and lost leads are no load.
    for owner, stage in ((anna, None), (anna, None), (cleo, None), (ben, "won"), (ben, "lost")):
        lead = new_lead(admin_api, owner_id=str(owner))
        if stage:
            body = {"stage": stage, "won_value": 100, "lost_reason": "no_response"}
            moved = admin_api.post(f"/api/v1/leads/{lead['id']}/stage", json=body)
            assert moved.status_code == 200, moved.json
    _, first = convert(app, org, org.cs)
    assert first == Decision(ben, field, _uuid(rule), "Field")
    # Five more even them out at three open leads each: Ben two more, Cleo two, Anna one.
    given = Counter(convert(app, org, org.cs)[1].owner_id for _ in range(5))
    assert given == Counter({ben: 2, cleo: 2, anna: 1})
    # Level at three each: the next three go round, one each.
    assert {convert(app, org, org.cs)[1].owner_id for _ in range(3)} == {anna, ben, cleo}


def test_reps_on_leave_or_at_their_cap_are_skipped_and_an_empty_rule_passes_on(
    app, admin_api, org
):
    field, anna, ben, cleo, rule = _team_of_three(app, admin_api, org)
    fallback = add_rule(admin_api, name="Fallback", owner_id=str(org.rep.id))
    set_person(admin_api, anna, on_leave=True)
    set_person(admin_api, cleo, on_leave=True)
    set_person(admin_api, ben, max_open_leads=2)
    to_ben = [convert(app, org, org.cs) for _ in range(2)]
    assert [decision.owner_id for _, decision in to_ben] == [ben, ben]
    # Ben is at his cap and the others are away: the team's rule finds nobody, the next
    # matching rule decides.
    assert convert(app, org, org.cs)[1] == Decision(
        org.rep.id, org.team_id, _uuid(fallback), "Fallback"
    )
    # A rule naming a person on leave passes on too; with no rule left, the default owner.
    set_person(admin_api, org.rep.id, on_leave=True)
    set_settings(admin_api, default_owner_id=str(org.rep2.id))
    assert convert(app, org, org.cs)[1] == Decision(org.rep2.id, org.team_id, None, None)
    # Anna is back with no open lead: she is given the next two (Ben is still at his cap).
    set_person(admin_api, anna, on_leave=False)
    assert [convert(app, org, org.cs)[1].owner_id for _ in range(2)] == [anna, anna]
    # One of Ben's leads is won: he has room again, and one open lead to Anna's two.
    won = admin_api.post(
        f"/api/v1/leads/{to_ben[0][0]}/stage", json={"stage": "won", "won_value": 500}
    )
    assert won.status_code == 200, won.json
    assert convert(app, org, org.cs)[1].owner_id == ben
    people = {p["user_id"]: p for p in admin_api.get("/api/v1/assignment-rules/people").json}
    assert (people[str(anna)]["open_leads"], people[str(ben)]["open_leads"]) == (2, 2)
    assert people[str(cleo)]["open_leads"] == 0
