"""Where a pull or a push spends its time: cProfile around the real app, in process.

Run against a database that ``bench/sync_bench.py --keep`` (SQLite) or its PostgreSQL run
left behind (``leadsync_bench``):

    .venv/bin/python bench/profile_sync.py --db-url postgresql://postgres@127.0.0.1:5432/leadsync_bench
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PASSWORD, SECRET_KEY  # noqa: E402
from bench.sync_bench import push_mutations  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--email", help="default: the main org's measured rep")
    parser.add_argument("--what", choices=("pull", "push", "incremental", "all"), default="all")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from app import create_app
    from app.config import normalize_database_url

    email = args.email
    if not email:
        engine = create_engine(normalize_database_url(args.db_url))
        with engine.connect() as conn:
            email = conn.execute(
                text("SELECT email FROM users WHERE email LIKE 'rep0@main-%'")
            ).scalar_one()
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db_url, "SECRET_KEY": SECRET_KEY})
    client = app.test_client()
    response = client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "device_name": "prof"}
    )
    headers = {"Authorization": f"Bearer {response.json['token']}"}

    def full_pull(client_id: str) -> tuple[int, str]:
        cursor, records = None, 0
        while True:
            url = f"/api/v1/sync/pull?client_id={client_id}&limit=1000"
            if cursor:
                url += f"&cursor={cursor}"
            body = client.get(url, headers=headers).json
            records += len(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return records, cursor

    def profiled(label: str, fn) -> None:
        profile = cProfile.Profile()
        t0 = time.perf_counter()
        profile.enable()
        result = fn()
        profile.disable()
        print(f"\n===== {label}: {time.perf_counter() - t0:.3f}s (under cProfile) -> {result}")
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())

    if args.what in ("pull", "all"):
        full_pull(str(uuid.uuid4()))  # warm up
        profiled("full pull", lambda: full_pull(str(uuid.uuid4()))[0])
    if args.what in ("incremental", "all"):
        client_id = str(uuid.uuid4())
        _, cursor = full_pull(client_id)

        def ten_incrementals():
            for _ in range(10):
                client.get(
                    f"/api/v1/sync/pull?client_id={client_id}&limit=1000&cursor={cursor}",
                    headers=headers,
                )
            return "10 pulls"

        profiled("10 incremental pulls (no changes)", ten_incrementals)
    if args.what in ("push", "all"):
        client_id = str(uuid.uuid4())
        base = 500_000 + int(time.time()) % 100_000 * 10

        def one_batch():
            body = {"client_id": client_id, "mutations": push_mutations(1, 500, base)}
            answer = client.post("/api/v1/sync/push", json=body, headers=headers).json
            return {r["status"] for r in answer["results"]}

        profiled("push of 500 lead.create", one_batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
