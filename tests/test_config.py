"""Configuration: safe defaults, a kept secret, production's refusals, readable values."""

from __future__ import annotations

import re
from datetime import timedelta

import marshmallow as ma
import pytest

from app import create_app
from app.config import ConfigError, env_bool, env_float, env_int, env_str, load_config


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "LEADSYNC_ENV",
        "FLASK_DEBUG",
        "PUSH_CONCURRENCY",
        "PUSH_HTTP_TIMEOUT",
        "PUSH_ALLOW_INSECURE_ENDPOINTS",
        "PUSH_RETRY_BASE_SECONDS",
        "PUSH_RETRY_MAX_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_development_makes_a_secret_once_and_keeps_it(tmp_path, clean_env):
    first = load_config(tmp_path)
    second = load_config(tmp_path)
    assert len(first["SECRET_KEY"]) >= 32
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'leadsync.db'}"
    assert first["SESSION_COOKIE_SECURE"] is False


def test_production_refuses_to_start_without_a_real_secret(tmp_path, clean_env):
    clean_env.setenv("LEADSYNC_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path)
    clean_env.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        load_config(tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_debug_and_sets_secure_cookies(tmp_path, clean_env):
    clean_env.setenv("LEADSYNC_ENV", "production")
    clean_env.setenv("SECRET_KEY", "k" * 40)
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    clean_env.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="debug"):
        load_config(tmp_path)


def test_postgres_urls_use_psycopg3(tmp_path, clean_env):
    clean_env.setenv("DATABASE_URL", "postgres://u@h:5432/db")
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h:5432/db"


def test_unknown_environment_is_refused(tmp_path, clean_env):
    clean_env.setenv("LEADSYNC_ENV", "staging")
    with pytest.raises(ConfigError):
        load_config(tmp_path)


@pytest.mark.parametrize("word", ["1", "true", "yes", "on", "TRUE", " On "])
def test_a_switch_reads_the_true_words(word, clean_env):
    clean_env.setenv("PUSH_ALLOW_INSECURE_ENDPOINTS", word)
    assert env_bool("PUSH_ALLOW_INSECURE_ENDPOINTS", False) is True


@pytest.mark.parametrize("word", ["0", "false", "no", "off", "Off"])
def test_a_switch_reads_the_false_words(word, clean_env):
    clean_env.setenv("PUSH_ALLOW_INSECURE_ENDPOINTS", word)
    assert env_bool("PUSH_ALLOW_INSECURE_ENDPOINTS", True) is False


def test_unset_or_empty_means_the_default(clean_env):
    clean_env.delenv("PUSH_MAX_ATTEMPTS", raising=False)
    assert env_int("PUSH_MAX_ATTEMPTS", 8) == 8
    for name in ("PUSH_MAX_ATTEMPTS", "PUSH_HTTP_TIMEOUT", "FLASK_DEBUG", "VAPID_SUBJECT"):
        clean_env.setenv(name, "")
    assert env_int("PUSH_MAX_ATTEMPTS", 8) == 8
    assert env_float("PUSH_HTTP_TIMEOUT", 10.0) == 10.0
    assert env_bool("FLASK_DEBUG", False) is False
    assert env_str("VAPID_SUBJECT", "mailto:admin@localhost") == "mailto:admin@localhost"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PUSH_ALLOW_INSECURE_ENDPOINTS", "maybe"),
        ("FLASK_DEBUG", "2"),
        ("PUSH_CONCURRENCY", "four"),
        ("PUSH_CONCURRENCY", "1.5"),
        ("PUSH_CONCURRENCY", "0"),
        ("PUSH_MAX_ATTEMPTS", "-1"),
        ("MAX_CONTENT_LENGTH", "2MB"),
        ("SLA_CHECK_SECONDS", "0"),
        ("PUSH_HTTP_TIMEOUT", "soon"),
        ("PUSH_HTTP_TIMEOUT", "nan"),
        ("PUSH_HTTP_TIMEOUT", "0"),
    ],
)
def test_a_bad_value_is_a_config_error_naming_the_variable(name, value, tmp_path, clean_env):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config(tmp_path)


def test_push_settings_come_from_the_environment(tmp_path, clean_env):
    clean_env.setenv("PUSH_CONCURRENCY", "6")
    clean_env.setenv("PUSH_HTTP_TIMEOUT", "3.5")
    clean_env.setenv("PUSH_ALLOW_INSECURE_ENDPOINTS", "on")
    config = load_config(tmp_path)
    assert config["PUSH_CONCURRENCY"] == 6
    assert config["PUSH_HTTP_TIMEOUT"] == 3.5
    assert config["PUSH_ALLOW_INSECURE_ENDPOINTS"] is True
    # Overrides (tests, create_app) still win over the environment.
    assert load_config(tmp_path, {"PUSH_CONCURRENCY": 2})["PUSH_CONCURRENCY"] == 2


def _app_from_env(tmp_path):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'unused.db'}"})


def test_the_sender_and_endpoint_check_use_the_environment(tmp_path, clean_env):
    """`PUSH_ALLOW_INSECURE_ENDPOINTS=1 make run` accepts a loopback push service."""
    from app.push.schemas import validate_endpoint
    from app.push.sender import backoff

    loopback = "http://127.0.0.1:8089/push/abc"
    clean_env.delenv("PUSH_ALLOW_INSECURE_ENDPOINTS", raising=False)
    with _app_from_env(tmp_path).app_context():
        with pytest.raises(ma.ValidationError):
            validate_endpoint(loopback)
        assert backoff(1) == timedelta(seconds=30)
        assert backoff(20) == timedelta(seconds=3600)

    clean_env.setenv("PUSH_ALLOW_INSECURE_ENDPOINTS", "1")
    clean_env.setenv("PUSH_RETRY_BASE_SECONDS", "7")
    clean_env.setenv("PUSH_RETRY_MAX_SECONDS", "20")
    with _app_from_env(tmp_path).app_context():
        validate_endpoint(loopback)
        assert backoff(1) == timedelta(seconds=7)
        assert backoff(3) == timedelta(seconds=20)


def test_api_docs_load_redoc_from_the_app_itself(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r"<script[^>]*\bsrc=[\"']([^\"']+)", html)
    assert sources, html
    assert not [src for src in sources if re.match(r"(?i)(https?:)?//", src)], sources
    assert "http://" not in html and "https://" not in html
    for src in sources:
        assert src.startswith("/"), src
        bundle = client.get(src)
        assert bundle.status_code == 200
        assert bundle.mimetype in ("text/javascript", "application/javascript")
        assert len(bundle.data) > 500_000
        assert b"Redoc" in bundle.data[:2000] or b"redoc" in bundle.data[:2000]
        assert bundle.cache_control.max_age and bundle.cache_control.max_age >= 3600
        assert bundle.headers.get("ETag")
        again = client.get(src, headers={"If-None-Match": bundle.headers["ETag"]})
        assert again.status_code == 304


def test_redocs_licences_are_served_and_nothing_else_there(client):
    licence = client.get("/api/v1/docs/redoc/LICENSE")
    assert licence.status_code == 200
    assert b"MIT License" in licence.data
    assert licence.mimetype == "text/plain"
    assert client.get("/api/v1/docs/redoc/README.txt").status_code == 404
    assert client.get("/api/v1/docs/redoc/..%2Fredoc%2FLICENSE").status_code == 404
