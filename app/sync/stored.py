"""Each lead's and follow-up's sync change, stored as the JSON that a pull sends.

Why: a first sync reads thousands of leads and follow-ups, and building each one's JSON on
every pull (in Python, or in SQL) was most of its cost. So the change is built once, when
the record is written, by the same serializer REST uses (``lead_wire``/``follow_up_wire``),
and a pull passes it through as it is.

It is valid for one version only: ``wire_version`` says which. A pull uses the stored text
where ``wire_version = version`` and builds the change in SQL where not (``pull.wire_change``)
— rows written without the ORM (a migration, a bulk load) are sent right, only slower, and
``refresh_stored_changes`` (a scheduler job) stores theirs. A stale copy can therefore never
be sent: every change to a synced record takes a new version (``changes.stamp``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.leads.models import FollowUp, Lead
from app.leads.wire import follow_up_wire, lead_wire
from app.sync.wire import put_change
from app.tenancy import all_orgs

# The entity name a record travels under, and its serializer.
_KINDS: dict[type, tuple[str, Callable[[Any], dict[str, Any]]]] = {
    Lead: ("lead", lead_wire),
    FollowUp: ("followup", follow_up_wire),
}


def change_json(entity: str, data: dict[str, Any]) -> str:
    """A ``put`` change as JSON text, as pull sends it."""
    return orjson.dumps(put_change(entity, data)).decode()


def fill_wire(record: Lead | FollowUp) -> None:
    """Store the record's change for its current version. Call it when every value is final;
    the ORM does so at each flush (below), a bulk insert must do it itself."""
    _apply_column_defaults(record)
    entity, to_wire = _KINDS[type(record)]
    record.wire_change = change_json(entity, to_wire(record))
    record.wire_version = record.version


def _apply_column_defaults(record: Any) -> None:
    """Give a new record's unset columns their defaults now, as the INSERT would, so the
    stored change holds the values the row will hold. (A stored record's unloaded
    attributes are not unset: reading them loads them.)"""
    if inspect(record).key is not None:
        return
    values = record.__dict__
    for key, default in _DEFAULTS[type(record)]:
        if key not in values:
            setattr(record, key, default.arg if default.is_scalar else default.arg(None))


# Per kind, the columns with a default made in Python (a value, or a function such as
# new_id or utcnow; SQLAlchemy wraps functions to take an execution context).
_DEFAULTS = {
    kind: [
        (column.key, column.default)
        for column in kind.__table__.columns
        if column.default is not None and (column.default.is_scalar or column.default.is_callable)
    ]
    for kind in _KINDS
}


@event.listens_for(Session, "before_flush")
def _store_changes_of_written_records(session: Session, _context, _instances) -> None:
    for record in session.new:
        if type(record) in _KINDS:
            fill_wire(record)
    for record in session.dirty:
        if type(record) in _KINDS and session.is_modified(record, include_collections=False):
            fill_wire(record)


def refresh_stored_changes(limit: int = 20_000) -> int:
    """Store the change of up to ``limit`` leads and of as many follow-ups whose stored copy
    is missing or stale, in SQL; returns how many rows were refreshed. Safe beside writers:
    each row's change is built from that row's values in the statement that stores it."""
    from app.sync.pull import FEEDS, wire_change  # pull builds changes in SQL for both

    refreshed = 0
    dialect = db.engine.dialect.name
    with all_orgs():
        for feed in FEEDS:
            if feed.entity not in ("lead", "followup"):
                continue
            t = feed.table
            stale = (
                select(t.c.id)
                .where(or_(t.c.wire_version.is_(None), t.c.wire_version != t.c.version))
                .limit(limit)
                .scalar_subquery()
            )
            result = db.session.execute(
                update(t)
                .where(t.c.id.in_(stale))
                .values(wire_change=wire_change(feed, dialect), wire_version=t.c.version)
                .execution_options(synchronize_session=False)
            )
            refreshed += result.rowcount
            db.session.commit()
    return refreshed
