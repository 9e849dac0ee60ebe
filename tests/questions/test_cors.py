"""The company's own site may call the public question endpoints from its pages (CORS) —
only the origins an admin named, only on those endpoints."""

from __future__ import annotations

from tests.leads.helpers import error_of
from tests.questions.conftest import ask, slug_of, token_of

SITE = "https://www.acme-shop.example"
OTHER = "https://evil.example"


def allow(api_as, org, origins):
    return api_as(org.admin).patch("/api/v1/org", json={"public_origins": origins})


def test_the_named_origin_is_granted_on_the_public_endpoints_only(client, api_as, org):
    changed = allow(api_as, org, ["https://WWW.acme-shop.example/", "http://localhost:8080"])
    assert changed.status_code == 200, changed.get_data(as_text=True)
    # Kept as browsers send an origin: lower-case, no trailing slash.
    assert changed.json["public_origins"] == [SITE, "http://localhost:8080"]
    slug = slug_of(api_as, org)

    preflight = client.options(
        f"/api/v1/public/{slug}/questions",
        headers={"Origin": SITE, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert preflight.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]

    created = client.post(
        f"/api/v1/public/{slug}/questions",
        json={"name": "Dana", "email": "dana@example.com", "message": "Does it fold?"},
        headers={"Origin": SITE},
    )
    assert created.status_code == 201
    assert created.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in created.headers["Vary"]
    token = created.json["token"]
    read = client.get(f"/api/v1/public/questions/{token}", headers={"Origin": SITE})
    assert read.headers["Access-Control-Allow-Origin"] == SITE
    products = client.get(f"/api/v1/public/{slug}/products", headers={"Origin": SITE})
    assert products.headers["Access-Control-Allow-Origin"] == SITE

    # Another site, another organisation's endpoints, and the staff API get no grant.
    other = client.get(f"/api/v1/public/{slug}/products", headers={"Origin": OTHER})
    assert "Access-Control-Allow-Origin" not in other.headers
    staff = api_as(org.admin).get("/api/v1/questions", headers={"Origin": SITE})
    assert staff.status_code == 200
    assert "Access-Control-Allow-Origin" not in staff.headers


def test_another_organisations_origins_grant_nothing_here(client, api_as, org, other_org):
    assert allow(api_as, other_org, [SITE]).status_code == 200
    slug = slug_of(api_as, org)
    created = ask(client, slug)
    token = token_of(created)
    for response in (
        client.get(f"/api/v1/public/{slug}/products", headers={"Origin": SITE}),
        client.get(f"/api/v1/public/questions/{token}", headers={"Origin": SITE}),
    ):
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers


def test_only_admins_name_origins_and_only_real_origins(api_as, org):
    error_of(api_as(org.lead).patch("/api/v1/org", json={"public_origins": [SITE]}), 403)
    for bad in (["https://acme.example/form"], ["acme.example"], ["javascript:alert(1)"],
                [f"https://s{i}.example" for i in range(11)]):  # fmt: skip
        error = error_of(allow(api_as, org, bad), 422)
        assert "public_origins" in error["fields"]
    assert api_as(org.admin).get("/api/v1/org").json["public_origins"] == []
    assert allow(api_as, org, [SITE]).json["public_origins"] == [SITE]
    assert allow(api_as, org, None).json["public_origins"] == []
