"""The staff side: the queue, claims, replies, notes and resolving."""

from __future__ import annotations

import uuid

import pytest

from app.accounts import service as accounts
from app.extensions import db
from app.tenancy import tenant
from tests.conftest import PASSWORD, Person
from tests.questions.conftest import ask, slug_of, token_of


def _question(client, api_as, org, **overrides) -> tuple[str, str]:
    """A new question: (its id, the consumer's token)."""
    created = ask(client, slug_of(api_as, org), **overrides)
    return created.json["id"], token_of(created)


def _second_cs(app, org) -> Person:
    with app.app_context(), tenant(org.id):
        user = accounts.create_user(
            org.user(org.admin),
            {"email": f"cs2-{uuid.uuid4().hex[:6]}@x.test", "name": "Casey Second",
             "role": "cs", "password": PASSWORD},
        )  # fmt: skip
        person = Person(id=user.id, org_id=org.id, email=user.email, role="cs")
        db.session.commit()
        db.session.remove()
    return person


def test_who_may_read_and_work_the_queue(client, api_as, org):
    question_id, _ = _question(client, api_as, org)
    for person in (org.cs, org.admin, org.lead):
        api = api_as(person)
        assert api.get("/api/v1/questions").status_code == 200, person.role
        assert api.get(f"/api/v1/questions/{question_id}").status_code == 200, person.role
    rep = api_as(org.rep)
    assert rep.get("/api/v1/questions").status_code == 403
    assert rep.get(f"/api/v1/questions/{question_id}").status_code == 403
    for person in (org.lead, org.rep):  # team leads read only
        api = api_as(person)
        for url, body in (
            (f"/api/v1/questions/{question_id}/claim", None),
            (f"/api/v1/questions/{question_id}/replies", {"body": "Hi"}),
            (f"/api/v1/questions/{question_id}/resolve", None),
        ):
            assert api.post(url, json=body).status_code == 403, (person.role, url)
    detail = api_as(org.cs).get(f"/api/v1/questions/{question_id}").json
    assert detail["status"] == "new" and detail["claim"] is None
    assert [m["author"] for m in detail["messages"]] == ["consumer"]


def test_another_organisations_questions_are_404(client, api_as, org, other_org):
    question_id, _ = _question(client, api_as, org)
    theirs = api_as(other_org.cs)
    assert theirs.get("/api/v1/questions").json == []
    assert theirs.get(f"/api/v1/questions/{question_id}").status_code == 404
    for action in ("claim", "resolve"):
        assert theirs.post(f"/api/v1/questions/{question_id}/{action}").status_code == 404
    reply = theirs.post(f"/api/v1/questions/{question_id}/replies", json={"body": "x"})
    assert reply.status_code == 404


def test_a_reply_reaches_the_consumer_and_a_note_never_does(app, client, api_as, org):
    question_id, token = _question(client, api_as, org)
    cs = api_as(org.cs)
    note = cs.post(
        f"/api/v1/questions/{question_id}/replies",
        json={"body": "Price list is in the drive", "internal": True},
    )
    assert note.status_code == 201 and note.json["internal"] is True
    # A note answers nobody: the question is still new and unclaimed.
    assert cs.get(f"/api/v1/questions/{question_id}").json["status"] == "new"
    answer = cs.post(f"/api/v1/questions/{question_id}/replies", json={"body": "Yes, it folds."})
    assert answer.status_code == 201
    assert answer.json["author"] == "staff" and answer.json["name"] == "Acme cs"
    detail = cs.get(f"/api/v1/questions/{question_id}").json
    assert detail["status"] == "open" and detail["first_replied_at"]
    assert detail["claim"]["user_id"] == str(org.cs.id)  # answering took it
    assert [(m["author"], m["internal"]) for m in detail["messages"]] == [
        ("consumer", False),
        ("staff", True),
        ("staff", False),
    ]
    public = client.get(f"/api/v1/public/questions/{token}").json
    assert public["status"] == "open"
    assert [(m["author"], m["name"], m["body"]) for m in public["messages"]] == [
        ("consumer", "Dana Consumer", "Does it fold?"),
        ("staff", "Acme cs", "Yes, it folds."),
    ]
    page = client.get(f"/c/{token}").get_data(as_text=True)
    assert "Yes, it folds." in page and "Price list is in the drive" not in page


def test_a_claim_holds_against_colleagues_and_names_its_holder(app, client, api_as, org, clock):
    question_id, _ = _question(client, api_as, org)
    cs, admin = api_as(org.cs), api_as(org.admin)
    claimed = cs.post(f"/api/v1/questions/{question_id}/claim")
    assert claimed.status_code == 200
    assert claimed.json["claim"]["name"] == "Acme cs"
    assert claimed.json["claim"]["until"] == "2026-12-01T19:15:00.000Z"
    assert cs.post(f"/api/v1/questions/{question_id}/claim").status_code == 200  # mine again
    for url, body in (
        (f"/api/v1/questions/{question_id}/claim", None),
        (f"/api/v1/questions/{question_id}/replies", {"body": "I'll take it"}),
        (f"/api/v1/questions/{question_id}/resolve", None),
    ):
        refused = admin.post(url, json=body)
        assert refused.status_code == 409, url
        error = refused.json["error"]
        assert error["code"] == "claimed"
        assert error["claimed_by"] == {"user_id": str(org.cs.id), "name": "Acme cs"}
        assert "Acme cs" in error["message"]
    # A colleague may still leave a note.
    note = admin.post(
        f"/api/v1/questions/{question_id}/replies", json={"body": "VIP", "internal": True}
    )
    assert note.status_code == 201
    listed = admin.get(f"/api/v1/questions?claimed_by={org.cs.id}").json
    assert [q["id"] for q in listed] == [question_id]


