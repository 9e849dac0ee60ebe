"""What every item of a push batch or a check run needs of the SLA settings (policies,
calendars), read once per transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

T = TypeVar("T")

_CACHE = "leadsync.sla_cache"


def per_transaction(key: tuple, load: Callable[[], T]) -> T:
    """``load()`` once per transaction and ``key``; dropped at commit and rollback, and when
    an admin changes the settings (``forget``)."""
    cache = db.session.info.setdefault(_CACHE, {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def forget() -> None:
    """Drop what this transaction has read of the SLA settings (they are being changed)."""
    db.session.info.pop(_CACHE, None)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:  # the real transaction, not a savepoint
        session.info.pop(_CACHE, None)
