"""A lead created on someone's behalf and routed by the rules (the desk's conversion, the
public form): its owner, its record of the rule, its clock and its way to the owner."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import database
from app.assignment.service import create_routed_lead
from app.errors import ApiError
from app.extensions import db
from app.leads.models import LeadStageChange
from app.tenancy import tenant
from tests.assignment.conftest import (
    add_rule,
    as_user,
    convert,
    new_person,
    new_team,
    person,
)
from tests.leads.helpers import error_of
from tests.sync.syncing import Replica

MORNING = {"start": "09:00", "end": "10:00"}
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the organisation counts in UTC


@pytest.fixture
def monday():
    previous = database.set_clock(lambda: MONDAY_0900)
    yield MONDAY_0900
    database.set_clock(previous)


def test_a_converted_lead_goes_where_the_rules_say_with_its_clock_on_the_teams_hours(
    app, api_as, admin_api, org, monday
):
    field = new_team(app, org, "Field")
    nina = new_person(app, org, "nina", [field])
    # The Field team answers only on Monday mornings 09:00–10:00; the organisation keeps the
    # default office hours (Monday to Friday, 09:00–17:00).
    calendar = admin_api.post(
        "/api/v1/sla/calendars",
        json={
            "kind": "sales", "name": "Field mornings", "team_id": str(field),
            "definition": {"timezone": "UTC", "weekly": {"mon": [MORNING]}},
        },
    )  # fmt: skip
    assert calendar.status_code == 201, calendar.json
    rule = add_rule(admin_api, name="Munich", match={"region_prefix": "80"}, team_id=str(field))
    add_rule(admin_api, name="The rest", owner_id=str(org.rep.id))

    lead_id, decision = convert(app, org, org.cs, region="80331 Munich", source="customer_service")
    assert (decision.owner_id, decision.team_id, decision.rule_name) == (nina, field, "Munich")
    lead = admin_api.get(f"/api/v1/leads/{lead_id}").json
    assert (lead["owner_id"], lead["team_id"]) == (str(nina), str(field))
    assert lead["assigned_by_rule"] == rule["id"]
    assert lead["created_by"] == str(org.cs.id)
    # The first-response clock (two business hours) starts at the hand-off, on the team's
    # calendar: one hour this Monday, the second next Monday 09:00–10:00.
    assert lead["sla"]["metric"] == "first_response" and lead["sla"]["state"] == "ok"
    assert lead["sla"]["started_at"] == "2026-11-23T09:00:00.000Z"
    assert lead["sla"]["due_at"] == "2026-11-30T10:00:00.000Z"
    # Its history's first step records the rule too.
    with app.app_context(), tenant(org.id):
        step = LeadStageChange
        steps = db.session.execute(
            select(step.to_stage, step.actor_id, step.assigned_by_rule).where(
                step.lead_id == lead_id
            )
        ).all()
        db.session.rollback()
    assert [tuple(s) for s in steps] == [("new", org.cs.id, uuid.UUID(rule["id"]))]

    # Another lead, for the catch-all: the rep, on the organisation's office hours.
    other_id, other = convert(app, org, org.cs, region="Hamburg")
    assert (other.owner_id, other.rule_name) == (org.rep.id, "The rest")
    assert admin_api.get(f"/api/v1/leads/{other_id}").json["sla"]["due_at"] == (
        "2026-11-23T11:00:00.000Z"
    )

    # Each lead reaches its owner's device on the next pull, and no one else's.
    phone = Replica(api_as(person(app, org, nina)))
    phone.pull_all()
    assert set(phone.of("lead")) == {str(lead_id)}
    assert phone.of("lead")[str(lead_id)]["assigned_by_rule"] == rule["id"]
    rep_phone = Replica(api_as(org.rep))
    rep_phone.pull_all()
    assert set(rep_phone.of("lead")) == {str(other_id)}
    assert rep_phone.of("lead")[str(other_id)]["assigned_by_rule"] is not None


def test_nobody_to_give_it_to_is_a_422_and_nothing_is_stored(app, admin_api, org):
    add_rule(admin_api, name="Bavaria", match={"region": "Bavaria"}, owner_id=str(org.rep.id))
    with app.app_context(), tenant(org.id):
        cs = as_user(org, org.cs)
        with pytest.raises(ApiError) as refused:
            create_routed_lead(cs, {"contact_name": "Ada Buyer", "region": "Hamburg"})
        db.session.rollback()
    assert (refused.value.status, refused.value.code) == (422, "no_owner")
    assert "owner_id" in refused.value.fields
    assert admin_api.get("/api/v1/leads").json["items"] == []


def test_a_routed_lead_is_checked_like_any_other(app, admin_api, org):
    add_rule(admin_api, name="All", owner_id=str(org.rep.id))
    with app.app_context(), tenant(org.id):
        cs = as_user(org, org.cs)
        with pytest.raises(ApiError) as refused:
            create_routed_lead(cs, {"contact_name": "Ada Buyer", "source": "telepathy"})
        db.session.rollback()
    assert refused.value.status == 422 and "source" in refused.value.fields
    error_of(admin_api.get(f"/api/v1/leads/{uuid.uuid4()}"), 404)
