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


@health_bp.get("/healthz")
def healthz():
    """The process is up."""
    return jsonify(status="ok")


@health_bp.get("/readyz")
def readyz():
    """The database answers and its schema is at the newest migration."""
    try:
        db.session.execute(text("SELECT 1"))
        current = database_revisions()
    except SQLAlchemyError:
        current_app.logger.exception("readiness check failed")
        return jsonify(status="unavailable", database="unreachable"), 503
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
