"""Versions for changes, and tombstones: what pull reads to bring a device up to date.

Why a per-organisation counter, taken inside the writing transaction
-------------------------------------------------------------------
Every change to a synced record gets ``version = <organisation's counter> + 1``, written by
``UPDATE change_counters SET value = value + n … RETURNING value`` in the same transaction
as the change. That UPDATE locks the organisation's counter row until the transaction
commits or rolls back, so a second writer of the same organisation waits at its own
UPDATE and only then reads the new value. Versions are therefore handed out in commit
order: whenever a reader can see version N committed, every version below N is already
committed (or rolled back and never used). A pull that has sent everything up to N can
safely continue from "version > N" — a slow transaction can never commit a lower version
later, which is exactly how a timestamp-window pull loses rows (guarantee 1).

On SQLite every write transaction starts with ``BEGIN IMMEDIATE``: writers are serialised
by the database lock, which gives the same order.

Writers take the counter lock before any row lock (``lock_counter``), so the counter
cannot take part in a deadlock. The cost is that one organisation's writes are serialised
at the counter; a push batch holds it for the length of the batch. Writes of different
organisations never wait for each other, and a write per organisation every few
milliseconds is far above what a sales team produces.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import insert, update

from app.changelog.models import ChangeCounter, Tombstone
from app.extensions import db

_device: ContextVar[str | None] = ContextVar("leadsync_writing_device", default=None)


@contextmanager
def writing_device(client_id: uuid.UUID) -> Iterator[None]:
    """Mark the writes of a block as made by one device (a push batch)."""
    token = _device.set(client_id.hex)
    try:
        yield
    finally:
        _device.reset(token)


def current_device() -> str | None:
    return _device.get()


def init_counter(org_id: uuid.UUID) -> None:
    """Create the organisation's counter (once, when the organisation is made)."""
    db.session.execute(insert(ChangeCounter).values(org_id=org_id, value=0, purged_through=0))


def next_versions(org_id: uuid.UUID, count: int = 1) -> int:
    """Reserve ``count`` new versions; returns the highest (the first is ``result - count + 1``).

    Locks the organisation's counter until this transaction ends (see the module docstring).
    Inside ``counter_held`` the versions come from memory and the row is written once.
    """
    held = _held.get()
    if held is not None and held[0] == org_id:
        held[1] += count
        return held[1]
    result = db.session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.org_id == org_id)
        .values(value=ChangeCounter.value + count)
        .returning(ChangeCounter.value)
        .execution_options(synchronize_session=False)
    )
    return result.scalar_one()


_held: ContextVar[list | None] = ContextVar("leadsync_counter_held", default=None)


@contextmanager
def counter_held(org_id: uuid.UUID) -> Iterator[None]:
    """Hold the organisation's counter for a whole transaction (a push batch): lock it once,
    hand out versions from memory, and write the last one back when the block ends without
    an error. The caller commits after the block; on an error it rolls back, and the
    counter row is untouched. Versions used by a mutation whose savepoint was rolled back
    are simply skipped: versions must rise, not be contiguous."""
    value = db.session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.org_id == org_id)
        .values(value=ChangeCounter.value)
        .returning(ChangeCounter.value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    held = [org_id, value]
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    if held[1] != value:
        db.session.execute(
            update(ChangeCounter)
            .where(ChangeCounter.org_id == org_id)
            .values(value=held[1])
            .execution_options(synchronize_session=False)
        )


def lock_counter(org_id: uuid.UUID) -> None:
    """Take the organisation's counter lock now, before any row lock of this transaction.

    Every writer takes the counter before it locks a record, so two writers can never each
    hold what the other waits for (a deadlock on PostgreSQL). A push takes it once for the
    whole batch, outside the per-mutation savepoints, whose rollback could release it.
    """
    if _held.get() is not None:
        return  # already held for this transaction
    db.session.execute(
        update(ChangeCounter)
        .where(ChangeCounter.org_id == org_id)
        .values(value=ChangeCounter.value)
        .execution_options(synchronize_session=False)
    )


def stamp(record) -> int:
    """Give a changed record (any model with ``org_id`` and ``version``) a fresh version."""
    record.version = next_versions(record.org_id)
    return record.version


def bury(
    org_id: uuid.UUID,
    entity: str,
    entity_id: uuid.UUID,
    audiences: Iterable[str],
    version: int | None = None,
) -> int:
    """Record that ``entity_id`` left each of ``audiences`` at ``version`` (a new one if None)."""
    if version is None:
        version = next_versions(org_id)
    rows = [
        {
            "org_id": org_id,
            "audience": a,
            "version": version,
            "entity": entity,
            "entity_id": entity_id,
        }
        for a in dict.fromkeys(audiences)
    ]
    if rows:
        db.session.execute(insert(Tombstone), rows)
    return version
