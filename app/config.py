"""Settings read from the environment, with defaults that are safe to run as they are.

This module is the one place the app reads its settings from the environment: every
setting has an environment variable (mostly of the same name) read here with its
default, and the rest of the app reads ``app.config`` only. ``create_app(overrides)`` wins
over both (tests use it). Production refuses to start with a missing secret or with debug
on. A value that cannot be read (``PUSH_CONCURRENCY=four``) is a ``ConfigError`` naming the
variable. Every variable read here is listed in the README's configuration table, and
``tests/test_readme_config.py`` keeps the two in step.
"""

from __future__ import annotations

import math
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
# ReDoc's bundle is vendored in app/static/vendor/redoc and served by app/web.py, so the
# API docs page needs no CDN (it works offline and under a strict CSP).
REDOC_BUNDLE_URL = "/api/v1/docs/redoc/redoc.standalone.js"
SMTP_SECURITY_CHOICES = ("starttls", "ssl", "none")


class ConfigError(RuntimeError):
    """The configuration cannot be run safely."""


def _raw(name: str) -> str | None:
    """The variable's text, or None when it is unset or empty (empty means the default)."""
    value = os.environ.get(name)
    return value if value not in (None, "") else None


def env_str(name: str, default: str | None) -> str | None:
    value = _raw(name)
    return default if value is None else value


def _number(name: str, default, parse, what: str, minimum):
    value = _raw(name)
    if value is None:
        return default
    try:
        number = parse(value.strip())
    except ValueError:
        raise ConfigError(f"{name} must be {what}, not {value!r}") from None
    if not math.isfinite(number):
        raise ConfigError(f"{name} must be a finite number, not {value!r}")
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}")
    return number


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    return _number(name, default, int, "a whole number", minimum)


def env_float(name: str, default: float, *, minimum: float | None = None) -> float:
    return _number(name, default, float, "a number", minimum)


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be one of 1/true/yes/on or 0/false/no/off, not {value!r}")


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


