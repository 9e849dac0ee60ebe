"""Settings read from the environment, with defaults that are safe to run as they are.

Every setting has an environment variable of the same name; ``create_app(overrides)`` wins
over both (tests use it). Production refuses to start with a missing secret or with debug on.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The configuration cannot be run safely."""


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _instance_secret(instance_path: Path) -> str:
    """A random key kept in the instance folder, made on first run (development only)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def normalize_database_url(url: str) -> str:
    """Point plain ``postgresql://`` (and Heroku's ``postgres://``) URLs at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, then ``overrides``."""
    overrides = dict(overrides or {})
    env = overrides.get("LEADSYNC_ENV", os.environ.get("LEADSYNC_ENV", "development"))
    if env not in ("development", "production"):
        raise ConfigError("LEADSYNC_ENV must be 'development' or 'production'")
    production = env == "production"

    database_url = normalize_database_url(
        overrides.pop("SQLALCHEMY_DATABASE_URI", None)
        or os.environ.get("DATABASE_URL")
        or f"sqlite:///{instance_path / 'leadsync.db'}"
    )

    secret_key = os.environ.get("SECRET_KEY", "")
    if production and "SECRET_KEY" not in overrides and len(secret_key) < 32:
        raise ConfigError("production needs SECRET_KEY set to at least 32 random characters")

    config: dict[str, Any] = {
        "LEADSYNC_ENV": env,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": secret_key or None,
        # The session cookie: never readable by scripts, not sent on cross-site posts,
        # and only over HTTPS in production (the dev server speaks plain HTTP).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "leadsync_session",
        # Bodies larger than this are refused with 413 before any parsing.
        "MAX_CONTENT_LENGTH": _env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        # Failed sign-ins allowed before a 429 (only failures count).
        "LOGIN_FAILURES_PER_ACCOUNT": os.environ.get(
            "LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes"
        ),
        "LOGIN_FAILURES_PER_IP": os.environ.get("LOGIN_FAILURES_PER_IP", "50 per 15 minutes"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        # OpenAPI (flask-smorest)
        "API_TITLE": "LeadSync API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_REDOC_PATH": "docs",
        "OPENAPI_REDOC_URL": "https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js",
        # Deletions are kept this long for devices that were away; older cursors get reset.
        "TOMBSTONE_RETENTION_DAYS": _env_int("TOMBSTONE_RETENTION_DAYS", 30),
        # How often the scheduler checks SLA clocks and sends due reminders.
        "SLA_CHECK_SECONDS": _env_int("SLA_CHECK_SECONDS", 60),
        "REMINDER_SEND_SECONDS": _env_int("REMINDER_SEND_SECONDS", 15),
        "PWA_DIST": os.environ.get(
            "PWA_DIST", str(Path(__file__).resolve().parent.parent / "pwa" / "dist")
        ),
    }
    config.update(overrides)
    if production and (config.get("DEBUG") or os.environ.get("FLASK_DEBUG") in ("1", "true")):
        raise ConfigError("production must not run with debug on")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    return config
