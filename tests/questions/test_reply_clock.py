"""A question's first-reply clock on the service calendar: the promise the consumer reads,
the queue's order, and warnings, breaches and escalations by push — worked out by hand on
an evening shift of 18:00–23:00 Berlin time and a 40-minute target."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.push.models import Reminder
from app.sla.check import run_sla_check
from app.tenancy import tenant
from tests.questions.conftest import ask, slug_of, token_of

EVERY_EVENING = {
    day: [{"start": "18:00", "end": "23:00"}]
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
}


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall time in December 2026 (UTC+1), in UTC."""
    return datetime(2026, 12, day, hour - 1, minute, tzinfo=UTC)


@pytest.fixture
def desk(org, api_as):
    """The organisation's evening shift and a 40-minute first-reply target (warn at 75 %,
    escalate 20 minutes after the breach)."""
    admin = api_as(org.admin)
    assert admin.patch("/api/v1/org", json={"timezone": "Europe/Berlin"}).status_code == 200
    made = admin.post(
        "/api/v1/sla/calendars",
        json={
            "name": "Evening shift",
            "kind": "service",
            "definition": {"timezone": "Europe/Berlin", "weekly": EVERY_EVENING},
        },
    )
    assert made.status_code == 201, made.json
    policy = admin.post(
        "/api/v1/sla/policies",
        json={
            "name": "Evening replies",
            "item_type": "question",
            "metric": "first_reply",
            "target_minutes": 40,
            "warn_ratio": 0.75,
            "escalate_after_minutes": 20,
        },
    )
    assert policy.status_code == 201, policy.json
    return org


def reminders(app, org, **where) -> list[tuple]:
    with app.app_context(), tenant(org.id):
        rows = db.session.scalars(select(Reminder).order_by(Reminder.created_at, Reminder.kind))
        found = [
            (r.user_id, r.kind, r.title)
            for r in rows
            if all(getattr(r, k) == v for k, v in where.items())
        ]
        db.session.remove()
    return found


def check(app, at: datetime) -> None:
    with app.app_context():
        run_sla_check(at)
        db.session.remove()


def test_a_question_asked_on_shift_is_promised_a_reply_by_the_target(client, api_as, desk, clock):
    clock.now = berlin(1, 21, 0)  # Tuesday 21:00
    slug = slug_of(api_as, desk)
    form = client.get(f"/q/{slug}")
    assert "We reply by 21:40 tonight." in form.get_data(as_text=True)

    created = ask(client, slug)
    assert created.json["promise"] == {
        "state": "promised",
        "due_at": "2026-12-01T20:40:00.000Z",
        "text": "We reply by 21:40 tonight.",
    }
    token = token_of(created)
    page = client.get(f"/c/{token}").get_data(as_text=True)
    assert "We reply by 21:40 tonight." in page

    # 21:40 passes without a reply: the page says the promise is broken.
    clock.now = berlin(1, 21, 41)
    late = client.get(f"/api/v1/public/questions/{token}").json["promise"]
    assert late["state"] == "late"
    assert late["text"].startswith("We promised a reply by 21:40 tonight and are late.")
    assert "are late" in client.get(f"/c/{token}").get_data(as_text=True)

    # The reply comes: nothing more is promised until the consumer writes again.
    qid = created.json["id"]
    assert api_as(desk.cs).post(f"/api/v1/questions/{qid}/replies", json={"body": "Yes."})
    assert client.get(f"/api/v1/public/questions/{token}").json["promise"]["state"] == "none"


def test_after_the_shift_the_promise_is_the_next_shift(client, api_as, desk, clock):
    clock.now = berlin(1, 23, 30)  # the desk closed at 23:00
    slug = slug_of(api_as, desk)
    expected = "Our desk is closed now. We reply tomorrow from 18:00 (by 18:40 at the latest)."
    assert expected in client.get(f"/q/{slug}").get_data(as_text=True)
    created = ask(client, slug)
    assert created.json["promise"]["text"] == expected
    assert created.json["promise"]["due_at"] == "2026-12-02T17:40:00.000Z"
    # Late on a Friday night the next shift is still "tomorrow"; at 23:30 on Saturday too.
    clock.now = berlin(4, 17, 50)  # Friday, ten minutes before the shift
    assert ask(client, slug).json["promise"]["text"] == (
        "Our desk is closed now. We reply tonight from 18:00 (by 18:40 at the latest)."
    )


