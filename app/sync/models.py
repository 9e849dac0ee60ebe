"""The tables behind sync: the change counter, tombstones and the devices that sync."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, utcnow
from app.extensions import db


class ChangeCounter(TenantScoped, db.Model):
    """One row per organisation: the last version handed out to a change.

    See ``app.sync.changes`` for why this counter, and not a clock, orders changes.
    """

    __tablename__ = "change_counters"

    value: Mapped[int] = mapped_column(BigInteger, default=0)
    # Tombstones up to this version were purged; an older cursor must start afresh.
    purged_through: Mapped[int] = mapped_column(BigInteger, default=0)


class Tombstone(TenantScoped, db.Model):
    """A record left an audience (deleted, reassigned away, moved to another team).

    ``audience`` says who may hold the record: ``org`` (everyone who sees the whole
    organisation), ``u:<user>`` (its owner) or ``t:<team>`` (that team's leads).
    """

    __tablename__ = "tombstones"
    __table_args__ = (Index("ix_tombstones_org_created", "org_id", "created_at"),)

    audience: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SyncClient(TenantScoped, db.Model):
    """One install of a client: whose it is, and the last mutation it had processed."""

    __tablename__ = "sync_clients"
    __table_args__ = (
        # A client id belongs to one user across the whole service (protocol: client_taken).
        UniqueConstraint("client_id"),
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column()
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_push_at: Mapped[datetime | None] = mapped_column()
    last_pull_at: Mapped[datetime | None] = mapped_column()
