"""The wire dicts and the documented schemas describe the same fields."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace

from app.leads import schemas
from app.leads.wire import follow_up_wire, lead_wire, product_wire


def _row(**overrides):
    now = datetime.now(UTC)

    class Row(SimpleNamespace):
        def __getattr__(self, name):  # any attribute not set reads as None
            return None

    return Row(
        id=uuid.uuid4(),
        owner_id=uuid.uuid4(),
        created_by=uuid.uuid4(),
        lead_id=uuid.uuid4(),
        author_id=uuid.uuid4(),
        created_at=now,
        updated_at=now,
        happened_at=now,
        received_at=now,
        quantity=Decimal("1.5"),
        version=1,
        **overrides,
    )


def _documented(schema_class) -> set[str]:
    return {name for name, field in schema_class().fields.items() if not field.load_only}


def test_lead_wire_matches_lead_schema():
    assert set(lead_wire(_row())) == _documented(schemas.LeadSchema)


def test_follow_up_wire_matches_follow_up_schema():
    assert set(follow_up_wire(_row())) == _documented(schemas.FollowUpSchema)


def test_product_wire_matches_product_schema():
    assert set(product_wire(_row())) == _documented(schemas.ProductSchema)


def test_the_openapi_document_names_the_same_fields(client):
    components = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert set(components["Lead"]["properties"]) == set(lead_wire(_row()))
    assert set(components["FollowUp"]["properties"]) == set(follow_up_wire(_row()))
    assert set(components["Product"]["properties"]) == set(product_wire(_row()))
    detail = set(components["LeadDetail"]["properties"])
    assert detail == set(lead_wire(_row())) | {"follow_ups"}


def test_what_the_api_answers_has_exactly_the_documented_fields(api_as, org):
    admin = api_as(org.admin)
    product = admin.post("/api/v1/products", json={"name": "Pump"}).json
    lead = admin.post("/api/v1/leads", json={"contact_name": "A"}).json
    follow_up = admin.post(
        f"/api/v1/leads/{lead['id']}/followups",
        json={"kind": "call", "happened_at": lead["created_at"]},
    ).json
    assert set(product) == _documented(schemas.ProductSchema)
    assert set(lead) == _documented(schemas.LeadSchema)
    assert set(follow_up) == _documented(schemas.FollowUpSchema)