def test_the_queue_puts_the_earliest_deadline_first_and_answered_ones_last(
    client, api_as, desk, clock
):
    slug = slug_of(api_as, desk)
    cs = api_as(desk.cs)
    clock.now = berlin(1, 21, 0)
    first = ask(client, slug, name="First").json
    clock.now = berlin(1, 21, 10)
    ask(client, slug, name="Second")
    assert [q["name"] for q in cs.get("/api/v1/questions").json] == ["First", "Second"]

    clock.now = berlin(1, 21, 15)
    assert cs.post(f"/api/v1/questions/{first['id']}/replies", json={"body": "Hi"})
    listed = cs.get("/api/v1/questions").json
    assert [q["name"] for q in listed] == ["Second", "First"]
    assert listed[1]["sla"]["state"] == "met"

    # The consumer of the first writes again at 21:20: a reply is owed by 22:00, after the
    # second's 21:50.
    clock.now = berlin(1, 21, 20)
    client.post(f"/api/v1/public/questions/{first['token']}/messages", json={"message": "And?"})
    listed = cs.get("/api/v1/questions").json
    assert [q["name"] for q in listed] == ["Second", "First"]
    assert listed[1]["sla"]["due_at"] == "2026-12-01T21:00:00.000Z"  # 22:00 Berlin
    assert listed[0]["sla"]["due_at"] == "2026-12-01T20:50:00.000Z"  # 21:50 Berlin


def test_warnings_go_to_the_desk_then_the_holder_and_escalations_to_the_admins(
    app, client, api_as, desk, clock
):
    slug = slug_of(api_as, desk)
    clock.now = berlin(1, 21, 0)
    created = ask(client, slug, name="Waiting Walter").json
    qid = created["id"]
    # On shift, the desk heard of it at once.
    assert reminders(app, desk, kind="new_question") == [
        (desk.cs.id, "new_question", "New question: Waiting Walter")
    ]

    # 75 % of 40 minutes: 21:30. Nobody has claimed it: the whole desk is warned.
    check(app, berlin(1, 21, 30))
    assert reminders(app, desk, kind="due_soon") == [
        (desk.cs.id, "due_soon", "Reply due soon: Waiting Walter")
    ]
    # Claimed at 21:35; the breach at 21:40 tells the holder.
    clock.now = berlin(1, 21, 35)
    assert api_as(desk.cs).post(f"/api/v1/questions/{qid}/claim").status_code == 200
    check(app, berlin(1, 21, 41))
    assert reminders(app, desk, kind="overdue") == [
        (desk.cs.id, "overdue", "Reply overdue: Waiting Walter")
    ]
    # 20 business minutes later (22:00) the breach escalates: the holder is in no team, so
    # the admins hear of it.
    check(app, berlin(1, 22, 1))
    assert reminders(app, desk, kind="escalation") == [
        (desk.admin.id, "escalation", "Reply overdue: Waiting Walter")
    ]
    question = api_as(desk.cs).get(f"/api/v1/questions/{qid}").json
    assert (question["sla"]["state"], question["sla"]["breached_at"]) == (
        "breached",
        "2026-12-01T20:40:00.000Z",
    )


def test_a_question_off_shift_pushes_nobody_and_resolving_stops_the_clock(
    app, client, api_as, desk, clock
):
    clock.now = berlin(1, 23, 30)
    created = ask(client, slug_of(api_as, desk)).json
    assert reminders(app, desk, kind="new_question") == []
    clock.now = berlin(2, 18, 5)
    resolved = api_as(desk.cs).post(f"/api/v1/questions/{created['id']}/resolve")
    assert resolved.json["sla"]["state"] == "paused"
    check(app, berlin(2, 19, 0))  # past its deadline (18:40): nothing, it is resolved
    assert reminders(app, desk, kind="overdue") == []
    assert client.get(f"/api/v1/public/questions/{created['token']}").json["promise"] == {
        "state": "none",
        "due_at": None,
        "text": "",
    }


def test_a_question_is_timed_by_its_first_reply_only(api_as, org):
    admin = api_as(org.admin)
    for path, extra in (
        ("/api/v1/sla/policies", {"name": "Wrong", "target_minutes": 30}),
        ("/api/v1/sla/preview", {}),
    ):
        refused = admin.post(
            path, json={"item_type": "question", "metric": "first_response", **extra}
        )
        assert refused.status_code == 422, refused.json
        assert "metric" in refused.json["error"]["fields"]
    preview = admin.post(
        "/api/v1/sla/preview", json={"item_type": "question", "metric": "first_reply"}
    )
    assert preview.status_code == 200, preview.json
