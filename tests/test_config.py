"""Configuration: safe defaults, a kept secret, production's refusals."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "LEADSYNC_ENV", "FLASK_DEBUG"):
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
