"""The demo organisation: a believable pipeline over 15 months, with real SLA history."""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.accounts.models import DEFAULT_LOST_REASONS, DEFAULT_SOURCES, Organization, Team, User
from app.database import utcnow
from app.extensions import db
from app.leads.models import OPEN_STAGES, STAGES, FollowUp, Lead, Product
from app.sla.models import Calendar, SlaEvent, SlaPolicy
from app.tenancy import tenant
from tests.conftest import ApiClient, Person
from tests.sync.syncing import Replica


@pytest.fixture
def demo(app):
    """Loads the demo once per test (through the CLI, as ``make run`` does); returns the
    sign-ins by email."""
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    print(f"demo loaded in {time.perf_counter() - started:.2f} s")
    assert result.exit_code == 0, result.output
    return {
        email: (role, password)
        for role, email, password in re.findall(
            r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", result.output, re.M
        )
    }


def _org_id():
    return db.session.scalar(select(Organization.id).where(Organization.name == "Demo Trading Co."))


def test_the_demo_pipeline_is_full_and_believable(app, demo):
    with app.app_context():
        org_id = _org_id()
        with tenant(org_id):
            leads = db.session.scalars(select(Lead)).all()
            now = utcnow()
            assert len(leads) >= 180
            created = [lead.created_at for lead in leads]
            assert max(created) < now
            assert now - min(created) >= timedelta(days=14 * 30)
            stages = Counter(lead.stage for lead in leads)
            assert set(stages) == set(STAGES)
            assert stages["lost"] > stages["won"] > 0  # most closed ones are lost
            assert {lead.source for lead in leads} >= set(DEFAULT_SOURCES)
            assert len({lead.priority for lead in leads}) >= 3
            assert len({lead.product_id for lead in leads if lead.product_id}) >= 5
            for lead in leads:
                if lead.stage == "won":
                    assert lead.won_value and lead.won_value > 0
                if lead.stage == "lost":
                    assert lead.lost_reason in DEFAULT_LOST_REASONS
            assert len({lead.lost_reason for lead in leads if lead.lost_reason}) >= 4
            products = db.session.scalars(select(Product)).all()
            assert len(products) >= 5 and all(p.list_price for p in products)
            names = {p.name for p in products}
            assert {"Industrial mixer M200", "Conveyor belt module"} <= names

            follow_ups = db.session.scalars(select(FollowUp)).all()
            kinds = Counter(f.kind for f in follow_ups)
            assert {"call", "visit", "quote", "message", "note"} <= set(kinds)
            assert all(f.quoted_amount for f in follow_ups if f.kind == "quote")
            by_id = {lead.id: lead for lead in leads}
            assert all(f.happened_at >= by_id[f.lead_id].created_at for f in follow_ups)
            assert all(f.happened_at <= now for f in follow_ups)

            open_leads = [lead for lead in leads if lead.stage in OPEN_STAGES]
            plans = [lead.next_follow_up_at for lead in open_leads if lead.next_follow_up_at]
            assert any(p > now for p in plans) and any(p < now for p in plans)


def test_sla_clocks_show_breaches_escalations_and_met_first_responses(app, demo):
    with app.app_context(), tenant(_org_id()):
        open_leads = db.session.scalars(select(Lead).where(Lead.stage.in_(OPEN_STAGES))).all()
        states = Counter(lead.sla_state for lead in open_leads)
        assert states["breached"] >= 3
        assert states["ok"] > states["breached"]  # most are on time
        escalated = [lead for lead in open_leads if lead.sla_escalated_at is not None]
        assert len(escalated) >= 3
        events = Counter((e.metric, e.event) for e in db.session.scalars(select(SlaEvent)))
        for milestone in ("breached", "escalated"):
            assert events[("first_response", milestone)] > 0
            assert events[("follow_up", milestone)] > 0
        met = db.session.scalars(
            select(SlaEvent).where(SlaEvent.metric == "first_response", SlaEvent.event == "met")
        ).all()
        on_time = sum(e.at <= e.due_at for e in met)
        assert on_time > len(met) * 0.7  # most first responses in time, some late
        assert on_time < len(met)
        jonas = db.session.scalar(select(Lead).where(Lead.contact_name == "Jonas Weber"))
        assert (jonas.sla_metric, jonas.sla_state) == ("first_response", "breached")
        assert jonas.sla_escalated_at is not None


def test_teams_people_policies_and_calendars(app, demo):
    assert Counter(role for role, _ in demo.values()) == {"rep": 5, "lead": 2, "admin": 1, "cs": 1}
    with app.app_context(), tenant(_org_id()):
        teams = {t.id: t.name for t in db.session.scalars(select(Team))}
        assert set(teams.values()) == {"Field Sales North", "Field Sales South"}
        people = db.session.scalars(select(User)).all()
        for team_id in teams:
            members = [u for u in people if team_id in u.team_ids]
            assert [u.role for u in members].count("lead") == 1
            assert [u.role for u in members].count("rep") >= 2
        robin = next(u for u in people if u.email == "robin@demo.leadsync.test")
        lee = next(u for u in people if u.email == "lead@demo.leadsync.test")
        assert robin.team_ids == lee.team_ids
        assert teams[lee.team_ids[0]] == "Field Sales North"
        assert db.session.scalar(select(func.count()).select_from(SlaPolicy)) >= 2
        calendars = db.session.scalars(select(Calendar)).all()
        kinds = {c.kind: c for c in calendars if c.team_id is None}
        assert set(kinds) == {"sales", "service"}
        sales, service = kinds["sales"].definition, kinds["service"].definition
        assert sales["timezone"] == service["timezone"] == "Europe/Berlin"
        assert sales["weekly"]["mon"] and not sales["weekly"]["sat"]
        assert service["weekly"]["sat"] == [{"start": "17:00", "end": "22:00"}]


def test_loading_again_if_empty_does_nothing(app, demo):
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Lead))
        db.session.remove()
    again = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert "already has data" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Lead)) == before
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 1
        db.session.remove()


def test_a_demo_reps_first_sync_pulls_their_leads(app, demo):
    role, password = demo["robin@demo.leadsync.test"]
    with app.app_context():
        org_id = _org_id()
        with tenant(org_id):
            robin = db.session.scalar(select(User).where(User.email == "robin@demo.leadsync.test"))
            mine = set(db.session.scalars(select(Lead.id).where(Lead.owner_id == robin.id)))
            person = Person(robin.id, org_id, robin.email, role, password)
        db.session.remove()
    device = Replica(ApiClient(app.test_client(), person))
    answers = device.pull_all(limit=100)
    assert len(answers) > 1  # paged
    assert set(device.of("lead")) == {str(i) for i in mine}
    assert {f["lead_id"] for f in device.of("followup").values()} <= set(device.of("lead"))
    assert device.of("followup") and device.of("product") and device.of("sla_policy")
