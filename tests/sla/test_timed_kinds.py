"""The SLA check advances every registered kind of timed item, not only leads.

A second kind (a stand-in for the consumer questions, put in their place for the test) is
registered here with a table of its own, built in the real test database beside the
migrated schema but outside the app's metadata: the check, the clock steps and the
reminders handle it with no change in ``app.sla``, in the same rounds and transactions as
the leads.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import BigInteger, Index, String, Uuid, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from app.database import TenantScoped, UTCDateTime
from app.extensions import db
from app.leads.models import Lead
from app.leads.sla import reminder_wording
from app.sla import events
from app.sla.check import run_sla_check
from app.sla.clock import SlaClockColumns
from app.sla.models import SlaEvent
from app.sla.timed import (
    DefaultTarget,
    TimedKind,
    Wording,
    register_timed_kind,
    timed_kind,
    timed_kinds,
    unregister_timed_kind,
)
from app.tenancy import tenant
from tests.sla.conftest import berlin
from tests.sla.test_clocks import counter_of, create_lead, reminders


class _Base(DeclarativeBase):
    """The app's column types (aware UTC datetimes), in a metadata of the test's own."""

    registry = registry(type_annotation_map={datetime: UTCDateTime, uuid.UUID: Uuid})


class Question(TenantScoped, SlaClockColumns, _Base):
    """A consumer question: answered by whoever it is assigned to, within the service
    calendar's hours."""

    __tablename__ = "test_sla_questions"
    __table_args__ = (Index("ix_test_sla_questions_sla_next_at", "sla_next_at"),)

    # No foreign key: the organisations table lives in the app's metadata, not this one.
    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, sort_order=-100)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subject: Mapped[str] = mapped_column(String(200))
    assignee_id: Mapped[uuid.UUID] = mapped_column()
    queue_team_id: Mapped[uuid.UUID | None] = mapped_column()
    version: Mapped[int] = mapped_column(BigInteger, default=0)


def question_wording(question: Question, milestone: str) -> Wording:
    news = "due soon" if milestone == "warning" else "overdue"
    return Wording(f"Question {news}: {question.subject}", f"/questions/{question.id}")


QUESTIONS = TimedKind(
    item_type="question",
    model=Question,
    calendar_kind="service",
    owner_column="assignee_id",
    team_column="queue_team_id",
    wording=question_wording,
    default_targets={"first_reply": DefaultTarget(60, 0.8, escalate_after_minutes=60)},
)


@pytest.fixture
def questions(app):
    with app.app_context():
        _Base.metadata.create_all(db.engine)
    real = timed_kind("question")  # the app's own questions step aside for the stand-in
    unregister_timed_kind("question")
    register_timed_kind(QUESTIONS)
    yield QUESTIONS
    unregister_timed_kind("question")
    register_timed_kind(real)
    with app.app_context():
        db.session.remove()
        _Base.metadata.drop_all(db.engine)


def test_the_lead_kind_is_registered_when_the_app_is_created(app):
    lead = timed_kind("lead")
    assert (lead.model, lead.calendar_kind, lead.wording) == (Lead, "sales", reminder_wording)
    assert "lead" in [kind.item_type for kind in timed_kinds()]


