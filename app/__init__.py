"""LeadSync: the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.config import load_config
from app.extensions import api, db, limiter, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite ignores foreign keys unless asked, and WAL lets readers run beside a writer.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
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
    from app.accounts.routes import BLUEPRINTS as ACCOUNT_BLUEPRINTS
    from app.cli import register_cli
    from app.errors import register_error_handlers
    from app.health import health_bp
    from app.web import web_bp

    init_auth(app)
    for blueprint in ACCOUNT_BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(health_bp)
    app.register_blueprint(web_bp)
    register_error_handlers(app)
    register_cli(app)
    return app
