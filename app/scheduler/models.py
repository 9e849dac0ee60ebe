"""The scheduler's own bookkeeping: who holds the lock, and when each job last ran.

These two tables are the service's machinery, not any organisation's data, so they carry
no ``org_id`` (like ``alembic_version``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class SchedulerLease(db.Model):
    """On SQLite (no advisory locks) the lock is this row, held for a renewable lease."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    lease_until: Mapped[datetime] = mapped_column()


class JobRun(db.Model):
    """When a job last ran, so a restarted scheduler runs an overdue job once, not N times."""

    __tablename__ = "scheduler_job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_started_at: Mapped[datetime | None] = mapped_column()
    last_finished_at: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[str | None] = mapped_column(String(10))
    last_error: Mapped[str | None] = mapped_column(Text)
