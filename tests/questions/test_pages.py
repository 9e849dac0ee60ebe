"""The server-rendered form (/q/<slug>) and conversation page (/c/<token>): no JavaScript
needed, everything escaped, phone-sized, embeddable."""

from __future__ import annotations

import re

from tests.questions.conftest import ask, question_body, slug_of, token_of

SCRIPT = '<script>alert("x")</script>'


def _link(page: str) -> str:
    found = re.search(r'href="(http[^"]+/c/([A-Za-z0-9_-]+))"', page)
    assert found, page
    return found.group(2)


def test_the_form_is_phone_sized_embeddable_and_hides_its_honeypot(client, api_as, org):
    admin = api_as(org.admin)
    admin.post("/api/v1/products", json={"name": "Sofa <Deluxe>", "list_price": 10})
    response = client.get(f"/q/{slug_of(api_as, org)}")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # No public origins yet: nobody may frame it.
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src" not in response.headers["Content-Security-Policy"]  # none runs
    assert "<script" not in page
    assert "Sofa &lt;Deluxe&gt;" in page
    # The honeypot is in the form, hidden by CSS (robots fill what they see in the HTML).
    assert re.search(r'<div class="trap" aria-hidden="true">.*name="website"', page, re.S)
    assert re.search(r"\.trap \{ position: absolute; left: -10000px;", page)


def test_the_pages_may_be_framed_by_the_organisations_public_origins_only(client, api_as, org):
    sites = ["https://shop.example", "http://localhost:8080"]
    changed = api_as(org.admin).patch("/api/v1/org", json={"public_origins": sites})
    assert changed.status_code == 200
    form = client.get(f"/q/{slug_of(api_as, org)}")
    policy = form.headers["Content-Security-Policy"]
    assert policy.endswith("; frame-ancestors https://shop.example http://localhost:8080")
    assert "X-Frame-Options" not in form.headers  # it cannot name two origins
    token = token_of(ask(client, slug_of(api_as, org)))
    conversation = client.get(f"/c/{token}")
    assert conversation.status_code == 200
    assert conversation.headers["Content-Security-Policy"] == policy


def test_posting_the_form_shows_the_link_to_the_conversation(client, api_as, org, config):
    config(PUBLIC_BASE_URL="https://leads.example.com")
    product = api_as(org.admin).post("/api/v1/products", json={"name": "Sofa"}).json
    response = client.post(
        f"/q/{slug_of(api_as, org)}",
        data={**question_body(), "phone": "", "product_id": product["id"], "website": ""},
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    token = _link(page)
    assert f'href="https://leads.example.com/c/{token}"' in page
    listed = api_as(org.cs).get("/api/v1/questions").json
    assert [(q["name"], q["phone"], q["product_id"]) for q in listed] == [
        ("Dana Consumer", None, product["id"])
    ]
    conversation = client.get(f"/c/{token}")
    assert conversation.status_code == 200
    assert "Does it fold?" in conversation.get_data(as_text=True)


def test_script_in_a_name_or_message_is_shown_escaped(client, api_as, org):
    slug = slug_of(api_as, org)
    response = client.post(f"/q/{slug}", data=question_body(name=SCRIPT, message=SCRIPT))
    token = _link(response.get_data(as_text=True))
    client.post(f"/c/{token}", data={"message": f"again {SCRIPT}"})
    page = client.get(f"/c/{token}").get_data(as_text=True)
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 4  # 2 names, 2 bodies


def test_a_refused_form_keeps_the_values_escaped_and_names_the_problem(app, client, api_as, org):
    response = client.post(
        f"/q/{slug_of(api_as, org)}",
        data={"name": SCRIPT, "email": "", "phone": "", "message": "Hello"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<script" not in page
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in page
    assert "Give an email address or a phone number" in page
    assert api_as(org.cs).get("/api/v1/questions").json == []


def test_the_honeypot_form_thanks_and_stores_nothing(client, api_as, org):
    response = client.post(
        f"/q/{slug_of(api_as, org)}", data={**question_body(), "website": "spam"}
    )
    assert response.status_code == 201 and "/c/" in response.get_data(as_text=True)
    assert api_as(org.cs).get("/api/v1/questions").json == []


def test_replying_on_the_conversation_page(client, api_as, org):
    token = token_of(ask(client, slug_of(api_as, org)))
    sent = client.post(f"/c/{token}", data={"message": "Is blue possible?"})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/c/{token}")
    page = client.get(f"/c/{token}").get_data(as_text=True)
    assert page.index("Does it fold?") < page.index("Is blue possible?")
    empty = client.post(f"/c/{token}", data={"message": "   "})
    assert empty.status_code == 422 and "Must not be blank." in empty.get_data(as_text=True)
    too_long = client.post(f"/c/{token}", data={"message": "x" * 5001})
    assert too_long.status_code == 422
    bodies = [m["body"] for m in client.get(f"/api/v1/public/questions/{token}").json["messages"]]
    assert bodies == ["Does it fold?", "Is blue possible?"]


def test_unknown_pages_are_404_pages(client, api_as, org):
    assert client.get("/q/no-such-company").status_code == 404
    missing = client.get("/c/" + "B" * 43)
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert client.post("/c/" + "B" * 43, data={"message": "hello?"}).status_code == 404


def test_a_huge_form_post_is_413(client, api_as, org):
    response = client.post(f"/q/{slug_of(api_as, org)}", data=question_body(message="x" * 70_000))
    assert response.status_code == 413
    assert api_as(org.cs).get("/api/v1/questions").json == []
