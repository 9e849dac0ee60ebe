"""Hand-off to sales: a buying signal on the desk becomes a lead that the rules give to the
right rep, with its clock running, the conversation carried along — by REST and offline."""

from __future__ import annotations

import uuid

from tests.questions.conftest import ask, slug_of
from tests.sync.syncing import Replica


def _berlin_rule(api_as, org) -> dict:
    """Questions from Berlin postcodes (10…) go to the team, turn by turn."""
    made = api_as(org.admin).post(
        "/api/v1/assignment-rules",
        json={"name": "Berlin", "match": {"region_prefix": "10"}, "team_id": str(org.team_id)},
    )
    assert made.status_code == 201, made.json
    return made.json


def _asked(client, api_as, org, **fields) -> dict:
    created = ask(client, slug_of(api_as, org), region="10115 Berlin", **fields)
    assert created.status_code == 201, created.json
    return created.json


def test_a_converted_question_becomes_the_reps_lead_with_the_conversation(
    client, api_as, org
):
    _berlin_rule(api_as, org)
    asked = _asked(client, api_as, org, message="I need three mixers by March.")
    cs = api_as(org.cs)
    assert cs.post(
        f"/api/v1/questions/{asked['id']}/replies", json={"body": "A colleague will call you."}
    ).status_code == 201
    handed = cs.post(
        f"/api/v1/questions/{asked['id']}/convert",
        json={"quantity": 3, "note": "Wants a delivery date."},
    )
    assert handed.status_code == 201, handed.json
    owner_id, lead_id = handed.json["owner_id"], handed.json["lead_id"]
    assert owner_id in (str(org.rep.id), str(org.rep2.id), str(org.lead.id))
    assert handed.json["team_id"] == str(org.team_id)
    assert handed.json["rule"] == "Berlin"

    # The owner's device receives it on its next pull, its first response due.
    owner = next(p for p in org.people if str(p.id) == owner_id)
    device = Replica(api_as(owner))
    device.pull_all()
    lead = device.of("lead")[lead_id]
    assert (lead["contact_name"], lead["email"], lead["region"]) == (
        "Dana Consumer",
        "dana@example.com",
        "10115 Berlin",
    )
    assert (lead["source"], lead["quantity"], lead["owner_id"]) == ("customer_service", 3, owner_id)
    assert lead["sla"]["metric"] == "first_response" and lead["sla"]["state"] == "ok"
    assert "I need three mixers by March." in lead["notes"]
    assert "A colleague will call you." in lead["notes"]
    assert "Wants a delivery date." in lead["notes"]

    # The desk sees where it went; the consumer's later message reaches the rep.
    question = cs.get(f"/api/v1/questions/{asked['id']}").json
    assert question["lead_id"] == lead_id
    assert question["lead_owner_name"] == api_as(owner).get("/api/v1/auth/me").json["user"]["name"]
    client.post(
        f"/api/v1/public/questions/{asked['token']}/messages", json={"message": "Any news?"}
    )
    conversation = api_as(owner).get(f"/api/v1/leads/{lead_id}/conversation")
    assert conversation.status_code == 200, conversation.json
    bodies = [m["body"] for m in conversation.json["messages"]]
    assert bodies[0] == "I need three mixers by March." and bodies[-1] == "Any news?"


def test_a_question_is_handed_on_once(client, api_as, org):
    _berlin_rule(api_as, org)
    asked = _asked(client, api_as, org)
    cs = api_as(org.cs)
    lead_id = str(uuid.uuid4())
    first = cs.post(f"/api/v1/questions/{asked['id']}/convert", json={"lead_id": lead_id})
    assert first.status_code == 201
    again = cs.post(f"/api/v1/questions/{asked['id']}/convert", json={"lead_id": lead_id})
    assert again.status_code == 201 and again.json == first.json  # a resend
    other = cs.post(f"/api/v1/questions/{asked['id']}/convert", json={})
    assert other.status_code == 201 and other.json == first.json  # no id: what was done
    twice = cs.post(f"/api/v1/questions/{asked['id']}/convert", json={"lead_id": str(uuid.uuid4())})
    assert twice.status_code == 409
    assert twice.json["error"]["code"] == "converted"
    admin_leads = api_as(org.admin).get("/api/v1/leads").json["items"]
    assert [lead["id"] for lead in admin_leads].count(lead_id) == 1


def test_with_no_rule_and_no_default_owner_nothing_is_made(client, api_as, org):
    asked = _asked(client, api_as, org)
    refused = api_as(org.cs).post(f"/api/v1/questions/{asked['id']}/convert", json={})
    assert refused.status_code == 422
    assert refused.json["error"]["code"] == "no_owner"
    assert api_as(org.cs).get(f"/api/v1/questions/{asked['id']}").json["lead_id"] is None
    assert api_as(org.admin).get("/api/v1/leads").json["items"] == []


def test_reps_do_not_convert_and_a_lead_of_another_kind_has_no_conversation(
    client, api_as, org
):
    _berlin_rule(api_as, org)
    asked = _asked(client, api_as, org)
    rep = api_as(org.rep)
    assert rep.post(f"/api/v1/questions/{asked['id']}/convert", json={}).status_code == 403
    own = rep.post("/api/v1/leads", json={"contact_name": "Walk-in"}).json
    assert rep.get(f"/api/v1/leads/{own['id']}/conversation").status_code == 404


def test_offline_conversion_makes_one_lead(client, api_as, org):
    _berlin_rule(api_as, org)
    asked = _asked(client, api_as, org)
    desk = Replica(api_as(org.cs))
    lead_id = str(uuid.uuid4())
    args = {"id": asked["id"], "lead_id": lead_id, "quantity": 2, "note": None}
    first = desk.push(("question.convert", args))
    again = desk.push(("question.convert", args))  # the answer was lost: sent again
    assert [r["status"] for r in first["results"] + again["results"]] == ["applied", "applied"]
    desk.pull_all()
    assert desk.of("question")[asked["id"]]["lead_id"] == lead_id
    assert desk.of("question")[asked["id"]]["lead_owner_name"]
    leads = api_as(org.admin).get("/api/v1/leads").json["items"]
    assert [lead["id"] for lead in leads] == [lead_id]


def test_an_organisation_may_send_every_question_straight_to_sales(client, api_as, org):
    admin = api_as(org.admin)
    settings = admin.patch(
        "/api/v1/assignment-rules/settings", json={"route_questions_to_sales": True}
    )
    assert settings.status_code == 200 and settings.json["route_questions_to_sales"] is True
    _berlin_rule(api_as, org)

    asked = _asked(client, api_as, org, message="Price for 10 units?")
    question = api_as(org.cs).get(f"/api/v1/questions/{asked['id']}").json
    assert question["lead_id"] is not None
    lead = admin.get(f"/api/v1/leads/{question['lead_id']}").json
    assert lead["team_id"] == str(org.team_id) and lead["source"] == "customer_service"
    assert lead["notes"].startswith("From a consumer's question on the website")
    assert "Price for 10 units?" in lead["notes"]
    assert lead["created_by"] == lead["owner_id"]  # nobody signed in: made in the owner's name
    assert asked["promise"]["state"] == "promised"  # the consumer is answered as usual

    # Outside every rule (and no default owner) it waits for the desk instead.
    elsewhere = ask(client, slug_of(api_as, org), region="Hamburg").json
    assert api_as(org.cs).get(f"/api/v1/questions/{elsewhere['id']}").json["lead_id"] is None
    assert len(admin.get("/api/v1/leads").json["items"]) == 1
