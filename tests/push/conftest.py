"""Fixtures of the push tests: the push-service stand-in and the injected clock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.push.outbox import enqueue_reminder
from app.push.sender import DeliveryStats, deliver_due
from app.tenancy import tenant
from tests.push.standin import PushServiceStandIn

# The sender's clock in these tests: reminders are scheduled against it, never real time.
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def push_service(client) -> Iterator[PushServiceStandIn]:
    standin = PushServiceStandIn().start()
    standin.vapid_public_key = client.get("/api/v1/push/key").json["public_key"]
    yield standin
    standin.stop()
    assert not standin.problems, standin.problems


def subscribe(api, browser, **extra) -> dict:
    response = api.post("/api/v1/push/subscriptions", json=browser.to_json(**extra))
    assert response.status_code in (200, 201), response.json
    return response.json


def enqueue(app, person, **fields):
    """Put a reminder in the outbox for ``person`` (committed); returns its id or None."""
    values = {
        "kind": "due_soon",
        "item_type": "lead",
        "item_id": uuid.uuid4(),
        "milestone": "follow_up_due:2026-06-01T09:30",
        "title": "Call Ada Lovelace",
        "body": "Follow-up due in 30 minutes",
        "not_before": T0,
        "ttl_seconds": 1800,
        **fields,
    }
    with app.app_context(), tenant(person.org_id):
        reminder = enqueue_reminder(org_id=person.org_id, user_id=person.id, **values)
        db.session.commit()
        result = reminder.id if reminder is not None else None
        db.session.remove()
    return result


def run(app, now: datetime, **kwargs) -> DeliveryStats:
    with app.app_context():
        stats = deliver_due(now, **kwargs)
        db.session.remove()
    return stats


def reminder_row(app, org_id, reminder_id):
    from app.push.models import Reminder

    with app.app_context(), tenant(org_id):
        row = db.session.get(Reminder, (org_id, reminder_id))
        db.session.expunge_all()
        db.session.remove()
    return row
