"""Putting reminders in the outbox: what the SLA check calls.

``enqueue_reminders`` (a batch) and ``enqueue_reminder`` (one, through the same code) are
an insert-or-ignore on (org, item_type, item_id, milestone, user): the SLA check may run as
often as it likes, and every process may run it at once, yet each person gets at most one
reminder per milestone of an item. Nothing is committed here: the reminders are written
with the caller's transaction.

Quiet hours: pass ``not_before`` = the end of the recipient's quiet hours (UTC) when the
milestone falls inside them. The sender does not take a reminder before ``not_before``;
``expires_at`` (default ``not_before + ttl``) still bounds how stale it may get.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Row, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.outboxes import update_if_still
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


@dataclass(frozen=True, kw_only=True)
class NewReminder:
    """One reminder to put in the outbox.

    * ``not_before`` (aware UTC): the earliest send time — the due moment, or the end of
      the recipient's quiet hours.
    * ``urgency``: RFC 8030 Urgency; default ``high`` for overdue/escalation, else normal.
    * ``ttl_seconds``: how long the push service keeps the message for an offline device;
      ``expires_at`` defaults to ``not_before + ttl_seconds``, after which it is not sent.
    * ``topic``: defaults to the item id (hex), so a newer reminder about the same item
      replaces an older one not yet shown at the push service.
    """

    org_id: uuid.UUID
    user_id: uuid.UUID
    kind: str
    item_type: str
    item_id: uuid.UUID
    milestone: str
    title: str
    body: str
    not_before: datetime
    url: str | None = None
    urgency: str | None = None
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    expires_at: datetime | None = None
    topic: str | None = None

    def row(self) -> dict[str, Any]:
        """The outbox row with every default filled in; ValueError on bad input."""
        if self.not_before.tzinfo is None:
            raise ValueError("not_before must be an aware UTC datetime")
        urgency = self.urgency or ("high" if self.kind in HIGH_URGENCY_KINDS else "normal")
        if urgency not in URGENCIES:
            raise ValueError(f"urgency must be one of {URGENCIES}")
        topic = self.topic or default_topic(self.item_id)
        if not TOPIC_PATTERN.match(topic):
            raise ValueError("topic must be 1-32 characters of A-Z a-z 0-9 - _")
        if self.ttl_seconds < 0:
            raise ValueError("ttl_seconds must not be negative")
        return {
            "org_id": self.org_id,
            "id": uuid.uuid4(),  # made here: how ``enqueue_reminders`` finds what went in
            "user_id": self.user_id,
            "kind": self.kind[:20],
            "item_type": self.item_type,
            "item_id": self.item_id,
            "milestone": self.milestone,
            "title": self.title[:120],
            "body": self.body[:400],
            "url": (self.url or default_url(self.item_type, self.item_id))[:300],
            "urgency": urgency,
            "ttl_seconds": self.ttl_seconds,
            "topic": topic,
            "not_before": self.not_before,
            "expires_at": self.expires_at or self.not_before + timedelta(seconds=self.ttl_seconds),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": self.not_before,
        }


def enqueue_reminder(*, supersede: bool = True, **fields: Any) -> Reminder | None:
    """Put one reminder (the fields of ``NewReminder``) in the outbox, or return None if
    this (item, milestone, user) already has one (whatever its status). Not committed here;
    ``enqueue_reminders`` says what ``supersede`` does."""
    reminder = NewReminder(**fields)
    inserted = enqueue_reminders([reminder], supersede=supersede)
    if not inserted:
        return None
    key = (reminder.org_id, inserted[0])
    return db.session.get(Reminder, key, execution_options={"all_orgs": True})


def enqueue_reminders(
    reminders: Iterable[NewReminder], *, supersede: bool = True, read_back: bool = True
) -> list[uuid.UUID]:
    """Put reminders in the outbox, skipping each whose (item, milestone, user) already has
    one, whatever its status; returns the ids of those that went in, in the order given. Not
    committed. Three statements at most, however many reminders: an insert, a read-back, an
    update of those superseded.

    ``supersede``: older reminders about the same item for the same person that are still
    pending (never sent) are marked expired ("superseded"): when a device comes back it gets
    "overdue", not "due soon" and then "overdue". The outcome is the same as enqueueing the
    reminders one at a time in the order given.

    ``read_back`` False (with ``supersede`` False): the insert alone, answering nothing — for
    reminders about a record made in this very transaction, which nothing can precede.

    Works inside ``tenant(org_id)`` or ``all_orgs()`` (or with no scope at all): the
    statements are Core on the table, so the tenancy hook does not apply and every value,
    ``org_id`` included, is explicit.
    """
    rows = [reminder.row() for reminder in reminders]
    if not rows:
        return []
    table = Reminder.__table__
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    # A plain executemany (psycopg pipelines it): several times faster than one multi-row
    # INSERT … RETURNING of a thousand rows, whose parameters PostgreSQL must parse at once.
    db.session.execute(
        insert.on_conflict_do_nothing(
            index_elements=["org_id", "item_type", "item_id", "milestone", "user_id"]
        ),
        rows,
    )
    # Which rows went in, read back instead of returned: a row made here is pending and seen
    # by this transaction alone, so the pending reminders of these items that carry one of
    # our new ids are exactly those inserted; the others hit the unique key.
    if not read_back and not supersede:
        return []
    pending = _pending_reminders(rows)
    ours = {row["id"] for row in rows}
    inserted = {old.id for group in pending.values() for old in group if old.id in ours}
    new = [row for row in rows if row["id"] in inserted]
    if supersede:
        _supersede(new, pending)
    return [row["id"] for row in new]


def _recipient(row: Mapping[str, Any]) -> tuple:
    return (row["org_id"], row["item_type"], row["item_id"], row["user_id"])


def _pending_reminders(rows: list[dict[str, Any]]) -> dict[tuple, list[Row]]:
    """The pending reminders about the items of ``rows``, by recipient, in one query."""
    table = Reminder.__table__
    pending: dict[tuple, list[Row]] = defaultdict(list)
    for old in db.session.execute(
        select(
            table.c.org_id,
            table.c.id,
            table.c.item_type,
            table.c.item_id,
            table.c.user_id,
            table.c.milestone,
            table.c.not_before,
        ).where(
            # a superset (organisations x items): callers match the exact recipient
            table.c.org_id.in_({row["org_id"] for row in rows}),
            table.c.item_id.in_({row["item_id"] for row in rows}),
            table.c.status == "pending",
        )
    ):
        pending[_recipient(old._mapping)].append(old)
    return pending


def _supersede(new: list[dict[str, Any]], pending: dict[tuple, list[Row]]) -> None:
    """Expire the pending reminders that each new row replaces: same item and person, other
    milestone, not due later than the new one. As if enqueued one at a time: a row replaces
    the reminders already there and the rows before it in ``new``, never those after it,
    and a reminder expired once keeps the reason of the first row that replaced it."""
    position = {row["id"]: n for n, row in enumerate(new)}
    expired: dict[uuid.UUID, dict[str, Any]] = {}
    for n, row in enumerate(new):
        for old in pending[_recipient(row)]:
            if (
                old.id not in expired
                and old.milestone != row["milestone"]
                and position.get(old.id, -1) < n
                and old.not_before <= row["not_before"]
            ):
                expired[old.id] = {
                    "b_org_id": old.org_id,
                    "b_id": old.id,
                    "b_error": f"superseded by {row['milestone']}"[:500],
                }
    # status is checked again: a sender may have claimed one since the SELECT
    update_if_still(
        Reminder.__table__,
        list(expired.values()),
        "pending",
        {"status": "expired", "last_error": bindparam("b_error")},
    )