def test_the_check_advances_a_second_kind_beside_the_leads(
    app, api_as, berlin_org, clock, questions
):
    admin = api_as(berlin_org.admin)
    # The question's target (a policy of its item type) in its own calendar: a midday shift.
    assert (
        admin.post(
            "/api/v1/sla/policies",
            json={
                "name": "Questions",
                "item_type": "question",
                "metric": "first_reply",
                "target_minutes": 30,
                "escalate_after_minutes": 20,
            },
        ).status_code
        == 201
    )
    shift = {"timezone": "Europe/Berlin", "weekly": {"mon": [{"start": "12:00", "end": "13:00"}]}}
    assert (
        admin.post(
            "/api/v1/sla/calendars",
            json={"name": "Midday desk", "kind": "service", "definition": shift},
        ).status_code
        == 201
    )
    lead = create_lead(api_as(berlin_org.rep), company="Weber Bau")  # due 11:00, escalates 13:00
    with app.app_context(), tenant(berlin_org.id):
        made = []
        for subject, assignee, team in (
            ("Where is my order?", berlin_org.rep2.id, berlin_org.team_id),
            ("Opening hours?", berlin_org.cs.id, None),
        ):
            question = Question(
                org_id=berlin_org.id, subject=subject, assignee_id=assignee, queue_team_id=team
            )
            db.session.add(question)
            columns = events.new_clock(
                QUESTIONS, berlin_org.id, "first_reply", None, None, team, clock.now
            )
            events.start(QUESTIONS, question, columns, clock.now)
            made.append(question)
        db.session.commit()
        where, opening = made[0].id, made[1].id
        # Thirty minutes of the midday shift, not of the sales hours (which would be 09:30).
        assert made[0].sla_due_at == berlin(23, 12, 30)
        assert made[0].sla_escalate_at == berlin(23, 12, 50)
    base = counter_of(app, berlin_org)

    # 12:25: the lead is overdue, both questions due soon. A batch of one: three rounds.
    with app.app_context():
        stats = run_sla_check(clock.set(day=23, hour=12, minute=25), batch=1)
    assert (stats.items, stats.kinds) == (3, {"lead": 1, "question": 2})
    assert stats.milestones == {"breached": 1, "warning": 2}
    sent = {(r.item_type, r.item_id, r.kind, r.user_id): r for r in reminders(app, berlin_org)}
    lead_id = uuid.UUID(lead["id"])
    assert set(sent) == {
        ("lead", lead_id, "overdue", berlin_org.rep.id),
        ("question", where, "due_soon", berlin_org.rep2.id),
        ("question", opening, "due_soon", berlin_org.cs.id),
    }
    # Each kind's own words: the lead's from app.leads.sla, the question's from its kind.
    overdue = sent[("lead", lead_id, "overdue", berlin_org.rep.id)]
    assert (overdue.title, overdue.url) == (
        "First response overdue: Ada Buyer (Weber Bau)",
        f"/leads/{lead['id']}",
    )
    soon = sent[("question", where, "due_soon", berlin_org.rep2.id)]
    assert (soon.title, soon.url) == (
        "Question due soon: Where is my order?",
        f"/questions/{where}",
    )
    assert soon.expires_at == berlin(23, 12, 30)  # stale once the question is due
    # One counter for both kinds: the lead first (in registration order), then the questions.
    with app.app_context(), tenant(berlin_org.id):
        lead_version = db.session.get(Lead, (berlin_org.id, lead_id)).version
        question_versions = sorted(db.session.scalars(select(Question.version)))
        db.session.rollback()
    assert [lead_version, *question_versions] == [base + 1, base + 2, base + 3]
    assert counter_of(app, berlin_org) == base + 3

    # 13:01: the questions are overdue and escalated (to the team's lead, or with no team to
    # the admins); the lead's breach has lasted its two hours.
    with app.app_context():
        stats = run_sla_check(clock.set(day=23, hour=13, minute=1))
    assert stats.kinds == {"lead": 1, "question": 2}
    assert stats.milestones == {"breached": 2, "escalated": 3}
    with app.app_context():
        assert run_sla_check(clock.now).items == 0  # nothing left behind
    later = Counter(
        (r.item_type, r.kind, r.user_id)
        for r in reminders(app, berlin_org)
        if r.created_at >= berlin(23, 13, 1)
    )
    assert later == {
        ("lead", "escalation", berlin_org.lead.id): 1,
        ("question", "overdue", berlin_org.rep2.id): 1,
        ("question", "overdue", berlin_org.cs.id): 1,
        ("question", "escalation", berlin_org.lead.id): 1,
        ("question", "escalation", berlin_org.admin.id): 1,
    }
    with app.app_context(), tenant(berlin_org.id):
        history = db.session.execute(
            select(SlaEvent.event)
            .where(SlaEvent.item_type == "question", SlaEvent.item_id == where)
            .order_by(SlaEvent.at)
        ).scalars()
        assert list(history) == ["started", "warning", "breached", "escalated"]
        question = db.session.get(Question, (berlin_org.id, where))
        assert (question.sla_state, question.sla_escalated_at) == ("breached", berlin(23, 13, 1))
        db.session.rollback()


def test_a_kind_cannot_take_another_kinds_item_type(questions):
    with pytest.raises(ValueError, match="registered already"):
        register_timed_kind(
            TimedKind("question", Lead, "sales", "owner_id", "team_id", reminder_wording, {})
        )
    assert register_timed_kind(QUESTIONS) is QUESTIONS  # the same model again: fine
    assert timed_kind("question") is QUESTIONS
    assert timed_kind("lead").model is Lead  # the lead kind is untouched
