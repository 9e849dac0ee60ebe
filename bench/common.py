"""What every benchmark sets up alike: a fresh database with the real migrations, the real
server under gunicorn on a free loopback port, and a log line with the time.

The benchmarks run as scripts (``.venv/bin/python bench/x_bench.py``): each puts the
repository on ``sys.path`` and then imports from here.

PostgreSQL: a benchmark's database lives on postgres@127.0.0.1 and is dropped and made
again from an administration database (``test`` unless a benchmark says otherwise).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password-123"
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_ADMIN_URL = f"{PG_SERVER}/test"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- the database ----------------------------------------------------------------------------


def pg_url(name: str) -> str:
    """The URL of the benchmark database ``name`` on the local PostgreSQL."""
    return f"{PG_SERVER}/{name}"


def _admin_and_name(url: str, admin_database: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    # The name goes into DROP/CREATE DATABASE as it is: letters, digits and _ only.
    if not name or not name.replace("_", "").isalnum():
        raise SystemExit(f"a benchmark database needs a plain name, not {name!r}")
    return urlunsplit(parts._replace(path=f"/{admin_database}")), name


def drop_postgres(url: str, admin_database: str = "test") -> None:
    """Drop the database ``url`` names (connecting to ``admin_database`` to do it)."""
    import psycopg

    admin, name = _admin_and_name(url, admin_database)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_postgres(
    url: str, admin_database: str = "test", settings: Mapping[str, str] | None = None
) -> None:
    """Drop and create the database ``url`` names (connecting to ``admin_database``), with
    ``settings`` (``ALTER DATABASE … SET name = value``) for every later connection."""
    import psycopg

    drop_postgres(url, admin_database)
    admin, name = _admin_and_name(url, admin_database)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        for setting, value in (settings or {}).items():
            conn.execute(f'ALTER DATABASE "{name}" SET {setting} = {value}')


def fresh_database(
    kind: str,
    name: str,
    workdir: Path | None = None,
    *,
    settings: Mapping[str, str] | None = None,
) -> str:
    """A new database with the real migrations, its URL: ``kind`` "sqlite" is the file
    ``<name>.db`` in ``workdir``; "postgres" the PostgreSQL database ``name``, dropped and
    made again (with ``settings``, as ``recreate_postgres``)."""
    if kind == "sqlite":
        if workdir is None:
            raise ValueError("a SQLite database needs a workdir")
        url = f"sqlite:///{workdir / f'{name}.db'}"
    else:
        url = pg_url(name)
        recreate_postgres(url, settings=settings)
    started = time.perf_counter()
    run_migrations(url)
    log(f"{kind}: migrated {url} in {time.perf_counter() - started:.1f}s")
    return url


def sqlite_file(url: str) -> str | None:
    """The file of a SQLite URL (None for any other database)."""
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None


def drop_database(kind: str, name: str) -> None:
    """Drop what ``fresh_database`` made on PostgreSQL (a SQLite file goes with its
    workdir)."""
    if kind == "postgres":
        drop_postgres(pg_url(name))


def run_migrations(url: str) -> None:
    """``flask db upgrade`` on ``url``: the schema as production builds it."""
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY}
    subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def run_each_database(
    db: str, script: str, options: Sequence[str], run: Callable[[str], dict], results_file: str
) -> None:
    """``--db sqlite|postgres``: ``run(kind)`` here. ``--db both``: ``script`` once per
    database, each in a process of its own (the app reads ``DATABASE_URL`` when it is made)
    with ``options``, their figures together in ``bench/<results_file>``. Either way the
    figures are printed last as one JSON line: what a parent process reads."""
    if db != "both":
        results = {db: run(db)}
    else:
        results = {}
        for kind in ("sqlite", "postgres"):
            out = subprocess.run(
                [sys.executable, script, "--db", kind, *options],
                check=True,
                capture_output=True,
                text=True,
            )
            print(out.stdout, end="")
            results.update(json.loads(out.stdout.strip().splitlines()[-1]))
        (ROOT / "bench" / results_file).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results))


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class GunicornServer:
    """The real app under gunicorn, as ``make run`` serves it: ``workers`` gthread workers
    of ``threads`` threads on a free loopback port, its output in ``workdir/server.log``.
    Ready (``/healthz`` answers) when made; ``stop()`` ends it."""

    def __init__(
        self,
        url: str,
        workdir: Path,
        *,
        workers: int = 1,
        threads: int = 4,
        timeout: int = 600,
        env: Mapping[str, str] | None = None,
        gunicorn_args: Sequence[str] = (),
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        server_env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET_KEY,
            "LEADSYNC_ENV": "development",
            **(env or {}),
        }
        self.log = open(workdir / "server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--timeout",
                str(timeout),
                *gunicorn_args,
                "wsgi:app",
            ],
            cwd=ROOT,
            env=server_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"server did not start; see {workdir / 'server.log'}")
        self.workers = self._worker_pids(workers)

    def _worker_pids(self, count: int) -> list[int]:
        """The gunicorn workers: the children of its master process."""
        for _ in range(100):
            found = []
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.append(int(entry))
            if len(found) >= count:
                return found
            time.sleep(0.1)
        raise RuntimeError("gunicorn workers not found")

    def cpu_seconds(self) -> float:
        """User + system CPU of the workers so far (robust to a busy machine)."""
        total = 0.0
        for pid in self.workers:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
