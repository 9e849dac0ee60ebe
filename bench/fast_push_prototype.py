"""Evidence for the suggested push patch: 500 lead.create, before and after, in process.

Monkeypatches (nothing under app/ is edited):

1. versions of a batch come from memory: the batch already holds the organisation's
   counter lock (``lock_counter``), so ``next_versions`` adds to a number kept in
   ``session.info`` and the counter row is written once, just before the commit;
2. ``last_mutation_id`` is written once per batch, before the commit (the batch commits
   once, so each mutation is still applied and counted together, or not at all);
3. the organisation row is held for the whole batch, so ``_org()`` finds it in the
   identity map instead of reading it again for every mutation (the map holds only weak
   references, so today the row is dropped and re-read after each mutation).

    .venv/bin/python bench/fast_push_prototype.py --db-url postgresql://postgres@127.0.0.1:5432/leadsync_bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_bench import PASSWORD, SECRET_KEY, push_mutations  # noqa: E402


def install_patch() -> None:
    from sqlalchemy import update

    from app.accounts.models import Organization
    from app.extensions import db
    from app.sync import changes, clients
    from app.sync import push as push_module
    from app.sync.models import ChangeCounter

    original_next = changes.next_versions
    original_advance = clients.advance
    original_push = push_module.push
    original_lock = changes.lock_counter

    def lock_counter(org_id):
        original_lock(org_id)
        value = db.session.execute(
            update(ChangeCounter)
            .where(ChangeCounter.org_id == org_id)
            .values(value=ChangeCounter.value)
            .returning(ChangeCounter.value)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        db.session.info["reserved"] = [org_id, value, value]

    def next_versions(org_id, count=1):
        reserved = db.session.info.get("reserved")
        if reserved is None or reserved[0] != org_id:
            return original_next(org_id, count)
        reserved[2] += count
        return reserved[2]

    def advance(client_id, last_mutation_id):
        if "reserved" in db.session.info:
            db.session.info["advance"] = (client_id, last_mutation_id)
        else:
            original_advance(client_id, last_mutation_id)

    def flush_batch():
        reserved = db.session.info.pop("reserved", None)
        if reserved and reserved[2] != reserved[1]:
            db.session.execute(
                update(ChangeCounter)
                .where(ChangeCounter.org_id == reserved[0])
                .values(value=reserved[2])
                .execution_options(synchronize_session=False)
            )
        pending = db.session.info.pop("advance", None)
        if pending:
            original_advance(*pending)

    class Session:  # wraps commit so the batch's counter and client row are written first
        def __init__(self, real):
            self.real = real

        def __getattr__(self, name):
            return getattr(self.real, name)

        def commit(self):
            flush_batch()
            self.real.commit()

    def push(actor, client_id, mutations):
        org = db.session.get(Organization, actor.org_id)  # held for the batch
        real_db_session = push_module.db.session
        try:
            push_module.db = type("DB", (), {"session": Session(real_db_session)})()
            return original_push(actor, client_id, mutations)
        finally:
            push_module.db = db
            db.session.info.pop("reserved", None)
            db.session.info.pop("advance", None)
            del org

    changes.next_versions = next_versions
    changes.lock_counter = lock_counter
    push_module.lock_counter = lock_counter
    clients.advance = advance
    push_module.push = push
    from app.sync import routes

    routes.push_service.push = push


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--batches", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from app import create_app
    from app.config import normalize_database_url

    engine = create_engine(normalize_database_url(args.db_url))
    with engine.connect() as conn:
        email = conn.execute(
            text("SELECT email FROM users WHERE email LIKE 'rep0@main-%'")
        ).scalar_one()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db_url, "SECRET_KEY": SECRET_KEY})
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "device_name": "proto"}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    offset = 7_000_000 + int(time.time()) % 100_000 * 20

    def batch(client_id, start):
        nonlocal offset
        offset += 1000
        body = {"client_id": client_id, "mutations": push_mutations(start, 500, offset)}
        cpu0, t0 = time.process_time(), time.perf_counter()
        answer = client.post("/api/v1/sync/push", json=body, headers=headers).json
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - t0
        assert {r["status"] for r in answer["results"]} == {"applied"}, answer["results"][:2]
        assert answer["last_mutation_id"] == start + 499
        return cpu, wall

    def run(label):
        client_id = str(uuid.uuid4())
        runs = [batch(client_id, 1 + 500 * b) for b in range(args.batches)]
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        print(
            f"{label}: CPU {cpu * 2:.2f} ms/mutation, wall {wall * 2:.2f} ms/mutation "
            f"({500 / wall:,.0f} mutations/s)"
        )
        return client_id

    run("unpatched")
    install_patch()
    client_id = run("patched  ")
    with engine.connect() as conn:
        org = conn.execute(
            text("SELECT org_id FROM users WHERE email = :e"), {"e": email}
        ).scalar_one()
        top = max(
            conn.execute(
                text(f"SELECT max(version) FROM {t} WHERE org_id = :o"), {"o": org}
            ).scalar()
            or 0
            for t in ("leads", "follow_ups", "users", "products", "tombstones")
        )
        counter = conn.execute(
            text("SELECT value FROM change_counters WHERE org_id = :o"), {"o": org}
        ).scalar_one()
        key = client_id if "postgres" in args.db_url else uuid.UUID(client_id).hex
        mid = conn.execute(
            text("SELECT last_mutation_id FROM sync_clients WHERE client_id = :c"), {"c": key}
        ).scalar_one()
    print(
        f"after the patched batches: counter {counter}, highest version {top}, "
        f"last_mutation_id {mid}"
    )
    ok = counter >= top and mid == 500 * args.batches
    print("consistent" if ok else "INCONSISTENT")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
