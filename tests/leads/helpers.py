"""Small helpers shared by the leads tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

LEADS = "/api/v1/leads"
PRODUCTS = "/api/v1/products"


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def now() -> datetime:
    return datetime.now(UTC)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def new_lead(api, expect: int = 201, **fields: Any) -> dict:
    """POST a lead (contact_name defaults) and return its JSON; asserts the status."""
    body = {"contact_name": "Ada Buyer", **fields}
    response = api.post(LEADS, json=body)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def get_lead(api, lead_id, expect: int = 200) -> dict:
    response = api.get(f"{LEADS}/{lead_id}")
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def error_of(response, status: int, code: str | None = None) -> dict:
    """The error body, after checking the status and the one error shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)
    assert set(response.json) == {"error"}, response.json
    error = response.json["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    if "fields" in error:
        assert isinstance(error["fields"], dict) and error["fields"]
    if code is not None:
        assert error["code"] == code, error
    return error


def list_ids(api, **params: Any) -> list[str]:
    response = api.get(LEADS, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.json["items"]]


def uid() -> str:
    return str(uuid.uuid4())
