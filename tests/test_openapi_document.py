"""The served OpenAPI document tells tools the truth: numbers, entities, who may call what."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.changelog import registry

BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


@pytest.fixture
def spec(client) -> dict:
    return client.get("/api/v1/openapi.json").json


def _bounds(node, where: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in BOUNDS:
                yield f"{where}/{key}", value
            else:
                yield from _bounds(value, f"{where}/{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _bounds(item, where)


def test_decimal_bounds_are_numbers(spec):
    bounds = dict(_bounds(spec))
    written_as_text = {where: value for where, value in bounds.items() if isinstance(value, str)}
    assert written_as_text == {}
    schemas = spec["components"]["schemas"]
    # Money: 0.00 … 999 999 999 999.00; quantities 0.000 … 10 000 000 000.000; weights 0 … 1.
    assert schemas["LeadCreate"]["properties"]["estimated_value"]["minimum"] == 0
    assert schemas["LeadCreate"]["properties"]["estimated_value"]["maximum"] == 999_999_999_999
    assert schemas["LeadCreate"]["properties"]["quantity"]["maximum"] == 10_000_000_000
    assert schemas["Product"]["properties"]["list_price"]["maximum"] == 999_999_999_999
    assert schemas["SpendCreate"]["properties"]["amount"]["minimum"] == 0
    assert schemas["AppraisalWeights"]["properties"]["sales"]["maximum"] == 1


def test_a_documented_bound_is_the_one_enforced(api_as, org, spec):
    # A tool that reads the maximum and sends one cent more is refused; the maximum passes.
    maximum = spec["components"]["schemas"]["Product"]["properties"]["list_price"]["maximum"]
    admin = api_as(org.admin)
    base = {"name": "Boiler", "currency": "EUR"}
    over = admin.post(
        "/api/v1/products", json={**base, "sku": "B-1", "list_price": str(Decimal(maximum) + 1)}
    )
    assert over.status_code == 422, over.json
    assert "list_price" in over.json["error"]["fields"]
    at = admin.post("/api/v1/products", json={**base, "sku": "B-2", "list_price": maximum})
    assert at.status_code == 201, at.json


def test_pull_names_every_synced_entity(spec):
    entity = spec["components"]["schemas"]["Change"]["properties"]["entity"]
    assert {"org", "sla_policy"} <= set(entity["enum"])
    assert set(entity["enum"]) == set(registry.entity_names())


def test_every_operation_says_what_it_needs(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["session"] == {"type": "apiKey", "in": "cookie", "name": "leadsync_session"}
    assert schemes["bearer"] == {"type": "http", "scheme": "bearer"}
    # Signed in by either, unless the operation says it is open.
    assert spec["security"] == [{"session": []}, {"bearer": []}]
    paths = spec["paths"]
    open_to_all = {
        (path, method)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and operation.get("security") == []
    }
    for operation in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/signup", "post"),
        ("/api/v1/auth/tokens", "post"),
        ("/api/v1/public/{org_slug}/questions", "post"),
        ("/api/v1/public/questions/{token}", "get"),
    ]:
        assert operation in open_to_all
    for operation in [
        ("/api/v1/auth/me", "get"),
        ("/api/v1/leads", "post"),
        ("/api/v1/sync/pull", "get"),
        ("/api/v1/sync/push", "post"),
        ("/api/v1/teams/{team_id}", "patch"),
    ]:
        assert operation not in open_to_all
        assert "security" not in paths[operation[0]][operation[1]]  # the document's default


def test_the_open_operations_answer_without_signing_in_and_the_others_do_not(client, spec):
    # What the document says matches what the app does, for a GET of each kind.
    assert client.get("/api/v1/push/key").status_code != 401
    assert spec["paths"]["/api/v1/push/key"]["get"]["security"] == []
    assert client.get("/api/v1/auth/me").status_code == 401
