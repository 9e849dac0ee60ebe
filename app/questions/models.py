"""A consumer's question and the messages of its conversation; the desk's canned answers."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, new_id, utcnow
from app.extensions import db
from app.sla.clock import SlaClockColumns

STATUSES = ("new", "open", "resolved")
AUTHORS = ("consumer", "staff")


class Question(TenantScoped, SlaClockColumns, db.Model):
    """Asked through the public form or API; answered by customer service.

    ``status``: ``new`` until staff first answer the consumer, then ``open``; ``resolved``
    until the consumer writes again. A claim (``claimed_by``/``claimed_at``) lapses after
    ``QUESTION_CLAIM_MINUTES`` without a reply from its holder (each reply renews it).
    The ``sla_*`` columns are its ``first_reply`` clock on the service calendar
    (``app.questions.sla``); ``team_id`` is the claim holder's team, whose leads hear of
    an escalation (none: the admins).
    """

    __tablename__ = "questions"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "product_id"], ["products.org_id", "products.id"]),
        ForeignKeyConstraint(["org_id", "claimed_by"], ["users.org_id", "users.id"]),
        ForeignKeyConstraint(["org_id", "team_id"], ["teams.org_id", "teams.id"]),
        ForeignKeyConstraint(["org_id", "lead_id"], ["leads.org_id", "leads.id"]),
        UniqueConstraint("org_id", "token_hash"),
        # The consumer's link is opened without an account: found by its hash alone.
        Index("ix_questions_token_hash", "token_hash"),
        # The queue: by status, newest first.
        Index("ix_questions_org_status_created", "org_id", "status", "created_at"),
        Index("ix_questions_org_created", "org_id", "created_at"),
        # Pull reads the desk's questions in version order.
        Index("ix_questions_org_version", "org_id", "version"),
        # A lead's conversation: the question it was made from.
        Index("ix_questions_org_lead", "org_id", "lead_id"),
        # The SLA check finds due clocks by this alone (``app.sla.timed``).
        Index("ix_questions_sla_next_at", "sla_next_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    product_id: Mapped[uuid.UUID | None] = mapped_column()
    product_text: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="new")
    claimed_by: Mapped[uuid.UUID | None] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()
    team_id: Mapped[uuid.UUID | None] = mapped_column()
    # The lead the desk handed the buying interest to (``convert``).
    lead_id: Mapped[uuid.UUID | None] = mapped_column()
    # SHA-256 of the consumer's link secret: the secret is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64))
    # The secret sealed with the server's key (``security.seal``): staff replies mail the
    # consumer their link again. None when it could not be sealed (made before it was kept).
    token_sealed: Mapped[str | None] = mapped_column(String(200))
    # Messages so far: the next one's position (written under the question's row lock).
    message_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_consumer_message_at: Mapped[datetime | None] = mapped_column()
    first_replied_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()


class QuestionMessage(TenantScoped, db.Model):
    """One message of a conversation: the consumer's, a staff reply, or a staff-only note
    (``internal``, never shown to the consumer). Bodies are plain text, escaped wherever
    they are shown."""

    __tablename__ = "question_messages"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "question_id"], ["questions.org_id", "questions.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["org_id", "author_id"], ["users.org_id", "users.id"]),
        UniqueConstraint("org_id", "question_id", "position"),
        Index("ix_question_messages_org_version", "org_id", "version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    question_id: Mapped[uuid.UUID] = mapped_column()
    # 1, 2, 3… within the question: the conversation's order even when times tie.
    position: Mapped[int] = mapped_column()
    author: Mapped[str] = mapped_column(String(10))
    # The staff member who wrote it (None for the consumer).
    author_id: Mapped[uuid.UUID | None] = mapped_column()
    # As shown beside the message: the consumer's or the staff member's name when written.
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class CannedAnswer(TenantScoped, db.Model):
    """Knowledge at hand: a prepared reply customer service inserts while answering.

    ``body`` is plain text with placeholders (``{{consumer.name}}``…) filled in when it is
    rendered for a question (``canned.render``), never evaluated as a template. Retiring one
    (``active`` false) keeps it, so what staff once sent can still be traced to it.
    """

    __tablename__ = "canned_answers"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "product_id"], ["products.org_id", "products.id"]),
        ForeignKeyConstraint(["org_id", "created_by"], ["users.org_id", "users.id"]),
        # The list: an organisation's answers by title.
        Index("ix_canned_answers_org_title", "org_id", "title"),
        Index("ix_canned_answers_org_version", "org_id", "version"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    product_id: Mapped[uuid.UUID | None] = mapped_column()
    # Short labels ("delivery", "price"), as typed; matched in any case.
    tags: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    # The organisation's change counter at the last change (ready for sync to cs devices).
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by: Mapped[uuid.UUID] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
