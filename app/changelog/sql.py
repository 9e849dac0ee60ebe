"""A record's wire change built by the database, for entities whose changes are stored.

A pull reads the copy stored when the record was written (``changelog.stored``); where that
copy is missing or stale (rows written by plain SQL: a migration, a bulk load) the database
builds the same JSON from the columns, in the same wire forms, so such rows are sent right,
only slower, until ``refresh_stored_changes`` stores theirs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Float,
    Numeric,
    String,
    Text,
    Uuid,
    case,
    cast,
    func,
    literal_column,
    null,
    type_coerce,
)

from app.changelog.registry import SyncedEntity
from app.database import UTCDateTime
from app.extensions import db

_COLUMNS: dict[tuple[str, str], list[Any]] = {}


def feed_columns(entity: SyncedEntity) -> list[Any]:
    """What a pull reads of an entity's rows: for a stored entity its id (as text), version
    and whole change as JSON text (stored, else built here); for any other every column
    but the skipped ones."""
    dialect = db.engine.dialect.name
    key = (entity.name, dialect)
    if key not in _COLUMNS:  # built once: making the expressions costs more than a page
        table = entity.table
        if entity.stored:
            _COLUMNS[key] = [
                # as text, never parsed: the change itself carries the wire form
                cast(table.c.id, String).label("id"),
                table.c.version,
                _precompiled(
                    case(
                        (table.c.wire_version == table.c.version, table.c.wire_change),
                        else_=wire_change(entity, dialect),
                    )
                ).label("wire"),
            ]
        else:
            _COLUMNS[key] = [c for c in table.c if c.name not in entity.skip_columns]
    return _COLUMNS[key]


def _precompiled(expression) -> Any:
    """The expression as fixed SQL text. SQLAlchemy walks a statement's whole tree on every
    execution to find its cached compiled form; for a document of forty values that walk
    cost more than a page of rows. As text, it is one node."""
    sql = str(expression.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    return literal_column(sql, type_=Text)


def wire_change(entity: SyncedEntity, dialect: str):
    """SQL that yields a record's whole ``put`` change as JSON text."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    change = build(
        _key("entity"),
        _key(entity.name),
        _key("op"),
        _key("put"),
        _key("id"),
        wire_expression(entity.table.c.id, dialect),
        _key("version"),
        entity.table.c.version,
        _key("data"),
        wire_document(entity, dialect),
    )
    return cast(change, Text)


def wire_document(entity: SyncedEntity, dialect: str):
    """SQL that builds a record's JSON document, values in their wire form."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    columns = entity.table.c

    def pairs(names: tuple[str, ...], prefix: str = "") -> list[Any]:
        out: list[Any] = []
        for name in names:
            out += [_key(name), wire_expression(columns[prefix + name], dialect)]
        return out

    args = pairs(entity.wire_columns)
    for key, prefix, names in entity.nested:
        group = case(
            (columns[prefix + names[0]].is_(None), null()), else_=build(*pairs(names, prefix))
        )
        args += [_key(key), group if dialect == "postgresql" else func.json(group)]
    return build(*args)


def _key(name: str):
    """A key of the document, written into the SQL (a constant of ours, never user input)."""
    return literal_column(f"'{name}'")


def wire_expression(column, dialect: str):
    """SQL that yields a column's value as it travels: times as ISO 8601 UTC with
    milliseconds and Z (like ``isoformat_z``), UUIDs as hyphenated text, money as a number."""
    if isinstance(column.type, UTCDateTime):
        if dialect == "postgresql":
            return type_coerce(func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), String)
        # SQLAlchemy stores SQLite times as "YYYY-MM-DD HH:MM:SS.ffffff".
        return type_coerce(
            func.substr(column, 1, 10) + "T" + func.substr(column, 12, 12) + "Z", String
        )
    if isinstance(column.type, Uuid):
        if dialect == "postgresql":
            return cast(column, String)
        # SQLite keeps UUIDs as 32 hex digits.
        parts = [
            func.substr(column, start, length)
            for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        ]
        text = parts[0]
        for part in parts[1:]:
            text = text + "-" + part
        return type_coerce(text, String)
    if isinstance(column.type, Numeric):
        return type_coerce(cast(column, Float), Float)
    return column
