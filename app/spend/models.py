"""Spend entries: one amount spent on one channel on one local day."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, new_id, utcnow
from app.extensions import db


class SpendEntry(TenantScoped, db.Model):
    __tablename__ = "spend_entries"
    # The channels report sums a period's entries by channel.
    __table_args__ = (Index("ix_spend_entries_org_day", "org_id", "spent_on", "source"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(40))
    spent_on: Mapped[date] = mapped_column()
    # In the organisation's reporting currency (the only one accepted).
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
