"""The declarative base, column types and mixins every table shares."""

from __future__ import annotations

import gc
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, MetaData, TypeDecorator, Uuid, event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

# Named constraints let Alembic alter them later, SQLite's batch mode included.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_clock = None

# SQLite's words for a database file it may not write: made read-only (chmod, a read-only
# mount), or a directory where it cannot create its WAL/journal files.
_SQLITE_READ_ONLY = ("attempt to write a readonly database", "unable to open database file")

# Set when a read-only SQLite connection was dropped. Python's sqlite3 closes a connection
# only once its statements are gone, and the failed statement lives on in the error's
# traceback (a reference cycle) until the garbage collector runs. Until then the dropped
# connection keeps the database's files open read-only in this process, and SQLite shares
# them with every new connection to the same file: they would refuse writes too.
_sqlite_connections_to_release = False


@event.listens_for(Engine, "handle_error")
def _sqlite_read_only_is_a_lost_connection(context: ExceptionContext) -> None:
    """Count SQLite's "read-only" as a lost connection, so the pool drops it.

    SQLite opens a file it cannot write read-only and keeps it so for the life of the
    connection: without this, once permissions were restored, the pooled connections would
    go on refusing every write until the app restarted. Marked a disconnect, the failing
    connection is closed and every older pooled one replaced on its next use; the error is
    still an OperationalError (503, app/errors.py).
    """
    global _sqlite_connections_to_release
    if context.dialect is None or context.dialect.name != "sqlite":
        return
    message = str(context.original_exception).lower()
    if any(words in message for words in _SQLITE_READ_ONLY):
        context.is_disconnect = True
        _sqlite_connections_to_release = True


@event.listens_for(Engine, "do_connect")
def _release_dropped_sqlite_connections(dialect, _record, _cargs, _cparams) -> None:
    """Before opening a connection to replace read-only ones, free those truly."""
    global _sqlite_connections_to_release
    if _sqlite_connections_to_release and dialect.name == "sqlite":
        _sqlite_connections_to_release = False
        gc.collect()


def utcnow() -> datetime:
    """Now, as an aware UTC datetime (from the injected clock, if one is set)."""
    return _clock() if _clock is not None else datetime.now(UTC)


def set_clock(clock):
    """Make ``utcnow`` read ``clock()`` (tests move time instead of sleeping; the demo data is
    written as of the past); None resets. Returns the clock it replaced, to put back."""
    global _clock
    previous, _clock = _clock, clock
    return previous


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, hands back aware UTC: the same on SQLite and PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        if value.tzinfo is not UTC:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime, uuid.UUID: Uuid},
    )


class TenantScoped:
    """A row that belongs to one organisation.

    ``org_id`` leads the primary key, so the schema can be sharded by organisation (Citus
    requires the distribution column in every unique key) and composite foreign keys make
    it impossible at the database level for a row to point at another organisation's row.
    Every ORM query on these models is filtered by the current organisation (see tenancy).
    """

    @declared_attr
    def org_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, sort_order=-100
        )


def new_id() -> uuid.UUID:
    return uuid.uuid4()
