"""Canned answers: who manages and reads them, search, other organisations, rendering."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from app.questions import canned
from tests.questions.conftest import ask, slug_of

URL = "/api/v1/canned-answers"


def _answer(api, **overrides) -> dict:
    body = {"title": "Delivery times", "body": "We deliver in 3 days.", "tags": ["delivery"]}
    body.update(overrides)
    created = api.post(URL, json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.json


def _product(api_as, org, **overrides) -> dict:
    body = {"name": "Folding chair", "list_price": "1250.00", "currency": "EUR"}
    body.update(overrides)
    created = api_as(org.admin).post("/api/v1/products", json=body)
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.json


def _question_id(client, api_as, org, **overrides) -> str:
    created = ask(client, slug_of(api_as, org), **overrides)
    assert created.status_code == 201, created.get_data(as_text=True)
    return created.json["id"]


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [a["title"] for a in response.json]


# --- who may do what -----------------------------------------------------------------------


@pytest.mark.parametrize("manager", ["admin", "lead"])
def test_admins_and_team_leads_manage_canned_answers(api_as, org, manager):
    api = api_as(getattr(org, manager))
    created = _answer(api, tags=["Delivery", "delivery", " ", "price"])
    assert created["active"] is True and created["product_id"] is None
    assert created["tags"] == ["Delivery", "price"]  # blanks and repeats in any case dropped
    assert created["created_by"] == str(getattr(org, manager).id)
    answer_url = f"{URL}/{created['id']}"

    changed = api.patch(answer_url, json={"title": "Delivery", "tags": []})
    assert changed.status_code == 200
    assert changed.json["title"] == "Delivery" and changed.json["tags"] == []
    assert changed.json["body"] == "We deliver in 3 days."  # untouched
    assert changed.json["version"] > created["version"]

    # DELETE retires it: gone from the list, kept for managers who ask.
    assert api.delete(answer_url).status_code == 204
    assert api.delete(answer_url).status_code == 204  # retiring twice is harmless
    assert _titles(api.get(URL)) == []
    listed = api.get(URL, query_string={"include_inactive": "true"}).json
    assert [(a["id"], a["active"]) for a in listed] == [(created["id"], False)]
    assert api.get(answer_url).json["active"] is False

    # ... and brought back.
    assert api.patch(answer_url, json={"active": True}).json["active"] is True
    assert _titles(api.get(URL)) == ["Delivery"]


def test_customer_service_reads_and_reps_get_403(api_as, org):
    created = _answer(api_as(org.admin))
    answer_url = f"{URL}/{created['id']}"
    cs = api_as(org.cs)
    assert _titles(cs.get(URL)) == ["Delivery times"]
    assert cs.get(answer_url).json["body"] == "We deliver in 3 days."
    assert cs.post(URL, json={"title": "t", "body": "b"}).status_code == 403
    assert cs.patch(answer_url, json={"title": "Mine"}).status_code == 403
    assert cs.delete(answer_url).status_code == 403
    assert cs.get(URL, query_string={"include_inactive": "true"}).status_code == 403

    rep = api_as(org.rep)
    assert rep.get(URL).status_code == 403
    assert rep.get(answer_url).status_code == 403
    assert rep.post(URL, json={"title": "t", "body": "b"}).status_code == 403
    assert rep.patch(answer_url, json={"title": "Mine"}).status_code == 403
    assert rep.delete(answer_url).status_code == 403

    # A retired answer is the managers' alone: customer service no longer finds it.
    assert api_as(org.admin).delete(answer_url).status_code == 204
    assert cs.get(URL).json == []
    assert cs.get(answer_url).status_code == 404
    assert api_as(org.admin).get(answer_url).json["title"] == "Delivery times"


# --- search --------------------------------------------------------------------------------


def test_search_by_text_tag_and_product(api_as, org):
    admin = api_as(org.admin)
    chair = _product(api_as, org)
    table = _product(api_as, org, name="Oak table", list_price="499.00")
    _answer(admin, title="Chair price", body="It costs {{product.list_price}}.",
            product_id=chair["id"], tags=["Price"])  # fmt: skip
    _answer(admin, title="Table care", body="Oil the OAK twice a year.",
            product_id=table["id"], tags=["Care", "Größe"])  # fmt: skip
    _answer(admin, title="Opening hours", body="We answer 18:00–23:00.", tags=["evening"])

    cs = api_as(org.cs)

    def titles(**query) -> list[str]:
        return _titles(cs.get(URL, query_string=query))

    assert titles() == ["Chair price", "Opening hours", "Table care"]
    assert titles(q="oak") == ["Table care"]  # body, any case
    assert titles(q="CHAIR") == ["Chair price"]  # title
    assert titles(q="EVEN") == ["Opening hours"]  # part of a tag
    assert titles(q="GRÖSSE") == ["Table care"]  # full case folding: ß is ss
    assert titles(q="größe") == ["Table care"]
    assert titles(q="nothing like it") == []
    assert titles(tag="price") == ["Chair price"]  # a whole tag, any case
    assert titles(tag="pri") == []
    assert titles(product_id=table["id"]) == ["Table care"]
    assert titles(product_id=chair["id"], q="costs") == ["Chair price"]
    assert titles(product_id=chair["id"], tag="care") == []


# --- other organisations -------------------------------------------------------------------


def test_another_organisations_answer_is_404(client, api_as, org, other_org):
    ours = _answer(api_as(org.admin))
    answer_url = f"{URL}/{ours['id']}"
    for person in (other_org.admin, other_org.lead, other_org.cs):
        theirs = api_as(person)
        assert theirs.get(URL).json == [], person.role
        assert theirs.get(answer_url).status_code == 404, person.role
    admin = api_as(other_org.admin)
    assert admin.patch(answer_url, json={"title": "Hacked"}).status_code == 404
    assert admin.delete(answer_url).status_code == 404
    # Nor may they render ours for their question, or theirs for ours.
    their_question = _question_id(client, api_as, other_org)
    rendered = admin.post(f"/api/v1/questions/{their_question}/canned-answers/{ours['id']}/render")
    assert rendered.status_code == 404
    their_answer = _answer(admin)
    our_question = _question_id(client, api_as, org)
    rendered = api_as(org.cs).post(
        f"/api/v1/questions/{our_question}/canned-answers/{their_answer['id']}/render"
    )
    assert rendered.status_code == 404
    # Their product is no product of ours.
    their_product = _product(api_as, other_org)
    refused = api_as(org.admin).post(
        URL, json={"title": "x", "body": "y", "product_id": their_product["id"]}
    )
    assert refused.status_code == 422
    assert "product_id" in refused.json["error"]["fields"]
    assert api_as(org.admin).get(f"{URL}/{uuid.uuid4()}").status_code == 404


# --- rendering -----------------------------------------------------------------------------

EVERY_PLACEHOLDER = (
    "Hello {{consumer.name}} ({{ consumer.email }}),\n"
    "the {{product.name}} costs {{product.list_price}}.\n"
    "{{org.name}}, {{staff.name}}. {{consumer.age}} {{ nonsense }} {{x"
)


def _render(api, question_id: str, answer_id: str):
    return api.post(f"/api/v1/questions/{question_id}/canned-answers/{answer_id}/render")


def test_render_fills_every_placeholder(client, api_as, org):
    chair = _product(api_as, org)  # 1250.00 EUR
    answer = _answer(api_as(org.admin), body=EVERY_PLACEHOLDER)
    question_id = _question_id(client, api_as, org, product_id=chair["id"])

    rendered = _render(api_as(org.cs), question_id, answer["id"])
    assert rendered.status_code == 200, rendered.get_data(as_text=True)
    # Worked out by hand: the fixture's organisation is "Acme" and its cs user "Acme cs";
    # 1250 with a thousands comma and two places, then the product's currency. Unknown
    # placeholders stay exactly as written.
    assert rendered.json == {
        "body": "Hello Dana Consumer (dana@example.com),\n"
        "the Folding chair costs 1,250.00 EUR.\n"
        "Acme, Acme cs. {{consumer.age}} {{ nonsense }} {{x"
    }
    # The staff member is whoever renders it; a team lead may (they read the desk).
    by_lead = _render(api_as(org.lead), question_id, answer["id"]).json["body"]
    assert by_lead.startswith("Hello Dana") and "Acme, Acme lead." in by_lead
    # Rendering stores nothing: the question still has just the consumer's message.
    assert api_as(org.cs).get(f"/api/v1/questions/{question_id}").json["message_count"] == 1
    # Reps do not work the desk.
    assert _render(api_as(org.rep), question_id, answer["id"]).status_code == 403


def test_the_answers_product_stands_in_and_missing_values_are_empty(client, api_as, org):
    table = _product(api_as, org, name="Oak table", list_price="1234567.5", currency="USD")
    body = "{{product.name}}: {{product.list_price}}|{{consumer.email}}|"
    with_product = _answer(api_as(org.admin), body=body, product_id=table["id"])
    without = _answer(api_as(org.admin), title="No product", body=body)
    # A question about no product, from a consumer who left a phone number only.
    question_id = _question_id(client, api_as, org, email=None, phone="+49 30 1234567")
    cs = api_as(org.cs)
    assert _render(cs, question_id, with_product["id"]).json["body"] == (
        "Oak table: 1,234,567.50 USD||"
    )
    assert _render(cs, question_id, without["id"]).json["body"] == ": ||"
    # The question's own product wins over the answer's.
    chair = _product(api_as, org)
    about_chair = _question_id(client, api_as, org, product_id=chair["id"])
    assert _render(cs, about_chair, with_product["id"]).json["body"] == (
        "Folding chair: 1,250.00 EUR|dana@example.com|"
    )


def test_a_product_without_a_price_or_currency(client, api_as, org):
    unpriced = _product(api_as, org, name="Custom sofa", list_price=None, currency=None)
    no_currency = _product(api_as, org, name="Stool", list_price="80", currency=None)
    answer = _answer(api_as(org.admin), body="[{{product.name}} {{product.list_price}}]")
    cs = api_as(org.cs)
    question_id = _question_id(client, api_as, org, product_id=unpriced["id"])
    assert _render(cs, question_id, answer["id"]).json["body"] == "[Custom sofa ]"
    # Priced without a currency: in the organisation's own (USD until an admin sets one).
    question_id = _question_id(client, api_as, org, product_id=no_currency["id"])
    assert _render(cs, question_id, answer["id"]).json["body"] == "[Stool 80.00 USD]"


def test_text_is_returned_verbatim_and_values_are_never_expanded_again(client, api_as, org):
    body = "<script>alert(1)</script> Dear {{consumer.name}}, {{ '{{' }} {% if 1 %}x{% endif %}"
    answer = _answer(api_as(org.admin), body=body)
    question_id = _question_id(client, api_as, org, name="Eve {{org.name}} {{staff.name}}")
    rendered = _render(api_as(org.cs), question_id, answer["id"])
    assert rendered.status_code == 200
    assert rendered.mimetype == "application/json"
    # Plain text: the markup is left alone (the PWA shows it escaped), no template syntax is
    # evaluated, and the consumer's own "{{org.name}}" is not filled in a second time.
    assert rendered.json["body"] == (
        "<script>alert(1)</script> Dear Eve {{org.name}} {{staff.name}}, "
        "{{ '{{' }} {% if 1 %}x{% endif %}"
    )


def test_a_retired_answer_is_not_rendered_and_unknown_ids_are_404(client, api_as, org):
    answer = _answer(api_as(org.admin))
    question_id = _question_id(client, api_as, org)
    cs = api_as(org.cs)
    assert _render(cs, question_id, answer["id"]).status_code == 200
    assert _render(cs, question_id, str(uuid.uuid4())).status_code == 404
    assert _render(cs, str(uuid.uuid4()), answer["id"]).status_code == 404
    api_as(org.admin).delete(f"{URL}/{answer['id']}")
    assert _render(cs, question_id, answer["id"]).status_code == 404


def test_fill_and_format_price_directly():
    values = {"consumer.name": "{{staff.name}}", "staff.name": "Sam"}
    assert canned.fill("{{consumer.name}}/{{staff.name}}/{{other}}", values) == (
        "{{staff.name}}/Sam/{{other}}"
    )
    assert canned.fill("{{  staff.name  }}", values) == "Sam"
    assert canned.format_price(Decimal("1250"), "EUR") == "1,250.00 EUR"
    assert canned.format_price(Decimal("0.5"), "GBP") == "0.50 GBP"
    assert canned.format_price(Decimal("999999.99"), "EUR") == "999,999.99 EUR"
    assert canned.format_price(None, "EUR") == ""


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "no title"}, "title"),
        ({"title": "no body"}, "body"),
        ({"title": "   ", "body": "b"}, "title"),
        ({"title": "x" * 201, "body": "b"}, "title"),
        ({"title": "t", "body": "b" * 5001}, "body"),
        ({"title": "t", "body": "b", "tags": "price"}, "tags"),
        ({"title": "t", "body": "b", "tags": ["x" * 41]}, "tags"),
        ({"title": "t", "body": "b", "tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"title": "t", "body": "b", "tags": [1]}, "tags"),
        ({"title": "t", "body": "b", "product_id": "not-an-id"}, "product_id"),
        ({"title": "t", "body": "b", "product_id": str(uuid.uuid4())}, "product_id"),
    ],
)
def test_bad_input_is_422_naming_the_field(api_as, org, body, field):
    refused = api_as(org.admin).post(URL, json=body)
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert field in refused.json["error"]["fields"]


def test_bad_changes_and_queries_are_422(api_as, org):
    admin = api_as(org.admin)
    answer_url = f"{URL}/{_answer(admin)['id']}"
    for body, field in (
        ({"title": ""}, "title"),
        ({"body": "  "}, "body"),
        ({"title": None}, "title"),
        ({"active": "maybe"}, "active"),
        ({"product_id": str(uuid.uuid4())}, "product_id"),
    ):
        refused = admin.patch(answer_url, json=body)
        assert refused.status_code == 422, body
        assert field in refused.json["error"]["fields"], body
    assert admin.get(URL, query_string={"product_id": "nope"}).status_code == 422
    assert admin.get(URL, query_string={"q": "x" * 201}).status_code == 422
    # A 5,000-character body is fine (the limit counts characters, not bytes).
    assert admin.patch(answer_url, json={"body": "ü" * 5000}).status_code == 200
