"""The one JSON error shape: ``{"error": {"code", "message", "fields"?}}``, for everything.

Services raise ``ApiError`` (or a subclass); Flask's own HTTP errors, webargs validation
errors and anything unexpected are turned into the same shape here.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, jsonify
from sqlalchemy import Column, ForeignKeyConstraint, MetaData, PrimaryKeyConstraint
from sqlalchemy import UniqueConstraint as SqlUniqueConstraint
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.sql import visitors
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

# The code every HTTP status gets when nothing more precise was said.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the client should see, with its HTTP status."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, Any] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.extra = extra

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class NotFound(ApiError):
    def __init__(self, what: str = "record") -> None:
        super().__init__(404, "not_found", f"No such {what}.")


class Forbidden(ApiError):
    def __init__(self, message: str = "You are not allowed to do that.", code: str = "forbidden"):
        super().__init__(403, code, message)


class AlreadyExists(ApiError):
    """A create whose id is already taken (sync answers ``duplicate``)."""

    def __init__(self, what: str) -> None:
        super().__init__(409, "already_exists", f"A {what} with that id exists already.")


class ValidationFailed(ApiError):
    def __init__(self, fields: dict[str, Any], message: str = "Some fields are not valid.") -> None:
        super().__init__(422, "validation_error", message, fields)


def error_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
    response = jsonify({"error": body})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _flatten_webargs_messages(messages: dict[str, Any]) -> dict[str, Any]:
    """webargs nests errors by location ({"json": {...}, "query": {...}}): merge them."""
    fields: dict[str, Any] = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            fields.update(location_errors)
        else:
            fields["_schema"] = location_errors
    return fields


def http_exception_body(error: HTTPException) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Turn a werkzeug/webargs HTTPException into (status, error body, headers)."""
    status = error.code or 500
    code = STATUS_CODES.get(status, "error")
    message = error.description or error.name
    fields = None
    # Keep what werkzeug says in headers (Allow on 405, Retry-After on 429 …).
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if status == 400 and messages and "json" in messages and isinstance(messages["json"], list):
        code, message = "invalid_json", "The body is not valid JSON."
    elif messages:
        fields = _flatten_webargs_messages(messages)
        message = "Some fields are not valid."
    if "message" in data:
        message = data["message"]
    headers.update(data.get("headers") or {})
    if status == 429:
        message = "Too many attempts; try again later."
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return status, body, headers


# --- what the database refused, in the client's terms ------------------------------------
#
# The services check what they can first (``email_taken``, ``_check_sku_free`` …) and say it
# in their own words; the database's own constraints are the net under those checks, for the
# writes that race past them (two identical requests at once) and the rules no service
# repeats. Its refusals are mapped here, once, by the constraint's columns as the models
# declare them, so a unique violation is always a 409 naming the field.


@dataclass(frozen=True)
class _Key:
    """A key of the schema as the models declare it."""

    kind: str  # primary | unique | foreign
    table: str
    columns: tuple[Column, ...]
    info: dict = field(default_factory=dict, compare=False)  # e.g. {"code": "team_name_taken"}

    @property
    def fields(self) -> list[str]:
        # org_id leads every key, but the client never chose it: name the other columns,
        # each as the API calls it (``info={"field": …}`` on a column where that differs,
        # say a case-folded ``name_key`` that clients know as ``name``).
        named = [column for column in self.columns if column.name != "org_id"] or self.columns
        return [column.info.get("field", column.name) for column in named]


@functools.cache
def _keys(metadata: MetaData) -> dict[str, _Key]:
    """Every named key of the schema, by name."""
    found: dict[str, _Key] = {}
    kinds = (
        (PrimaryKeyConstraint, "primary"),
        (SqlUniqueConstraint, "unique"),
        (ForeignKeyConstraint, "foreign"),
    )
    for table in metadata.tables.values():
        for constraint in table.constraints:
            kind = next((kind for cls, kind in kinds if isinstance(constraint, cls)), None)
            if kind and isinstance(constraint.name, str):
                found[constraint.name] = _Key(
                    kind, table.name, tuple(constraint.columns), constraint.info
                )
        for index in table.indexes:
            if index.unique and isinstance(index.name, str):
                # An expression index (lower(name)) names its columns inside the expression.
                columns = tuple(
                    element
                    for expression in index.expressions
                    for element in visitors.iterate(expression)
                    if isinstance(element, Column)
                )
                found[index.name] = _Key("unique", table.name, columns, index.info)
    return found