# SMTP_URL's schemes: the security each means and the port it uses unless one is given.
SMTP_URL_SCHEMES = {"smtp": ("starttls", 587), "smtps": ("ssl", 465)}
SMTP_DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def parse_smtp_url(url: str) -> dict[str, Any]:
    """``SMTP_URL`` as the five SMTP settings it stands for.

    ``smtp://user:pass@host:587`` (STARTTLS), ``smtps://user:pass@host:465`` (TLS from the
    first byte) or ``smtp://host:25?security=none`` (no TLS: a local relay only). The user
    and password are percent-decoded (``%40`` for ``@``). Errors never repeat the URL,
    which may carry the password.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
        host = parts.hostname
    except ValueError:
        raise ConfigError("SMTP_URL is not a URL (smtp://user:pass@host:587)") from None
    if parts.scheme not in SMTP_URL_SCHEMES:
        raise ConfigError(
            f"SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS), not {parts.scheme!r}"
        )
    if not host:
        raise ConfigError("SMTP_URL names no host (smtp://user:pass@host:587)")
    if parts.path not in ("", "/") or parts.fragment:
        raise ConfigError("SMTP_URL takes no path: smtp://user:pass@host:587")
    security, _ = SMTP_URL_SCHEMES[parts.scheme]
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"security"}
    if unknown:
        raise ConfigError(f"SMTP_URL takes only ?security=, not {', '.join(sorted(unknown))}")
    if "security" in query:
        chosen = query["security"][-1]
        allowed = ("ssl",) if parts.scheme == "smtps" else ("starttls", "none")
        if chosen not in allowed:
            raise ConfigError(
                f"SMTP_URL's security must be {' or '.join(allowed)} with {parts.scheme}://,"
                f" not {chosen!r}"
            )
        security = chosen
    return {
        "SMTP_HOST": host,
        "SMTP_PORT": port or SMTP_DEFAULT_PORTS[security],
        "SMTP_SECURITY": security,
        "SMTP_USERNAME": unquote(parts.username) if parts.username else None,
        "SMTP_PASSWORD": unquote(parts.password) if parts.password is not None else None,
    }


def database_engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """SQLAlchemy engine options bounding every wait on the database.

    * ``pool_timeout``: how long a request waits for a free pooled connection;
    * PostgreSQL ``connect_timeout``: how long opening a connection may take (a server that
      accepts but never answers, a host that drops packets);
    * PostgreSQL ``statement_timeout`` / ``lock_timeout``: the server cancels a statement
      that runs, or waits for a lock, longer than this (0 turns either off; run long
      migrations with ``DATABASE_STATEMENT_TIMEOUT=0 flask db upgrade``).

    SQLite waits for its write lock at most ``busy_timeout`` (app/__init__.py). Each fault
    is answered 503 with Retry-After (app/errors.py).
    """
    url = config["SQLALCHEMY_DATABASE_URI"]
    options: dict[str, Any] = {"pool_pre_ping": True}
    if not (url in ("sqlite://", "sqlite:///:memory:") or "mode=memory" in url):
        # An in-memory SQLite database has a single shared connection and no pool to wait on.
        options["pool_timeout"] = config["DATABASE_POOL_TIMEOUT"]
    if url.startswith("postgresql"):
        statement_ms = round(config["DATABASE_STATEMENT_TIMEOUT"] * 1000)
        lock_ms = round(config["DATABASE_LOCK_TIMEOUT"] * 1000)
        options["connect_args"] = {
            "connect_timeout": config["DATABASE_CONNECT_TIMEOUT"],
            "options": f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}",
        }
    return options


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment, then ``overrides``."""
    overrides = dict(overrides or {})
    if "LEADSYNC_ENV" in overrides:
        env = overrides["LEADSYNC_ENV"]
    else:
        env = env_str("LEADSYNC_ENV", "development")
    if env not in ("development", "production"):
        raise ConfigError("LEADSYNC_ENV must be 'development' or 'production'")
    production = env == "production"

    database_url = normalize_database_url(
        overrides.pop("SQLALCHEMY_DATABASE_URI", None)
        or env_str("DATABASE_URL", None)
        or f"sqlite:///{instance_path / 'leadsync.db'}"
    )

    secret_key = env_str("SECRET_KEY", None)
    if production and "SECRET_KEY" not in overrides and len(secret_key or "") < 32:
        raise ConfigError("production needs SECRET_KEY set to at least 32 random characters")
    debug = env_bool("FLASK_DEBUG", False)

    config: dict[str, Any] = {
        "LEADSYNC_ENV": env,
        "DEBUG": debug,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Bounds on a slow or frozen database, so a request answers 503 within about these
        # many seconds instead of hanging (see database_engine_options).
        "DATABASE_CONNECT_TIMEOUT": env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1),
        "DATABASE_STATEMENT_TIMEOUT": env_float("DATABASE_STATEMENT_TIMEOUT", 30.0, minimum=0),
        "DATABASE_LOCK_TIMEOUT": env_float("DATABASE_LOCK_TIMEOUT", 10.0, minimum=0),
        "DATABASE_POOL_TIMEOUT": env_int("DATABASE_POOL_TIMEOUT", 10, minimum=1),
        "SECRET_KEY": secret_key,
        # The session cookie: never readable by scripts, not sent on cross-site posts,
        # and only over HTTPS in production (the dev server speaks plain HTTP).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "leadsync_session",
        # Signed-in browsers keep the cookie this long after their last request (each
        # request renews it: SESSION_REFRESH_EACH_REQUEST), so an installed app survives a
        # browser or phone restart. Sign-out, a password change and deactivation still end
        # it at once (the user's session_epoch). PERMANENT_SESSION_LIFETIME follows below.
        "SESSION_LIFETIME_DAYS": env_int("SESSION_LIFETIME_DAYS", 30, minimum=1),
        "SESSION_REFRESH_EACH_REQUEST": True,
        # Bodies larger than this are refused with 413 before any parsing.
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024, minimum=1),
        # A history import's CSV file may be larger (50,000 rows are some 10 MB).
        "IMPORT_MAX_BYTES": env_int("IMPORT_MAX_BYTES", 32 * 1024 * 1024, minimum=1),
        # Failed sign-ins allowed before a 429 (only failures count).
        "LOGIN_FAILURES_PER_ACCOUNT": env_str("LOGIN_FAILURES_PER_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_FAILURES_PER_IP": env_str("LOGIN_FAILURES_PER_IP", "50 per 15 minutes"),
        "RATELIMIT_STORAGE_URI": env_str("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_ENABLED": True,
        # OpenAPI (flask-smorest)
        "API_TITLE": "LeadSync API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_REDOC_PATH": "docs",
        "OPENAPI_REDOC_URL": REDOC_BUNDLE_URL,
        # Deletions are kept this long for devices that were away; older cursors get reset.
        "TOMBSTONE_RETENTION_DAYS": env_int("TOMBSTONE_RETENTION_DAYS", 30, minimum=0),
        # How often the scheduler checks SLA clocks and sends due reminders.
        "SLA_CHECK_SECONDS": env_int("SLA_CHECK_SECONDS", 60, minimum=1),
        "REMINDER_SEND_SECONDS": env_int("REMINDER_SEND_SECONDS", 15, minimum=1),
        # `flask demo-data`: one known password for every demo user (None: random ones).
        "LEADSYNC_DEMO_PASSWORD": env_str("LEADSYNC_DEMO_PASSWORD", None),
        # Web Push (app/push): the VAPID key (None: one kept in the instance folder) and
        # the contact the push services see.
        "VAPID_PRIVATE_KEY": env_str("VAPID_PRIVATE_KEY", None),
        "VAPID_SUBJECT": env_str("VAPID_SUBJECT", "mailto:admin@localhost"),
        # Requests in flight at once. 1 sends one after another on one connection per push
        # service; with real push services (tens of ms away) 4-16 multiplies throughput, at
        # the cost of as many connections.
        "PUSH_CONCURRENCY": env_int("PUSH_CONCURRENCY", 1, minimum=1),
        # How long a claimed reminder stays ours before another sender may take it over.
        "PUSH_LEASE_SECONDS": env_int("PUSH_LEASE_SECONDS", 300, minimum=1),
        # Retry backoff: base · 2^(attempts-1), at most max; failed after PUSH_MAX_ATTEMPTS.
        "PUSH_RETRY_BASE_SECONDS": env_int("PUSH_RETRY_BASE_SECONDS", 30, minimum=0),
        "PUSH_RETRY_MAX_SECONDS": env_int("PUSH_RETRY_MAX_SECONDS", 3600, minimum=0),
        "PUSH_MAX_ATTEMPTS": env_int("PUSH_MAX_ATTEMPTS", 8, minimum=1),
        "PUSH_HTTP_TIMEOUT": env_float("PUSH_HTTP_TIMEOUT", 10.0, minimum=0.1),
        # Batches one scheduler run sends at most (the rest wait for the next run).
        "PUSH_MAX_BATCHES": env_int("PUSH_MAX_BATCHES", 50, minimum=1),
        # Accept plain-HTTP loopback push endpoints (a local stand-in; never in production).
        "PUSH_ALLOW_INSECURE_ENDPOINTS": env_bool("PUSH_ALLOW_INSECURE_ENDPOINTS", False),
        "PWA_DIST": env_str(
            "PWA_DIST", str(Path(__file__).resolve().parent.parent / "pwa" / "dist")
        ),
        # Invitations (app/accounts): how long an invitation link works, and the address
        # people open the app at, for links in emails (None: the address the admin's request
        # came to, right unless a proxy hides it).
        "INVITE_LIFETIME_DAYS": env_int("INVITE_LIFETIME_DAYS", 7, minimum=1),
        "PUBLIC_BASE_URL": env_str("PUBLIC_BASE_URL", None),
        # Outgoing mail (app/mail): off while SMTP_HOST is unset (invitation links are then
        # only shown to the admin). SMTP_SECURITY: starttls, ssl (implicit TLS) or none.
        "SMTP_HOST": env_str("SMTP_HOST", None),
        "SMTP_PORT": env_int("SMTP_PORT", 587, minimum=1),
        "SMTP_SECURITY": env_str("SMTP_SECURITY", "starttls"),
        "SMTP_USERNAME": env_str("SMTP_USERNAME", None),
        "SMTP_PASSWORD": env_str("SMTP_PASSWORD", None),
        "SMTP_TIMEOUT_SECONDS": 10,
        "MAIL_FROM": env_str("MAIL_FROM", "LeadSync <noreply@localhost>"),
        # Consumer questions (app/questions): what the public may send, per address and per
        # organisation (a 429 stores nothing), and how long a claim holds without a reply.
        "QUESTIONS_PER_IP": env_str("QUESTIONS_PER_IP", "10 per hour"),
        "QUESTIONS_PER_ORG": env_str("QUESTIONS_PER_ORG", "500 per hour"),
        "CONSUMER_MESSAGES_PER_IP": env_str("CONSUMER_MESSAGES_PER_IP", "30 per hour"),
        "CONSUMER_MESSAGES_PER_ORG": env_str("CONSUMER_MESSAGES_PER_ORG", "2000 per hour"),
        "QUESTION_CLAIM_MINUTES": env_int("QUESTION_CLAIM_MINUTES", 15, minimum=1),
    }
    # SMTP_URL, when set, wins: it alone says host, port, security and sign-in, replacing
    # whatever the separate SMTP_* variables say (a server from one and a password from the
    # other would be a mix nobody could see). Overrides still win over both.
    smtp_url = env_str("SMTP_URL", None)
    if smtp_url is not None:
        config.update(parse_smtp_url(smtp_url))
    config.update(overrides)
    # Computed after the overrides (they may name another database or other timeouts);
    # options given as SQLALCHEMY_ENGINE_OPTIONS are laid over the computed ones.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **database_engine_options(config),
        **overrides.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
    }
    if "PERMANENT_SESSION_LIFETIME" not in overrides:
        config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=config["SESSION_LIFETIME_DAYS"])
    if config["SMTP_SECURITY"] not in SMTP_SECURITY_CHOICES:
        raise ConfigError(
            f"SMTP_SECURITY must be one of {', '.join(SMTP_SECURITY_CHOICES)},"
            f" not {config['SMTP_SECURITY']!r}"
        )
    if production and (config.get("DEBUG") or debug):
        raise ConfigError("production must not run with debug on")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance_path)
    return config
