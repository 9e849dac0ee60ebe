"""A run of lead.create is written together: one INSERT per table, and each SLA clock worked
out once per kind of lead. Every lead must still come out as if it had been created alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import database
from app.extensions import db
from app.sla.models import SlaEvent
from app.tenancy import tenant
from tests.sync.syncing import Replica, new_lead, server_view

SUNDAY_2100_BERLIN = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # the office is closed
ROUND_THE_CLOCK = {
    "timezone": "Europe/Berlin",
    "weekly": {
        day: [{"start": "00:00", "end": "24:00"}]
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    },
}


@pytest.fixture
def frozen_clock():
    """Leads pushed and leads created alone start their clocks at the same instant."""
    database.set_clock(lambda: SUNDAY_2100_BERLIN)
    yield
    database.set_clock(None)


def events_of(app, org, lead_id: str) -> list[tuple]:
    with app.app_context(), tenant(org.id):
        rows = db.session.execute(
            select(
                SlaEvent.metric, SlaEvent.event, SlaEvent.at, SlaEvent.due_at, SlaEvent.policy_id
            )
            .where(SlaEvent.item_id == uuid.UUID(lead_id))
            .order_by(SlaEvent.at, SlaEvent.event)
        ).all()
        db.session.rollback()
        return [tuple(row) for row in rows]


def test_a_pushed_run_gets_the_clocks_of_leads_created_one_by_one(app, api_as, org, frozen_clock):
    admin = api_as(org.admin)
    assert admin.patch("/api/v1/org", json={"timezone": "Europe/Berlin"}).status_code == 200
    night = admin.post("/api/v1/teams", json={"name": "Night"}).json["id"]
    calendar = {"name": "Night", "kind": "sales", "team_id": night, "definition": ROUND_THE_CLOCK}
    assert admin.post("/api/v1/sla/calendars", json=calendar).status_code == 201
    for policy in (
        {"name": "Web", "metric": "first_response", "target_minutes": 90, "source": "website"},
        {"name": "Urgent", "metric": "first_response", "target_minutes": 60, "priority": "urgent"},
        {
            "name": "Urgent web",
            "metric": "first_response",
            "target_minutes": 15,
            "priority": "urgent",
            "source": "website",
        },
    ):
        assert admin.post("/api/v1/sla/policies", json=policy).status_code == 201
    kinds = [
        {"priority": priority, "source": source, "team_id": team}
        for priority in ("normal", "urgent")
        for source in ("website", "phone")
        for team in (str(org.team_id), night)
    ]
    pushed = [new_lead(**kind) for kind in kinds for _ in range(2)]  # two of each kind
    answer = Replica(admin).push(*[("lead.create", lead) for lead in pushed])
    assert [r["status"] for r in answer["results"]] == ["applied"] * len(pushed)
    alone = []
    for kind in kinds:
        response = admin.post("/api/v1/leads", json=new_lead(**kind))
        assert response.status_code == 201
        alone.append(response.json)

    view = server_view(admin)
    for index, single in enumerate(alone):
        for lead in pushed[2 * index : 2 * index + 2]:
            assert view[("lead", lead["id"])]["sla"] == single["sla"]
            assert events_of(app, org, lead["id"]) == events_of(app, org, single["id"])
    # The kinds really differ: four targets, each counted in two calendars.
    assert len({single["sla"]["due_at"] for single in alone}) == 8
