"""Push subscriptions, the reminder outbox and its delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, new_id, utcnow
from app.extensions import db

REMINDER_KINDS = ("due_soon", "overdue", "escalation", "question_due")
ITEM_TYPES = ("lead", "question")
URGENCIES = ("very-low", "low", "normal", "high")
# pending → sending → delivered | failed | expired; "sending" with a lapsed lease is pending.
STATUSES = ("pending", "sending", "delivered", "expired", "failed")


class PushSubscription(TenantScoped, db.Model):
    """One browser's ``PushSubscription`` (``toJSON()``), owned by one user.

    The endpoint is a capability URL of the browser's push service: it is stored with a
    SHA-256 of itself, which is what lookups use (endpoints can be long). An endpoint
    belongs to one user at a time: subscribing it again moves it (see ``push.service``).
    """

    __tablename__ = "push_subscriptions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("org_id", "endpoint_hash"),
        Index("ix_push_subscriptions_org_user", "org_id", "user_id"),
        # Finds an endpoint in whatever organisation holds it (moving between accounts).
        Index("ix_push_subscriptions_endpoint_hash", "endpoint_hash"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column()
    endpoint: Mapped[str] = mapped_column(String(2048))
    endpoint_hash: Mapped[str] = mapped_column(String(64))
    # base64url, as the browser gives them: a P-256 point (65 bytes) and a 16-byte secret.
    p256dh: Mapped[str] = mapped_column(String(100))
    auth: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime | None] = mapped_column()
    device_name: Mapped[str | None] = mapped_column(String(120))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_success_at: Mapped[datetime | None] = mapped_column()

    def info(self) -> dict:
        """The ``subscription_info`` pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


class Reminder(TenantScoped, db.Model):
    """One notification to one person about one milestone of one item (the outbox).

    At most one per (item, milestone, recipient): the unique key makes a second one
    impossible, and ``outbox.enqueue_reminder`` turns that into "already there".
    ``next_attempt_at`` is when the sender may take it next: ``not_before`` at first, later
    the retry time, and while ``sending`` the end of the sender's lease (a crashed
    sender's reminders become due again when it lapses).
    """

    __tablename__ = "reminders"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("org_id", "item_type", "item_id", "milestone", "user_id"),
        # The sender's scan across organisations: due work first.
        Index("ix_reminders_status_next_attempt", "status", "next_attempt_at"),
        Index("ix_reminders_org_user_status", "org_id", "user_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    user_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(20))
    item_type: Mapped[str] = mapped_column(String(20))
    item_id: Mapped[uuid.UUID] = mapped_column()
    milestone: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(400))
    url: Mapped[str] = mapped_column(String(300))
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    ttl_seconds: Mapped[int] = mapped_column()
    topic: Mapped[str | None] = mapped_column(String(32))
    not_before: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()


class DeliveryAttempt(TenantScoped, db.Model):
    """One HTTP request to a push service for one reminder and one subscription.

    ``subscription_id`` has no foreign key: the log outlives subscriptions that the push
    service reported gone (404/410).
    """

    __tablename__ = "reminder_attempts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "reminder_id"], ["reminders.org_id", "reminders.id"], ondelete="CASCADE"
        ),
        Index("ix_reminder_attempts_org_reminder", "org_id", "reminder_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    reminder_id: Mapped[uuid.UUID] = mapped_column()
    subscription_id: Mapped[uuid.UUID | None] = mapped_column()
    attempted_at: Mapped[datetime] = mapped_column()
    # None when no HTTP answer came (connection refused, timeout).
    status_code: Mapped[int | None] = mapped_column()
    # delivered | gone | retry | failed
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str | None] = mapped_column(String(300))
