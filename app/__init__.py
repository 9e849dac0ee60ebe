"""LeadSync: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import tallies
from app.config import load_config
from app.extensions import api, db, limiter, login_manager, migrate
from app.http import LeadSyncRequest, refuse_nul_in_url

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless asked, and WAL lets readers run beside a writer.
    if _is_sqlite(dbapi_connection):
        # Let SQLAlchemy, not the driver, begin transactions (see _sqlite_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        # The tallies' local days (PostgreSQL has time zones; SQLite is given Python's).
        dbapi_connection.create_function(
            "local_start", 3, tallies.sqlite_local_start, deterministic=True
        )


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    # SQLAlchemy's documented recipe for pysqlite: the driver's own transaction handling
    # breaks SAVEPOINT (which sync push relies on), and a deferred transaction that reads
    # and then writes fails at once when another writer got in between. BEGIN IMMEDIATE
    # takes the write lock up front, so transactions queue (busy_timeout) instead of failing.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    # Every body is read through one gate: size, nesting depth, text (app.http).
    app.request_class = LeadSyncRequest
    app.before_request(refuse_nul_in_url)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(Path(app.instance_path), overrides))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    login_manager.init_app(app)
    limiter.init_app(app)
    api.init_app(app)
    api.spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"]}
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})

    from app import models  # noqa: F401  (every table, for Alembic and the ORM)
    from app.accounts.auth import init_auth
    from app.changelog import stored  # noqa: F401  (stores each record's sync change at flush)
    from app.cli import register_cli
    from app.errors import register_error_handlers
    from app.health import health_bp
    from app.packages import package_modules
    from app.sync import entities  # noqa: F401  (registers every synced entity)
    from app.web import docs_assets_bp, install_security_headers, web_bp

    init_auth(app)
    for routes in package_modules("routes"):  # every package's API, by convention
        for blueprint in routes.BLUEPRINTS:
            api.register_blueprint(blueprint)
    app.register_blueprint(health_bp)
    app.register_blueprint(docs_assets_bp)
    app.register_blueprint(web_bp)
    register_error_handlers(app)
    install_security_headers(app)  # on every answer, errors included
    register_cli(app)
    return app
