"""The public side: asking without an account, the private conversation, and abuse."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import func, select

from app.extensions import db
from app.questions.models import Question, QuestionMessage
from app.tenancy import all_orgs
from tests.questions.conftest import ask, question_body, slug_of, token_of


def _stored(app) -> tuple[int, int]:
    with app.app_context(), all_orgs():
        questions = db.session.scalar(select(func.count()).select_from(Question))
        messages = db.session.scalar(select(func.count()).select_from(QuestionMessage))
        db.session.remove()
    return questions, messages


def test_a_consumer_asks_and_reads_the_conversation_at_the_link(app, client, api_as, org, config):
    config(PUBLIC_BASE_URL="https://leads.example.com/")
    slug = slug_of(api_as, org)
    created = ask(
        client, slug, phone="+49 30 1234567", region="10115 Berlin", product_text="Blue sofa"
    )
    assert created.status_code == 201, created.json
    token = created.json["token"]
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # ≥ 256 bits
    assert created.json["url"] == f"https://leads.example.com/c/{token}"
    assert created.headers["Cache-Control"] == "no-store"

    conversation = client.get(f"/api/v1/public/questions/{token}")
    assert conversation.status_code == 200
    # A reply is promised (its wording and time: test_reply_clock.py).
    assert conversation.json["promise"]["state"] == "promised"
    assert conversation.json["promise"] == created.json["promise"]
    assert conversation.json == {
        "id": created.json["id"],
        "status": "new",
        "promise": created.json["promise"],
        "messages": [
            {
                "author": "consumer",
                "name": "Dana Consumer",
                "body": "Does it fold?",
                "at": conversation.json["messages"][0]["at"],
            }
        ],
    }
    # Staff see the contact as given.
    listed = api_as(org.cs).get("/api/v1/questions").json
    assert [(q["name"], q["phone"], q["region"], q["product_text"]) for q in listed] == [
        ("Dana Consumer", "+49 30 1234567", "10115 Berlin", "Blue sofa")
    ]


def test_only_a_hash_of_the_token_is_stored(app, client, api_as, org):
    token = token_of(ask(client, slug_of(api_as, org)))
    with app.app_context(), all_orgs():
        stored = db.session.scalars(select(Question.token_hash)).all()
        db.session.remove()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_the_consumer_answers_back(client, api_as, org):
    token = token_of(ask(client, slug_of(api_as, org)))
    sent = client.post(
        f"/api/v1/public/questions/{token}/messages", json={"message": "  And in green?  "}
    )
    assert sent.status_code == 201
    assert [m["body"] for m in sent.json["messages"]] == ["Does it fold?", "And in green?"]
    again = client.get(f"/api/v1/public/questions/{token}").json
    assert [m["body"] for m in again["messages"]] == ["Does it fold?", "And in green?"]


def test_unknown_slugs_and_tokens_are_404(client, api_as, org):
    assert ask(client, "no-such-company").status_code == 404
    assert client.get("/api/v1/public/no-such-company/products").status_code == 404
    token_of(ask(client, slug_of(api_as, org)))
    wrong = "A" * 43
    assert client.get(f"/api/v1/public/questions/{wrong}").status_code == 404
    answer = client.post(f"/api/v1/public/questions/{wrong}/messages", json={"message": "hi"})
    assert answer.status_code == 404


def test_the_public_product_list_is_the_active_catalogue_without_internal_fields(
    client, api_as, org, other_org
):
    admin = api_as(org.admin)
    sofa = admin.post(
        "/api/v1/products",
        json={"name": "Sofa", "sku": "SOFA-1", "list_price": 499.5, "currency": "EUR"},
    ).json
    old = admin.post("/api/v1/products", json={"name": "Old chair", "sku": "OLD"}).json
    admin.patch(f"/api/v1/products/{old['id']}", json={"active": False})
    api_as(other_org.admin).post("/api/v1/products", json={"name": "Their widget"})
    listed = client.get(f"/api/v1/public/{slug_of(api_as, org)}/products")
    assert listed.status_code == 200
    assert listed.json == [
        {"id": sofa["id"], "name": "Sofa", "list_price": 499.5, "currency": "EUR"}
    ]


def test_a_product_must_be_one_of_the_organisations_active_products(
    app, client, api_as, org, other_org
):
    theirs = api_as(other_org.admin).post("/api/v1/products", json={"name": "Theirs"}).json
    slug = slug_of(api_as, org)
    refused = ask(client, slug, product_id=theirs["id"])
    assert refused.status_code == 422
    assert "product_id" in refused.json["error"]["fields"]
    assert _stored(app) == (0, 0)
    ours = api_as(org.admin).post("/api/v1/products", json={"name": "Ours"}).json
    token_of(ask(client, slug, product_id=ours["id"]))
    assert api_as(org.cs).get("/api/v1/questions").json[0]["product_id"] == ours["id"]


def test_email_or_phone_is_required_and_sizes_are_limited(app, client, api_as, org, config):
    config(QUESTIONS_PER_IP="100 per hour")  # refused attempts count too
    slug = slug_of(api_as, org)
    cases = {
        "email": question_body(email=None),
        "phone": question_body(email="", phone="   "),
        "message": question_body(message="x" * 5001),
        "name": question_body(name="n" * 201),
    }
    for field, body in cases.items():
        response = client.post(f"/api/v1/public/{slug}/questions", json=body)
        assert response.status_code == 422, (field, response.json)
        assert field in response.json["error"]["fields"], (field, response.json)
    for field, body in {
        "message": question_body(message=" \n\t "),
        "name": question_body(name=""),
        "email": question_body(email="not-an-address"),
        "phone": question_body(email=None, phone="call me maybe"),
        "region": question_body(region="r" * 121),
        "product_text": question_body(product_text="p" * 201),
    }.items():
        response = client.post(f"/api/v1/public/{slug}/questions", json=body)
        assert response.status_code == 422 and field in response.json["error"]["fields"], field
    assert _stored(app) == (0, 0)
    # At the limits exactly, it is taken.
    token_of(ask(client, slug, name="n" * 200, message="m" * 5000, email=None, phone="+1 555 0100"))
    answer = client.post(
        f"/api/v1/public/questions/{token_of(ask(client, slug))}/messages",
        json={"message": "m" * 5001},
    )
    assert answer.status_code == 422 and "message" in answer.json["error"]["fields"]


def test_control_characters_are_dropped_and_text_is_stored_as_typed(client, api_as, org):
    body = 'Line one\r\n<b>"two"</b>\x07\x1b & done'
    token = token_of(ask(client, slug_of(api_as, org), message=body))
    messages = client.get(f"/api/v1/public/questions/{token}").json["messages"]
    assert messages[0]["body"] == 'Line one\n<b>"two"</b> & done'
    # A NUL is refused at the edge, as in every JSON body (app.http): 422 naming the field.
    refused = ask(client, slug_of(api_as, org), message="a\x00b")
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"message": ["Contains a NUL character."]}


def test_the_honeypot_answers_like_a_success_and_stores_nothing(app, client, api_as, org):
    created = ask(client, slug_of(api_as, org), website="http://spam.example")
    assert created.status_code == 201
    assert set(created.json) == {"id", "token", "url", "promise"}
    assert created.json["url"].endswith("/c/" + created.json["token"])
    assert _stored(app) == (0, 0)
    assert client.get(f"/api/v1/public/questions/{created.json['token']}").status_code == 404


def test_a_body_over_the_public_limit_is_413_and_stores_nothing(app, client, api_as, org):
    slug = slug_of(api_as, org)
    huge = question_body(message="x" * 70_000)
    response = client.post(f"/api/v1/public/{slug}/questions", json=huge)
    assert response.status_code == 413
    assert response.json["error"]["code"] == "payload_too_large"
    assert _stored(app) == (0, 0)


def test_questions_are_limited_per_address_with_retry_after(app, client, api_as, org, config):
    config(QUESTIONS_PER_IP="3 per hour")
    slug = slug_of(api_as, org)
    for _ in range(3):
        token_of(ask(client, slug))
    blocked = ask(client, slug)
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0
    assert _stored(app) == (3, 3)
    # The form shares the budget.
    form = client.post(f"/q/{slug}", data=question_body())
    assert form.status_code == 429 and "Retry-After" in form.headers
    assert _stored(app) == (3, 3)
    # Another address still may.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    token_of(ask(other, slug))


def test_questions_are_limited_per_organisation(app, api_as, org, other_org, config):
    config(QUESTIONS_PER_ORG="4 per hour")
    slug, their_slug = slug_of(api_as, org), slug_of(api_as, other_org)
    for n in range(4):
        visitor = app.test_client()
        visitor.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"
        token_of(ask(visitor, slug))
    late = app.test_client()
    late.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    blocked = ask(late, slug)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert _stored(app) == (4, 4)
    token_of(ask(late, their_slug))  # another organisation's budget is its own


def test_consumer_messages_are_limited_per_address_and_per_organisation(
    app, client, api_as, org, config
):
    config(CONSUMER_MESSAGES_PER_IP="2 per hour", CONSUMER_MESSAGES_PER_ORG="3 per hour")
    token = token_of(ask(client, slug_of(api_as, org)))
    url = f"/api/v1/public/questions/{token}/messages"
    assert [client.post(url, json={"message": "more"}).status_code for _ in range(3)] == [
        201,
        201,
        429,
    ]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.44"
    assert other.post(url, json={"message": "from my phone"}).status_code == 201
    blocked = other.post(url, json={"message": "once more"})  # the organisation's 4th
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    bodies = [m["body"] for m in client.get(f"/api/v1/public/questions/{token}").json["messages"]]
    assert bodies == ["Does it fold?", "more", "more", "from my phone"]
