"""Liveness and readiness probes."""

from __future__ import annotations

from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

health_bp = Blueprint("health", __name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def migration_heads() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


def database_revisions() -> set[str]:
    return set(MigrationContext.configure(db.session.connection()).get_current_heads())


def database_takes_writes() -> None:
    """Raise SQLAlchemyError unless the database would take a write now (tried inside the
    probe's transaction, which is rolled back: nothing changes).

    SQLite answers reads from a file it may no longer write (chmod, a read-only mount), so a
    ``SELECT 1`` would call it ready while every write fails. The probe rewrites the
    migration marker with itself; a read-only file refuses it (and the pool then replaces
    its read-only connections, app/database.py, so restoring permissions is enough). On
    PostgreSQL the server, not a file, decides writes: its answering is what is checked.
    """
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("UPDATE alembic_version SET version_num = version_num"))


@health_bp.get("/healthz")
def healthz():
    """The process is up. Never touches the database: a frozen or lost database must not
    make the process look dead (that is what /readyz says)."""
    return jsonify(status="ok")


@health_bp.get("/readyz")
def readyz():
    """The database answers, takes writes, and its schema is at the newest migration."""
    try:
        db.session.execute(text("SELECT 1"))
        current = database_revisions()
    except SQLAlchemyError:
        current_app.logger.exception("readiness check failed")
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    try:
        if current:  # an empty database has no migration marker yet: "behind" says it all
            database_takes_writes()
    except SQLAlchemyError:
        current_app.logger.exception("readiness check failed: the database refuses writes")
        return jsonify(status="unavailable", database="read_only"), 503
    finally:
        db.session.rollback()
    heads = migration_heads()
    if current != heads:
        return jsonify(
            status="unavailable",
            database="ok",
            migrations="behind",
            current=sorted(current),
            head=sorted(heads),
        ), 503
    return jsonify(status="ok", database="ok", migrations="current", head=sorted(heads))
