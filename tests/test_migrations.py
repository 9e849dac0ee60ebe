"""The schema comes from the migrations, and they match the models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.health import migration_heads

ROOT = Path(__file__).resolve().parent.parent


def test_migrated_schema_matches_the_models(app_ctx):
    # The session fixture built this database with `flask db upgrade` from empty.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ; run `flask db migrate`: {diff}"


def _flask(args, env):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_flask_db_upgrade_builds_an_empty_sqlite_database_and_downgrades_cleanly(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "SECRET_KEY": "x" * 40,
    }
    up = _flask(["db", "upgrade"], env)
    assert up.returncode == 0, up.stderr
    current = _flask(["db", "current"], env)
    assert sorted(migration_heads())[0] in current.stdout
    down = _flask(["db", "downgrade", "base"], env)
    assert down.returncode == 0, down.stderr
    again = _flask(["db", "upgrade"], env)
    assert again.returncode == 0, again.stderr


def test_organisations_existing_before_their_version_get_one_devices_will_pull(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "x" * 40}
    assert _flask(["db", "upgrade", "0004_sla_and_scheduler"], env).returncode == 0
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO organizations (id, name, default_country, timezone, created_at)"
            " VALUES ('0123456789abcdef0123456789abcdef', 'Old Co', 'DE', 'UTC',"
            " '2026-01-01 00:00:00.000000')"
        )
        conn.execute(
            "INSERT INTO change_counters (org_id, value, purged_through)"
            " VALUES ('0123456789abcdef0123456789abcdef', 41, 0)"
        )
    up = _flask(["db", "upgrade"], env)
    assert up.returncode == 0, up.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version FROM organizations").fetchone() == (42,)
        assert conn.execute("SELECT value FROM change_counters").fetchone() == (42,)


def test_tallies_of_rows_stored_before_them_are_counted_by_the_migration(tmp_path):
    """The demo organisation (18 months of follow-ups and SLA steps, in Europe/Berlin) is
    loaded by the app, which keeps its tallies as it writes; going back to before the
    tallies and forward again must count the very same rows from the stored history."""
    import sqlite3

    path = tmp_path / "demo.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "x" * 40}
    assert _flask(["db", "upgrade"], env).returncode == 0
    loaded = _flask(["demo-data"], env)
    assert loaded.returncode == 0, loaded.stderr
    tables = ("follow_up_tallies", "sla_step_tallies", "sla_minutes_tallies")

    def tallies() -> dict[str, list]:
        with sqlite3.connect(path) as conn:
            return {t: sorted(conn.execute(f"SELECT * FROM {t}").fetchall()) for t in tables}

    kept = tallies()
    assert all(len(rows) > 50 for rows in kept.values()), {t: len(r) for t, r in kept.items()}
    assert _flask(["db", "downgrade", "0011_spend_ledger"], env).returncode == 0
    up = _flask(["db", "upgrade"], env)
    assert up.returncode == 0, up.stderr
    assert tallies() == kept
