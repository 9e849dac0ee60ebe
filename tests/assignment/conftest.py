"""Helpers of the assignment tests: rules through the API, people and decisions through
the services."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.accounts import service as accounts
from app.accounts.models import User
from app.assignment import service as assignment
from app.extensions import db
from app.tenancy import tenant
from tests.conftest import PASSWORD, Person

RULES = "/api/v1/assignment-rules"


def add_rule(api, expect: int = 201, **body: Any) -> dict:
    response = api.post(RULES, json=body)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def rule_names(api) -> list[str]:
    response = api.get(RULES)
    assert response.status_code == 200, response.get_data(as_text=True)
    return [rule["name"] for rule in response.json]


def set_person(api, person_id, expect: int = 200, **body: Any) -> dict:
    response = api.patch(f"{RULES}/people/{person_id}", json=body)
    assert response.status_code == expect, response.get_data(as_text=True)
    return response.json


def set_settings(api, **body: Any) -> dict:
    response = api.patch(f"{RULES}/settings", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def new_team(app, org, name: str) -> uuid.UUID:
    with app.app_context(), tenant(org.id):
        team = accounts.create_team(db.session.get(User, (org.id, org.admin.id)), name)
        db.session.commit()
        return team.id


def new_person(app, org, local: str, team_ids: list[uuid.UUID], role: str = "rep") -> uuid.UUID:
    with app.app_context(), tenant(org.id):
        admin = db.session.get(User, (org.id, org.admin.id))
        user = accounts.create_user(
            admin,
            {
                "email": f"{local}.{uuid.uuid4().hex[:6]}@assign.test",
                "name": local.title(),
                "role": role,
                "password": PASSWORD,
                "team_ids": team_ids,
            },
        )
        db.session.commit()
        return user.id


def person(app, org, user_id: uuid.UUID) -> Person:
    """Someone made by ``new_person``, to sign in as."""
    with app.app_context(), tenant(org.id):
        user = db.session.get(User, (org.id, user_id))
        return Person(id=user.id, org_id=org.id, email=user.email, role=user.role)


def as_user(org, person_: Person) -> User:
    """The ORM row of someone (inside an app context and the organisation's tenant)."""
    return db.session.get(User, (org.id, person_.id))


def decide(app, org, **lead: Any) -> assignment.Decision:
    """A decision for a lead with these values, committed (as a conversion would)."""
    values = {"region": None, "source": "website", "product_id": None, "priority": "normal"}
    with app.app_context(), tenant(org.id):
        decision = assignment.decide(org.id, **{**values, **lead})
        db.session.commit()
        return decision


def convert(app, org, actor_person, **data: Any):
    """``create_routed_lead`` as ``actor_person`` (a conversion from the desk), committed:
    returns (lead id, decision)."""
    with app.app_context(), tenant(org.id):
        actor = db.session.get(User, (org.id, actor_person.id))
        lead, decision = assignment.create_routed_lead(
            actor, {"contact_name": "Ada Buyer", **data}
        )
        db.session.commit()
        return lead.id, decision


@pytest.fixture
def admin_api(api_as, org):
    return api_as(org.admin)