def _key_on(metadata: MetaData, table: str, names: list[str]) -> _Key | None:
    """The unique or primary key of ``table`` over exactly these columns."""
    wanted = set(names)
    for key in _keys(metadata).values():
        if (
            key.table == table
            and key.kind != "foreign"
            and {column.name for column in key.columns} == wanted
        ):
            return key
    known = metadata.tables.get(table)
    if known is None or not wanted <= set(known.columns.keys()):
        return None
    return _Key("unique", table, tuple(known.columns[name] for name in names))


# SQLite says "UNIQUE constraint failed: products.org_id, products.sku" (or "index 'name'"
# for an expression index); PostgreSQL names the constraint and details the key.
_SQLITE_COLUMNS = re.compile(r"constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)$")
_SQLITE_INDEX = re.compile(r"constraint failed: index '(?P<name>[^']+)'")
_PG_KEY_COLUMNS = re.compile(r"^Key \((?P<columns>[^)=]*)\)")


def _refused_key(error: IntegrityError, metadata: MetaData) -> _Key | None:
    """The key the database refused, as far as it says."""
    orig = error.orig
    diag = getattr(orig, "diag", None)
    if diag is not None:
        known = _keys(metadata).get(diag.constraint_name or "")
        if known is not None:
            return known
        match = _PG_KEY_COLUMNS.match(diag.message_detail or "")
        if match is None:
            return None
        names = [name.strip() for name in match["columns"].split(",")]
        return _key_on(metadata, diag.table_name or "", names)
    message = str(orig.args[0]) if orig.args else ""
    if match := _SQLITE_INDEX.search(message):
        return _keys(metadata).get(match["name"])
    if match := _SQLITE_COLUMNS.search(message):
        qualified = [name.split(".", 1) for name in match["columns"].split(", ")]
        if any(len(parts) != 2 for parts in qualified):
            return None
        return _key_on(metadata, qualified[0][0], [name for _, name in qualified])
    return None


def _violation(error: IntegrityError) -> str:
    """unique | foreign | not_null | check | other, on PostgreSQL and SQLite alike."""
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return {"23505": "unique", "23503": "foreign", "23502": "not_null", "23514": "check"}.get(
            sqlstate, "other"
        )
    message = str(error.orig)
    for marker, kind in (
        ("UNIQUE constraint failed", "unique"),
        ("FOREIGN KEY constraint failed", "foreign"),
        ("NOT NULL constraint failed", "not_null"),
        ("CHECK constraint failed", "check"),
    ):
        if message.startswith(marker):
            return kind
    return "other"


def _is_delete_refused(error: IntegrityError) -> bool:
    """A foreign key that refuses a delete (rows still point here) rather than an insert
    that points nowhere."""
    diag = getattr(error.orig, "diag", None)
    if diag is not None:
        return (diag.message_primary or "").startswith("update or delete on table")
    return (error.statement or "").lstrip().upper().startswith("DELETE")


