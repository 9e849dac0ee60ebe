"""The mail outbox: email the server owes someone, kept until it is sent or given up."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, new_id, utcnow
from app.extensions import db

# pending → sending → sent | failed; "sending" with a lapsed lease is pending again.
STATUSES = ("pending", "sending", "sent", "failed")


class OutgoingMail(TenantScoped, db.Model):
    """One plain-text email to one address, written in the transaction that owes it (a
    request that rolls back queues nothing) and sent later by the scheduler's mail job.

    ``next_attempt_at`` is when the sender may take it next: at once at first, later the
    retry time, and while ``sending`` the end of the sender's lease (a crashed sender's mail
    becomes due again when it lapses). ``text`` may carry a secret link: it is never logged,
    and it is emptied once the mail is sent or given up, so the table does not keep secrets
    it no longer needs. ``message_id`` is made at queue time, so a mail sent twice (a lease
    that lapsed mid-send) carries one Message-ID that mail clients show once.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        # The sender's scan across organisations: due work first (as the push outbox's).
        Index("ix_mail_outbox_status_next_attempt", "status", "next_attempt_at"),
        # What was mailed about a record (a question's replies), within its organisation.
        Index("ix_mail_outbox_org_kind_ref", "org_id", "kind", "ref_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # What the mail is about ("question_reply") and the record it is about, if one.
    kind: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[uuid.UUID | None] = mapped_column()
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(250))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    # The last failure as the server or network gave it (never the message's text).
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
