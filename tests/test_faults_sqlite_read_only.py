"""Finding 14: an SQLite database file made read-only, then writable again.

Writes answer 503 with Retry-After and /readyz says not ready while the file is read-only;
once its permissions are restored, writes work and /readyz is ready again in the same app
instance, without a restart.

A real read-only file on a database of its own (not the suite's): the app runs in a child
process; run by root, that process is stripped of the capabilities that let root write
through any file mode (``setpriv``), so the file's mode is what decides.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Root keeps its uid (it owns the file, so it may chmod it back) but loses the override.
DROP_ROOT_OVERRIDE = [
    "setpriv",
    "--bounding-set",
    "-dac_override,-dac_read_search",
    "--inh-caps",
    "-all",
]

# Runs as an unprivileged user: build the database, then read-only, then writable again,
# all in one app instance. Prints what each step answered, as JSON.
SCENARIO = textwrap.dedent(
    """
    import json, os, sys
    import flask_migrate
    from app import create_app
    from app.extensions import db

    folder = sys.argv[1]
    path = os.path.join(folder, "leadsync.db")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + path,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests",
        "PASSWORD_HASH_CHEAP": True,
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    app.instance_path = folder
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
    client = app.test_client()

    def signup(n):
        r = client.post("/api/v1/auth/signup", json={
            "org_name": f"Org {n}", "name": f"Admin {n}",
            "email": f"admin{n}@org{n}.test", "password": "correct horse battery"})
        return {"status": r.status_code, "json": r.get_json(),
                "retry_after": r.headers.get("Retry-After")}

    def ready():
        r = client.get("/readyz")
        return {"status": r.status_code, "json": r.get_json()}

    seen = {"before": {"write": signup(1), "ready": ready()}}
    client.post("/api/v1/auth/logout")
    os.chmod(path, 0o444)
    # Connections already open keep writing through their open files; the pool opens new
    # ones whenever it likes (a dead one replaced, overflow, a new worker). Make it now.
    with app.app_context():
        db.engine.dispose()
    seen["read_only"] = {"write": signup(2), "ready": ready(), "write_again": signup(3),
                         "healthz": client.get("/healthz").status_code}
    # SQLite made its -wal/-shm files with the database file's mode meanwhile: restoring
    # permissions means the database's files, all of them.
    for name in os.listdir(folder):
        if name.startswith("leadsync.db"):
            os.chmod(os.path.join(folder, name), 0o644)
    seen["restored"] = {"ready": ready(), "write": signup(4)}
    with app.app_context():
        from sqlalchemy import text
        seen["orgs"] = sorted(db.session.execute(
            text("SELECT name FROM organizations")).scalars())
    print("RESULT " + json.dumps(seen))
    """
)


@pytest.fixture
def scenario_result(tmp_path) -> dict:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root writes through file modes, and setpriv is missing to stop it")
    folder = tmp_path / "ro"
    folder.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    prefix = DROP_ROOT_OVERRIDE if os.geteuid() == 0 else []
    done = subprocess.run(
        [*prefix, sys.executable, "-c", SCENARIO, str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stderr[-4000:]
    return json.loads(lines[-1].removeprefix("RESULT "))


def test_a_read_only_sqlite_file_is_unready_and_recovers_without_restart(scenario_result):
    before, read_only, restored = (
        scenario_result["before"],
        scenario_result["read_only"],
        scenario_result["restored"],
    )
    assert before["write"]["status"] == 201
    assert before["ready"]["status"] == 200

    # Read-only: every write is a 503 in the common shape, with Retry-After; not ready.
    for write in (read_only["write"], read_only["write_again"]):
        assert write["status"] == 503
        assert write["json"]["error"]["code"] == "unavailable"
        assert int(write["retry_after"]) > 0
    assert read_only["ready"]["status"] == 503
    assert read_only["ready"]["json"]["database"] == "read_only"
    assert read_only["healthz"] == 200

    # Permissions back: the same app instance is ready and takes writes again.
    assert restored["ready"]["status"] == 200
    assert restored["write"]["status"] == 201
    # Exactly the two organisations whose signups were answered 201.
    assert scenario_result["orgs"] == ["Org 1", "Org 4"]