def test_a_claim_lapses_without_a_reply_and_each_reply_renews_it(app, client, api_as, org, clock):
    question_id, _ = _question(client, api_as, org)
    first, second = api_as(org.cs), api_as(_second_cs(app, org))
    assert first.post(f"/api/v1/questions/{question_id}/claim").status_code == 200
    clock.advance(minutes=10)
    assert (
        first.post(
            f"/api/v1/questions/{question_id}/replies", json={"body": "Checking…"}
        ).status_code
        == 201
    )
    clock.advance(minutes=14)  # 24 minutes after the claim, 14 after the reply: still held
    assert second.post(f"/api/v1/questions/{question_id}/claim").status_code == 409
    clock.advance(minutes=1, seconds=1)
    assert first.get(f"/api/v1/questions/{question_id}").json["claim"] is None
    assert first.get(f"/api/v1/questions?claimed_by={org.cs.id}").json == []
    taken = second.post(f"/api/v1/questions/{question_id}/claim")
    assert taken.status_code == 200 and taken.json["claim"]["name"] == "Casey Second"
    assert first.post(f"/api/v1/questions/{question_id}/claim").status_code == 409


def test_the_claim_span_is_configurable(app, client, api_as, org, clock, config):
    config(QUESTION_CLAIM_MINUTES=2)
    question_id, _ = _question(client, api_as, org)
    api_as(org.cs).post(f"/api/v1/questions/{question_id}/claim")
    clock.advance(minutes=2)
    assert api_as(org.admin).post(f"/api/v1/questions/{question_id}/claim").status_code == 200


def test_resolving_and_the_consumer_reopening(client, api_as, org):
    question_id, token = _question(client, api_as, org)
    cs = api_as(org.cs)
    cs.post(f"/api/v1/questions/{question_id}/replies", json={"body": "It folds."})
    resolved = cs.post(f"/api/v1/questions/{question_id}/resolve")
    assert resolved.status_code == 200
    assert resolved.json["status"] == "resolved" and resolved.json["claim"] is None
    assert client.get(f"/api/v1/public/questions/{token}").json["status"] == "resolved"
    assert cs.post(f"/api/v1/questions/{question_id}/claim").json["error"]["code"] == "resolved"
    client.post(f"/api/v1/public/questions/{token}/messages", json={"message": "One more thing"})
    detail = cs.get(f"/api/v1/questions/{question_id}").json
    assert detail["status"] == "open" and detail["resolved_at"] is None
    assert detail["messages"][-1]["body"] == "One more thing"


def test_the_queue_filters_by_status_holder_and_text(client, api_as, org, other_org):
    sofa, _ = _question(client, api_as, org, name="Sam Sofa", message="Is the SOFA in stock?")
    chair, _ = _question(
        client, api_as, org, name="Chris", email="chris@chairs.example", message="Chairs?"
    )
    phone, _ = _question(
        client, api_as, org, name="Pat", email=None, phone="+44 20 7946 0018", message="Hi"
    )
    _question(client, api_as, other_org, name="Sam Sofa elsewhere", message="sofa")
    cs = api_as(org.cs)
    cs.post(f"/api/v1/questions/{chair}/replies", json={"body": "Yes, oak ones"})
    cs.post(f"/api/v1/questions/{phone}/resolve")

    def ids(query: str) -> list[str]:
        response = cs.get(f"/api/v1/questions{query}")
        assert response.status_code == 200, response.json
        return [q["id"] for q in response.json]

    assert ids("") == [sofa, phone, chair]  # owed a reply first; then the newest first
    assert ids("?status=new") == [sofa]
    assert ids("?status=open") == [chair]
    assert ids("?status=resolved") == [phone]
    assert ids("?q=sofa") == [sofa]  # any case; in the message
    assert ids("?q=OAK") == [chair]  # in a staff reply
    assert ids("?q=chairs.example") == [chair]
    assert ids("?q=7946") == [phone]
    assert ids("?q=100%25") == []  # a literal %, not a wildcard
    assert ids(f"?claimed_by={org.cs.id}") == [chair]
    assert cs.get("/api/v1/questions?status=later").status_code == 422


@pytest.mark.parametrize("body", [{"body": ""}, {"body": "x" * 5001}, {}, {"body": 5}])
def test_a_reply_is_validated(client, api_as, org, body):
    question_id, _ = _question(client, api_as, org)
    response = api_as(org.cs).post(f"/api/v1/questions/{question_id}/replies", json=body)
    assert response.status_code == 422 and "body" in response.json["error"]["fields"]


def test_unknown_question_ids_are_404(api_as, org):
    cs = api_as(org.cs)
    assert cs.get(f"/api/v1/questions/{uuid.uuid4()}").status_code == 404
    assert cs.post(f"/api/v1/questions/{uuid.uuid4()}/claim").status_code == 404
