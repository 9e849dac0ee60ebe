"""What every outbox sender does alike: claim due rows with a lease, settle them, back off.

An outbox table (push reminders, outgoing mail) holds work the server owes someone, sent
later by a scheduler job. Its rows share a life: ``pending`` → ``sending`` (claimed, with
``next_attempt_at`` the end of the sender's lease) → a final status, or ``pending`` again
after a backoff. A ``sending`` row whose lease lapsed (its sender crashed) is due again.

The table needs ``org_id``, ``id``, ``status``, ``attempts`` and ``next_attempt_at``. What
is sent, and what an answer means, stays with each outbox's sender; this module is the
bookkeeping they share, so that two senders never take the same row, and a sender whose
lease lapsed mid-run never overwrites the outcome of the one that took over.

Nothing here commits: the sender commits the claim before it talks to anyone, and each
settlement after.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from sqlalchemy import ColumnElement, Table, bindparam, or_, select, tuple_, update

from app.extensions import db

PENDING = "pending"
SENDING = "sending"

# Settlement rows name their row with these two keys; every other key is a column to set.
# (A bind parameter may not share its name with a column the statement sets.)
ROW_KEYS = ("b_org_id", "b_id")

Row = TypeVar("Row")
Job = TypeVar("Job")


@dataclass
class SenderStats:
    """What one run of an outbox's sender did. Each sender declares its counts (ints, in
    the order its log line names them) in a dataclass of its own on top of this one;
    ``errors`` keeps the first few failures for whoever ran it."""

    MAX_ERRORS: ClassVar[int] = 50

    errors: list[str] = field(default_factory=list)

    def note_error(self, text: str) -> None:
        if len(self.errors) < self.MAX_ERRORS:
            self.errors.append(text)

    def log(self, logger: logging.Logger, outbox: str, started: float) -> None:
        """One line of counts, ``mail: 2 claimed, 1 sent, … in 0.12s`` (``started``: the
        run's ``time.monotonic()``). Never a message's text: counts only."""
        counts = ", ".join(
            f"{getattr(self, count.name)} {count.name.replace('_', ' ')}"
            for count in fields(self)
            if count.name != "errors"
        )
        logger.info("%s: %s in %.2fs", outbox, counts, time.monotonic() - started)


def backoff(attempts: int, base: int, ceiling: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: base, 2·base, 4·base … (seconds) up
    to ``ceiling``."""
    return timedelta(seconds=min(ceiling, base * 2 ** max(0, attempts - 1)))


def waiting(table: Table, now: datetime) -> ColumnElement[bool]:
    """Rows not yet settled and nobody's now: ``pending``, or ``sending`` with a lapsed
    lease. What a sender gives up on (too old, expired) is taken from these."""
    return or_(
        table.c.status == PENDING,
        (table.c.status == SENDING) & (table.c.next_attempt_at <= now),
    )


def claim_due(
    model: type[Row],
    now: datetime,
    batch: int,
    lease: timedelta,
    *,
    where: Iterable[ColumnElement[bool]] = (),
    order_by: Iterable[Any] = (),
) -> list[Row]:
    """Take up to ``batch`` rows of ``model`` due at ``now`` (and matching ``where``), in
    ``order_by`` order: they become ``sending`` until ``now + lease`` with one more attempt,
    and are returned as loaded then. Not committed: the caller commits the claim (with
    whatever else it reads) before sending, so no lock is held while it sends.

    Run it inside ``all_orgs()``: a sender works across organisations. On PostgreSQL the
    scan is ``FOR UPDATE SKIP LOCKED``, so senders running at once share the work; on
    SQLite the claiming transaction holds the write lock.
    """
    entity: Any = model  # the columns every outbox table has (module docstring)
    key = tuple_(entity.org_id, entity.id)
    order_by = list(order_by)
    query = (
        select(entity.org_id, entity.id)
        .where(entity.status.in_((PENDING, SENDING)), entity.next_attempt_at <= now, *where)
        .order_by(*order_by)
        .limit(batch)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=entity)
    keys = [tuple(row) for row in db.session.execute(query)]
    if not keys:
        return []
    db.session.execute(
        update(entity)
        .where(key.in_(keys))
        .values(status=SENDING, next_attempt_at=now + lease, attempts=entity.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return list(
        db.session.scalars(
            select(entity)
            .where(key.in_(keys))
            .order_by(*order_by)
            .execution_options(populate_existing=True)
        )
    )


def due_batches(
    claim: Callable[[], Sequence[Job]], batch: int, max_batches: int
) -> Iterator[Sequence[Job]]:
    """The batches ``claim`` takes (``batch`` at most each), one after another while it
    finds work: until one comes back empty or short (nothing more is due) or
    ``max_batches`` were taken (the rest waits for the next run)."""
    for _ in range(max_batches):
        jobs = claim()
        if not jobs:
            return
        yield jobs
        if len(jobs) < batch:
            return


def detached(job_type: type[Job], row: object, **computed: Any) -> Job:
    """A ``job_type`` (a dataclass) holding the values of ``row``'s attributes of the same
    names, but for ``computed`` ones given here: what a sender keeps of a claimed row, as
    the row itself expires when the claim is committed."""
    names = [kept.name for kept in fields(job_type) if kept.name not in computed]
    return job_type(**{name: getattr(row, name) for name in names}, **computed)


def update_if_still(
    table: Table, rows: list[dict[str, Any]], status: str, values: Mapping[str, Any]
) -> None:
    """Set ``values`` on each of ``rows`` (named by ``b_org_id`` and ``b_id``; one
    executemany) only while its status is still ``status``: a row someone else took or
    settled since it was read is left as they left it."""
    if not rows:
        return
    db.session.execute(
        update(table)
        .where(
            table.c.org_id == bindparam("b_org_id"),
            table.c.id == bindparam("b_id"),
            table.c.status == status,
        )
        .values(**values),
        rows,
    )


def settle(table: Table, rows: list[dict[str, Any]]) -> None:
    """Write the outcome of claimed rows: each row dict names its row (``b_org_id``,
    ``b_id``) and gives the columns to set (the same columns in every row). Only rows
    still ``sending``: a lease that lapsed mid-run may have been taken over."""
    if not rows:
        return
    columns = [key for key in rows[0] if key not in ROW_KEYS]
    update_if_still(table, rows, SENDING, {column: bindparam(column) for column in columns})
