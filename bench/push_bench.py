"""Push delivery benchmark: 1,000 reminders through ``deliver_due`` to a local push service.

Not part of the test suite. Builds a fresh database with the real migrations (a temporary
SQLite file unless ``--database-url`` is given — that database is wiped), makes one
organisation with ``--users`` people, one subscribed browser each, enqueues ``--reminders``
reminders spread over them, then times one ``deliver_due(now)`` run against the local
push-service stand-in of the tests (tests/push/standin.py). The stand-in runs in its own
process (as a push service is another machine; in one process the two would take turns
at the GIL) and checks every VAPID signature and decrypts every message — on the same
machine, so the figure includes its work and is a floor for a real deployment.

    .venv/bin/python bench/push_bench.py
    .venv/bin/python bench/push_bench.py --database-url postgresql://postgres@127.0.0.1:5432/x
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app import create_app  # noqa: E402
from app.accounts import service as accounts  # noqa: E402
from app.extensions import db  # noqa: E402
from app.push import service as push_service  # noqa: E402
from app.push.outbox import enqueue_reminder  # noqa: E402
from app.push.sender import deliver_due  # noqa: E402
from app.tenancy import tenant  # noqa: E402
from tests.push.standin import PushServiceStandIn  # noqa: E402

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def serve_standin(conn, browsers: int, decrypt: bool) -> None:
    """The push service, in a process of its own, driven over a pipe."""
    standin = PushServiceStandIn().start()
    standin.decrypt = decrypt
    conn.send(standin.origin)
    standin.vapid_public_key = conn.recv()
    conn.send([standin.new_browser().to_json() for _ in range(browsers)])
    conn.recv()  # done
    conn.send(
        {
            "connections": standin.connections,
            "received": len(standin.received),
            "problems": standin.problems[:3],
        }
    )
    standin.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reminders", type=int, default=1000)
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=1, help="PUSH_CONCURRENCY")
    parser.add_argument("--database-url")
    parser.add_argument(
        "--no-decrypt", action="store_true", help="the stand-in checks VAPID but does not decrypt"
    )
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="push-bench-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-to-pass",
            "PASSWORD_HASH_CHEAP": True,
            "PUSH_ALLOW_INSECURE_ENDPOINTS": True,  # the stand-in speaks http on 127.0.0.1
            "PUSH_CONCURRENCY": args.concurrency,
        }
    )
    app.instance_path = str(workdir)
    here, there = multiprocessing.get_context("spawn").Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=serve_standin, args=(there, args.users, not args.no_decrypt), daemon=True
    )
    child.start()
    here.recv()  # the stand-in is listening
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        flask_migrate.upgrade()
        from app.push.vapid import get_vapid

        here.send(get_vapid(app).public_key)
        browsers = here.recv()
        slug = uuid.uuid4().hex[:8]
        admin = accounts.signup("Bench Co", "Admin", f"admin@{slug}.test", "bench password 1")
        with tenant(admin.org_id):
            people = [
                accounts.create_user(
                    admin,
                    {
                        "email": f"rep{i}@{slug}.test",
                        "name": f"Rep {i}",
                        "role": "rep",
                        "password": "bench password 1",
                    },
                )
                for i in range(args.users)
            ]
            for person, browser in zip(people, browsers, strict=True):
                push_service.subscribe(person, browser)
            for i in range(args.reminders):
                person = people[i % len(people)]
                enqueue_reminder(
                    org_id=person.org_id,
                    user_id=person.id,
                    kind="due_soon",
                    item_type="lead",
                    item_id=uuid.uuid4(),
                    milestone="due_soon",
                    title=f"Call customer {i}",
                    body="Follow-up due in 30 minutes",
                    not_before=NOW,
                    ttl_seconds=1800,
                )
            db.session.commit()
        db.session.remove()

        started, cpu_started = time.perf_counter(), time.process_time()
        stats = deliver_due(NOW, batch=args.batch, max_batches=10_000)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        db.session.remove()
    here.send("done")
    service = here.recv()
    child.join(10)

    assert not service["problems"], service["problems"]
    assert service["received"] == stats.requests, service
    assert stats.delivered == args.reminders, stats
    print(f"database          {db_name(url)}, PUSH_CONCURRENCY={args.concurrency}")
    print(f"reminders         {stats.delivered} delivered ({stats.requests} push requests)")
    checked = "not decrypted" if args.no_decrypt else "decrypted"
    print(f"stand-in          VAPID verified, {checked}")
    print(f"time              {elapsed:.2f} s")
    print(f"throughput        {stats.delivered / elapsed:.0f} reminders/s (target >= 200)")
    print(f"sender CPU        {cpu:.2f} s ({stats.delivered / cpu:.0f} reminders per CPU-second)")
    print(f"TCP connections   {service['connections']}")
    print(f"load average      {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def db_name(url: str) -> str:
    return url.split(":", 1)[0]


if __name__ == "__main__":
    main()
