"""The desk offline: questions, their conversations and canned answers reach customer
service's devices by pull (and nobody else's), and claims, replies and resolutions made
offline arrive by push exactly once."""

from __future__ import annotations

import uuid

from tests.questions.conftest import ask, slug_of
from tests.sync.syncing import Replica


def _asked(client, api_as, org, **fields) -> dict:
    created = ask(client, slug_of(api_as, org), **fields)
    assert created.status_code == 201, created.json
    return created.json


def test_the_desk_pulls_questions_conversations_and_canned_answers_and_reps_do_not(
    client, api_as, org
):
    asked = _asked(client, api_as, org, name="Dana <b>Consumer</b>", message="Does it fold?")
    lead = api_as(org.lead)
    canned = lead.post(
        "/api/v1/canned-answers", json={"title": "Folding", "body": "Yes, {{consumer.name}}."}
    )
    assert canned.status_code == 201, canned.json
    cs = api_as(org.cs)
    cs.post(f"/api/v1/questions/{asked['id']}/replies", json={"body": "Note", "internal": True})

    desk = Replica(cs)
    desk.pull_all()
    question = desk.of("question")[asked["id"]]
    assert question["name"] == "Dana <b>Consumer</b>"  # as typed; the screens escape it
    assert question["status"] == "new"
    assert question["sla"]["metric"] == "first_reply" and question["sla"]["state"] == "ok"
    assert "token_hash" not in question and "token_sealed" not in question
    messages = sorted(desk.of("reply").values(), key=lambda m: m["position"])
    assert [(m["author"], m["body"], m["internal"]) for m in messages] == [
        ("consumer", "Does it fold?", False),
        ("staff", "Note", True),  # staff's own notes travel to staff devices
    ]
    assert {m["question_id"] for m in messages} == {asked["id"]}
    assert [a["title"] for a in desk.of("canned_answer").values()] == ["Folding"]

    # Team leads watch the desk; reps hold none of it.
    watcher = Replica(lead)
    watcher.pull_all()
    assert set(watcher.of("question")) == {asked["id"]}
    rep = Replica(api_as(org.rep))
    rep.pull_all()
    assert rep.of("question") == rep.of("reply") == rep.of("canned_answer") == {}


def test_an_offline_reply_is_sent_once_and_meets_the_clock(client, api_as, org):
    asked = _asked(client, api_as, org)
    desk = Replica(api_as(org.cs))
    desk.pull_all()
    reply_id = str(uuid.uuid4())
    args = {"id": reply_id, "question_id": asked["id"], "body": "It folds flat.", "internal": False}
    first = desk.push(("question.reply", args))
    assert [r["status"] for r in first["results"]] == ["applied"]
    # The same message sent again by a device that lost the answer (a new mutation id, the
    # same message id): still one message.
    again = desk.push(("question.reply", args))
    assert [r["status"] for r in again["results"]] == ["applied"]
    desk.pull_all()
    assert [m["body"] for m in desk.of("reply").values()].count("It folds flat.") == 1
    question = desk.of("question")[asked["id"]]
    assert question["status"] == "open"
    assert question["sla"]["state"] == "met"
    assert question["claim"]["user_id"] == str(org.cs.id)
    # The consumer reads it.
    conversation = client.get(f"/api/v1/public/questions/{asked['token']}").json
    assert [m["body"] for m in conversation["messages"]] == ["Does it fold?", "It folds flat."]


def test_a_claim_lost_offline_is_reported_on_the_device(client, api_as, org):
    asked = _asked(client, api_as, org)
    # The admin (who also works the desk) claims it first, online.
    assert api_as(org.admin).post(f"/api/v1/questions/{asked['id']}/claim").status_code == 200
    desk = Replica(api_as(org.cs))
    answer = desk.push(("question.claim", {"id": asked["id"]}))
    (result,) = answer["results"]
    assert result["status"] == "rejected"
    assert result["error"]["code"] == "claimed"
    assert "is answering this question" in result["error"]["message"]
    # Resolving a question someone else holds is refused the same way; once it lapses or is
    # released by a resolve, the desk resolves it.
    refused = desk.push(("question.resolve", {"id": asked["id"]}))
    assert refused["results"][0]["status"] == "rejected"
    assert api_as(org.admin).post(f"/api/v1/questions/{asked['id']}/resolve").status_code == 200
    desk.pull_all()
    assert desk.of("question")[asked["id"]]["status"] == "resolved"
    assert desk.of("question")[asked["id"]]["claim"] is None