def integrity_error(error: IntegrityError, metadata: MetaData) -> ApiError:
    """What the client is told when the database refuses a write for its constraints.

    A unique key: 409 ``<field>_taken`` (or ``conflict`` for a key of several fields) naming
    the field(s) with ``taken``; a primary key: 409 ``already_exists`` (sync answers it
    ``duplicate``). A foreign key: 422 ``invalid_reference`` for a row that points at nothing,
    409 ``in_use`` for a delete of a row others still point at. Never the values themselves.
    """
    violation = _violation(error)
    if violation == "unique":
        key = _refused_key(error, metadata)
        if key is None:
            return ApiError(409, "conflict", "That is taken already.")
        if key.kind == "primary":
            return AlreadyExists(key.table.removesuffix("s").replace("_", " "))
        fields = key.fields
        if len(fields) > 1:
            code = key.info.get("code", "conflict")
            return ApiError(409, code, "That combination is taken.", {f: ["taken"] for f in fields})
        label = fields[0].replace("_", " ")
        code = key.info.get("code", f"{fields[0]}_taken")
        return ApiError(409, code, f"That {label} is taken.", {fields[0]: ["taken"]})
    if violation == "foreign":
        if _is_delete_refused(error):
            return ApiError(409, "in_use", "Other records still refer to this one.")
        key = _refused_key(error, metadata)
        fields = (
            {name: ["unknown"] for name in key.fields}
            if key is not None and key.kind == "foreign"
            else None
        )
        return ApiError(
            422, "invalid_reference", "The data refers to something that does not exist.", fields
        )
    if violation == "not_null":
        column = getattr(getattr(error.orig, "diag", None), "column_name", None)
        if column is None and (match := _SQLITE_COLUMNS.search(str(error.orig))):
            column = match["columns"].split(".")[-1]
        fields = {column: ["Missing data for required field."]} if column else None
        return ApiError(422, "validation_error", "A required value is missing.", fields)
    if violation == "check":
        return ApiError(422, "validation_error", "A value is outside what is allowed.")
    return ApiError(409, "conflict", "The change conflicts with other data; reload and retry.")


def data_error() -> ApiError:
    """A value the database cannot hold (too long, out of range, not text). The schemas
    refuse these first; this is the net under them."""
    return ApiError(
        422, "invalid_value", "A value is too long, out of range or not storable as text."
    )


# How long a client is asked to wait before retrying after a database loss (503): about the
# time a restarted or failed-over database takes to answer again.
DATABASE_RETRY_AFTER_SECONDS = 5


def database_loss(error: BaseException) -> BaseException | None:
    """The database fault behind ``error``, if it is one; else None.

    A lost connection, a statement or lock wait cut by its timeout, a connection that could
    not be made (OperationalError), no free connection within the pool timeout, or a
    connection the pool found dead (``connection_invalidated``). Also whatever was raised
    while such a fault was being handled: a ``commit()`` in a ``finally:`` after a lost
    connection raises PendingRollbackError, whose context is the real fault.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OperationalError | DisconnectionError | PoolTimeoutError):
            return current
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return current
        current = current.__cause__ or current.__context__
    return None


def _rollback_session() -> None:
    # Leave the session usable for whatever the request does after the error (the session
    # would otherwise refuse every statement until rolled back).
    sqlalchemy = current_app.extensions.get("sqlalchemy")
    if sqlalchemy is not None:
        try:
            sqlalchemy.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the session is reset anyway
            log.warning("rollback after a refused write failed", exc_info=True)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        return error_response(error.status, error.to_dict())

    @app.errorhandler(IntegrityError)
    def handle_refused_write(error: IntegrityError):
        _rollback_session()
        refusal = integrity_error(error, current_app.extensions["sqlalchemy"].metadata)
        # Not error.orig: its detail repeats the values (an email address, say).
        log.info("write refused by the database: %s %s", refusal.code, refusal.fields or "")
        return error_response(refusal.status, refusal.to_dict())

    @app.errorhandler(DataError)
    def handle_unstorable_value(error: DataError):
        _rollback_session()
        log.warning("value refused by the database: %s", error.orig)
        refusal = data_error()
        return error_response(refusal.status, refusal.to_dict())

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            status, body, headers = http_exception_body(error)
            return error_response(status, body, headers)
        lost = database_loss(error)
        if lost is not None:
            # The database went away, is frozen past its timeouts or refuses writes: nothing
            # was committed; the client retries. The session is reset so the next request
            # starts clean (the pool already replaced a connection it knows is dead).
            _rollback_session()
            log.error("database unavailable: %s", getattr(lost, "orig", None) or lost)
            return error_response(
                503,
                {
                    "code": "unavailable",
                    "message": "The database is unavailable; try again shortly.",
                },
                {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
            )
        log.exception("unhandled error")
        return error_response(
            500, {"code": "internal_error", "message": "Something went wrong on our side."}
        )
