"""Exactly one scheduler: a database lock that a second scheduler waits for.

PostgreSQL: a session-level advisory lock on a connection the scheduler keeps open; it goes
when the process (or its connection) dies. SQLite: a lease row that the holder renews; a
holder that died stops renewing and the lease runs out.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from app.database import utcnow
from app.extensions import db
from app.scheduler.models import SchedulerLease

# Any fixed 64-bit number; it names "the LeadSync scheduler" among advisory locks.
ADVISORY_KEY = 0x1EAD5_C0DE
LEASE_NAME = "scheduler"


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerLock:
    """``acquire()`` is safe to call again and again: it takes, keeps or renews the lock and
    says whether this process holds it now."""

    def acquire(self) -> bool:  # pragma: no cover - interface
        raise NotImplementedError

    def release(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class AdvisoryLock(SchedulerLock):
    def __init__(self) -> None:
        self._connection: Connection | None = None
        self._held = False

    def acquire(self) -> bool:
        try:
            if self._connection is None or self._connection.closed:
                self._connection = db.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT"
                )
                self._held = False
            if not self._held:
                self._held = bool(
                    self._connection.execute(
                        text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}
                    ).scalar()
                )
            else:
                self._connection.execute(
                    text("SELECT 1")
                )  # the lock lives as long as this connection
        except Exception:  # noqa: BLE001 - a broken connection means the lock is gone
            self._drop_connection()
        return self._held

    def _drop_connection(self) -> None:
        self._held = False
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
        self._connection = None

    def release(self) -> None:
        if self._connection is not None and self._held:
            with contextlib.suppress(Exception):  # a dead connection released it already
                self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
        self._drop_connection()


class LeaseLock(SchedulerLock):
    def __init__(
        self,
        lease: timedelta = timedelta(seconds=60),
        clock: Callable[[], datetime] = utcnow,
        holder: str | None = None,
    ) -> None:
        self.lease = lease
        self.clock = clock
        self.holder = holder or holder_name()

    def acquire(self) -> bool:
        now = self.clock()
        table = SchedulerLease.__table__
        try:
            taken = db.session.execute(
                update(table)
                .where(
                    table.c.name == LEASE_NAME,
                    (table.c.holder == self.holder) | (table.c.lease_until < now),
                )
                .values(holder=self.holder, lease_until=now + self.lease)
            ).rowcount
            if not taken:
                exists = db.session.execute(
                    select(table.c.name).where(table.c.name == LEASE_NAME)
                ).first()
                if exists is None:
                    db.session.execute(
                        insert(table).values(
                            name=LEASE_NAME, holder=self.holder, lease_until=now + self.lease
                        )
                    )
                    taken = 1
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another scheduler inserted the row first
            taken = 0
        return bool(taken)

    def release(self) -> None:
        table = SchedulerLease.__table__
        db.session.execute(
            update(table)
            .where(table.c.name == LEASE_NAME, table.c.holder == self.holder)
            .values(lease_until=self.clock() - timedelta(seconds=1))
        )
        db.session.commit()


def lock_for_database(clock: Callable[[], datetime] = utcnow) -> SchedulerLock:
    if db.engine.dialect.name == "postgresql":
        return AdvisoryLock()
    return LeaseLock(clock=clock)
