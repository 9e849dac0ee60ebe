"""bench/two_devices.py against the real server, end to end over HTTP.

The server runs as a subprocess (gunicorn, as ``make run`` starts it) on a free loopback
port, against a fresh SQLite file in a temporary directory, built by the real migrations
and ``flask demo-data``. It always uses its own SQLite file, whatever ``DATABASE_URL`` the
suite runs with: the suite's database is wiped after every test, and this test must not
race with that.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "two_devices.py"
PASSWORD = "two-devices-demo-password"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base_url: str, server: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not come up:\n{log.read_text()[-4000:]}")


def test_two_devices_script_is_consistent(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'two_devices.db'}",
        "SECRET_KEY": "two-devices-test-secret-key-0123456789abcdef",
        "LEADSYNC_ENV": "development",
        "LEADSYNC_DEMO_PASSWORD": PASSWORD,
    }
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    for command in (["db", "upgrade"], ["demo-data"]):
        done = subprocess.run(
            flask + command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    server_log = tmp_path / "server.log"
    with server_log.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(base_url, server, server_log)
            done = subprocess.run(
                [sys.executable, str(SCRIPT), "--base-url", base_url],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    assert done.returncode == 0, (
        f"exit {done.returncode}\n{done.stdout}\n{done.stderr}\n"
        f"--- server log ---\n{server_log.read_text(errors='replace')[-4000:]}"
    )
    assert "ALL CONSISTENT" in done.stdout
