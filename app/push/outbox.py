"""Putting reminders in the outbox: what the SLA check calls.

``enqueue_reminder`` is an insert-or-ignore on (org, item_type, item_id, milestone, user):
the SLA check may run as often as it likes, and every process may run it at once, yet each
person gets at most one reminder per milestone of an item. Nothing is committed here: the
reminder is written with the caller's transaction.

Quiet hours: pass ``not_before`` = the end of the recipient's quiet hours (UTC) when the
milestone falls inside them. The sender does not take a reminder before ``not_before``;
``expires_at`` (default ``not_before + ttl``) still bounds how stale it may get.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

import orjson
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.push.models import ITEM_TYPES, URGENCIES, Reminder

# The push message must stay well under the 4 KB a push service accepts (RFC 8291: 3,993
# bytes of plaintext in one aes128gcm record); the sender refuses anything larger.
MAX_PAYLOAD_BYTES = 3072
HIGH_URGENCY_KINDS = frozenset({"overdue", "escalation"})
DEFAULT_TTL_SECONDS = 3600
TOPIC_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def default_topic(item_id: uuid.UUID) -> str:
    """32 URL-safe characters per item: a newer message about it replaces an older one
    still waiting at the push service (RFC 8030 §5.4)."""
    return item_id.hex


def default_url(item_type: str, item_id: uuid.UUID) -> str:
    return f"/{item_type}s/{item_id}"


def payload_of(reminder: Reminder) -> bytes:
    """The JSON the service worker receives (shown with ``showNotification``)."""
    body = {
        "title": reminder.title,
        "body": reminder.body,
        "url": reminder.url,
        "kind": reminder.kind,
        "item_type": reminder.item_type,
        "item_id": str(reminder.item_id),
        "milestone": reminder.milestone,
        "reminder_id": str(reminder.id),
        "tag": reminder.topic or default_topic(reminder.item_id),
    }
    if reminder.item_type in ITEM_TYPES:
        body[f"{reminder.item_type}_id"] = str(reminder.item_id)
    return orjson.dumps(body)


def enqueue_reminder(
    *,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: str,
    item_type: str,
    item_id: uuid.UUID,
    milestone: str,
    title: str,
    body: str,
    not_before: datetime,
    url: str | None = None,
    urgency: str | None = None,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    expires_at: datetime | None = None,
    topic: str | None = None,
    supersede: bool = True,
) -> Reminder | None:
    """Put one reminder in the outbox, or return None if this (item, milestone, user)
    already has one (whatever its status). Not committed here.

    * ``not_before`` (aware UTC): the earliest send time — the due moment, or the end of
      the recipient's quiet hours.
    * ``urgency``: RFC 8030 Urgency; default ``high`` for overdue/escalation, else normal.
    * ``ttl_seconds``: how long the push service keeps the message for an offline device;
      ``expires_at`` defaults to ``not_before + ttl_seconds``, after which it is not sent.
    * ``topic``: defaults to the item id (hex), so a newer reminder about the same item
      replaces an older one not yet shown at the push service.
    * ``supersede``: older reminders about the same item for the same person that are
      still pending (never sent) are marked expired ("superseded"): when a device comes
      back it gets "overdue", not "due soon" and then "overdue".

    Works inside ``tenant(org_id)`` or ``all_orgs()`` (or with no scope at all).
    """
    if not_before.tzinfo is None:
        raise ValueError("not_before must be an aware UTC datetime")
    urgency = urgency or ("high" if kind in HIGH_URGENCY_KINDS else "normal")
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {URGENCIES}")
    topic = topic or default_topic(item_id)
    if not TOPIC_PATTERN.match(topic):
        raise ValueError("topic must be 1-32 characters of A-Z a-z 0-9 - _")
    if ttl_seconds < 0:
        raise ValueError("ttl_seconds must not be negative")
    expires_at = expires_at or not_before + timedelta(seconds=ttl_seconds)
    values = {
        "org_id": org_id,
        "id": uuid.uuid4(),
        "user_id": user_id,
        "kind": kind[:20],
        "item_type": item_type,
        "item_id": item_id,
        "milestone": milestone,
        "title": title[:120],
        "body": body[:400],
        "url": (url or default_url(item_type, item_id))[:300],
        "urgency": urgency,
        "ttl_seconds": ttl_seconds,
        "topic": topic,
        "not_before": not_before,
        "expires_at": expires_at,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": not_before,
    }
    table = Reminder.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    statement = (
        insert.values(**values)
        .on_conflict_do_nothing(
            index_elements=["org_id", "item_type", "item_id", "milestone", "user_id"]
        )
        .returning(table.c.id)
    )
    # Core on the table, so the tenancy hook does not apply: every value is explicit.
    if db.session.execute(statement).scalar_one_or_none() is None:
        return None
    if supersede:
        db.session.execute(
            update(table)
            .where(
                table.c.org_id == org_id,
                table.c.item_type == item_type,
                table.c.item_id == item_id,
                table.c.user_id == user_id,
                table.c.milestone != milestone,
                table.c.status == "pending",
                table.c.not_before <= not_before,
            )
            .values(status="expired", last_error=f"superseded by {milestone}"[:500])
        )
    return db.session.get(Reminder, (org_id, values["id"]), execution_options={"all_orgs": True})
