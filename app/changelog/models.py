"""The tables of the change log: each organisation's change counter and the tombstones."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, utcnow
from app.extensions import db


class ChangeCounter(TenantScoped, db.Model):
    """One row per organisation: the last version handed out to a change.

    See ``app.changelog.versions`` for why this counter, and not a clock, orders changes.
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
