"""Each record's sync change, stored as the JSON that a pull sends (stored entities only).

Why: a first sync reads thousands of leads and follow-ups, and building each one's JSON on
every pull (in Python, or in SQL) was most of its cost. So the change is built once, when
the record is written, by the entity's one serializer (the one REST uses), and a pull
passes it through as it is. Which entities do this is the registry's ``wire_columns``.

It is valid for one version only: ``wire_version`` says which. A pull uses the stored text
where ``wire_version = version`` and has the database build the change where not
(``changelog.sql``) — rows written without the ORM (a migration, a bulk load) are sent
right, only slower, and ``refresh_stored_changes`` (a scheduler job) stores theirs. A stale
copy can therefore never be sent: every change to a synced record takes a new version
(``versions.stamp``).
"""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from app.changelog import registry
from app.changelog.sql import wire_change
from app.changelog.wire import put_change
from app.extensions import db
from app.tenancy import all_orgs


def change_json(entity: str, data: dict[str, Any]) -> str:
    """A ``put`` change as JSON text, as pull sends it."""
    return orjson.dumps(put_change(entity, data)).decode()


def fill_wire(record: Any) -> None:
    """Store the record's change for its current version. Call it when every value is final;
    the ORM does so at each flush (below), a bulk insert must do it itself."""
    entity = registry.entity_of(type(record))
    _apply_column_defaults(record)
    record.wire_change = change_json(entity.name, entity.wire(record))
    record.wire_version = record.version


def _apply_column_defaults(record: Any) -> None:
    """Give a new record's unset columns their defaults now, as the INSERT would, so the
    stored change holds the values the row will hold. (A stored record's unloaded
    attributes are not unset: reading them loads them.)"""
    if inspect(record).key is not None:
        return
    values = record.__dict__
    for key, default in _python_defaults(type(record)):
        if key not in values:
            setattr(record, key, default.arg if default.is_scalar else default.arg(None))


_DEFAULTS: dict[type, list[tuple[str, Any]]] = {}


def _python_defaults(model: type) -> list[tuple[str, Any]]:
    """The model's columns with a default made in Python (a value, or a function such as
    new_id or utcnow; SQLAlchemy wraps functions to take an execution context)."""
    if model not in _DEFAULTS:
        _DEFAULTS[model] = [
            (column.key, column.default)
            for column in model.__table__.columns
            if column.default is not None
            and (column.default.is_scalar or column.default.is_callable)
        ]
    return _DEFAULTS[model]


def _is_stored(record: Any) -> bool:
    entity = registry.entity_of(type(record))
    return entity is not None and entity.stored


@event.listens_for(Session, "before_flush")
def _store_changes_of_written_records(session: Session, _context, _instances) -> None:
    for record in session.new:
        if _is_stored(record):
            fill_wire(record)
    for record in session.dirty:
        if _is_stored(record) and session.is_modified(record, include_collections=False):
            fill_wire(record)


def refresh_stored_changes(limit: int = 20_000) -> int:
    """Store the change of up to ``limit`` records of each stored entity whose stored copy
    is missing or stale, in SQL; returns how many rows were refreshed. Safe beside writers:
    each row's change is built from that row's values in the statement that stores it."""
    refreshed = 0
    dialect = db.engine.dialect.name
    with all_orgs():
        for entity in registry.stored_entities():
            t = entity.table
            stale = (
                select(t.c.id)
                .where(or_(t.c.wire_version.is_(None), t.c.wire_version != t.c.version))
                .limit(limit)
                .scalar_subquery()
            )
            result = db.session.execute(
                update(t)
                .where(t.c.id.in_(stale))
                .values(wire_change=wire_change(entity, dialect), wire_version=t.c.version)
                .execution_options(synchronize_session=False)
            )
            refreshed += result.rowcount
            db.session.commit()
    return refreshed
