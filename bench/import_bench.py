"""History import benchmark: 50,000 past inquiries from one CSV file, under a minute?

Not part of the test suite. Builds a database with the real migrations, signs up one
organisation (admin, a team, five reps, ten catalogue products) and posts a generated CSV
of N rows (default 50,000: a quarter won, a quarter lost, the rest open; owners by email,
products by SKU, phone numbers of which some repeat, created over two years) to
``POST /api/v1/imports/leads`` through the app's test client, timing the whole request
(parse, check every row, write in one transaction, commit).

The floor, measured in the same run on the same database: inserting the same number of
bare lead rows (no checks, no clocks, no history) with one executemany. The ratio says what
the import's checks, duplicate search, clocks and history cost over writing the rows at all.

    .venv/bin/python bench/import_bench.py --db both
    .venv/bin/python bench/import_bench.py --db sqlite --rows 5000      # smoke test

PostgreSQL: connects as postgres@127.0.0.1 to "test" and drops/creates
``leadsync_import_bench``. Figures go to stdout and bench/results-import.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository

from bench.common import PASSWORD, SECRET_KEY, fresh_database, log, run_each_database  # noqa: E402

PG_DB = "leadsync_import_bench"
TARGET_SECONDS = 60.0

rng = random.Random(11)


def make_csv(rows: int, reps: list[str], skus: list[str]) -> str:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    lines = [
        "external_ref,contact_name,phone,source,owner_email,product_sku,product_text,"
        "quantity,estimated_value,created_at,stage,closed_at,won_value,lost_reason"
    ]
    sources = ["website", "phone", "trade_show", "marketplace", "referral"]
    for n in range(rows):
        created = start + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
        phone = f"+4930{rng.randrange(10**6, 10**7 - 1) if n % 50 else 1234567}"
        roll = n % 4
        stage, closed, won, reason = "new", "", "", ""
        if roll == 0:
            stage, won = "won", f"{rng.randrange(100, 50000)}.00"
            closed = (created + timedelta(days=rng.randrange(1, 60))).isoformat()
        elif roll == 1:
            stage, reason = "lost", rng.choice(["price_too_high", "no_matching_product"])
            closed = (created + timedelta(days=rng.randrange(1, 60))).isoformat()
        elif roll == 2:
            stage = "contacted"
        product, text = (rng.choice(skus), "") if n % 3 else ("", f"Custom part {n % 97}")
        lines.append(
            f"H-{n},Customer {n},{phone},{rng.choice(sources)},{rng.choice(reps)},{product},"
            f"{text},{rng.randrange(1, 20)},{rng.randrange(100, 9000)}.00,{created.isoformat()},"
            f"{stage},{closed},{won},{reason}"
        )
    return "\n".join(lines) + "\n"


def run(kind: str, rows: int) -> dict:
    from sqlalchemy import insert

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(kind, PG_DB, Path(tmp))
        import os

        os.environ.update({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
        from app import create_app
        from app.accounts import service as accounts
        from app.extensions import db
        from app.leads.models import Lead
        from app.tenancy import tenant

        app = create_app()
        with app.app_context():
            admin = accounts.signup("Import Bench", "Admin", "admin@import.bench", PASSWORD)
            with tenant(admin.org_id):
                team = accounts.create_team(admin, "North")
                reps = []
                for n in range(5):
                    accounts.create_user(admin, {
                        "email": f"rep{n}@import.bench", "name": f"Rep {n}", "role": "rep",
                        "password": PASSWORD, "team_ids": [team.id],
                    })  # fmt: skip
                    reps.append(f"rep{n}@import.bench")
            db.session.commit()
            org_id, admin_id = admin.org_id, admin.id
        client = app.test_client()
        token = client.post(
            "/api/v1/auth/tokens",
            json={"email": "admin@import.bench", "password": PASSWORD, "device_name": "bench"},
        ).json["token"]
        auth = {"Authorization": f"Bearer {token}"}
        skus = [f"SKU-{n}" for n in range(10)]
        for sku in skus:
            client.post("/api/v1/products", json={"name": sku, "sku": sku}, headers=auth)
        text = make_csv(rows, reps, skus)
        log(f"{kind}: {rows} rows, {len(text.encode()) / 1e6:.1f} MB")
        began = time.perf_counter()
        response = client.post(
            "/api/v1/imports/leads", data=text.encode(), content_type="text/csv", headers=auth
        )
        seconds = time.perf_counter() - began
        assert response.status_code == 201, response.get_data(as_text=True)[:2000]
        result = response.json
        log(f"{kind}: import {seconds:.1f} s → {result}")

        # The floor: the same number of bare rows, one executemany, one commit.
        with app.app_context(), tenant(org_id):
            now = datetime.now(UTC)
            bare = [
                {
                    "org_id": org_id, "id": uuid.uuid4(), "contact_name": f"Bare {n}",
                    "source": "website", "owner_id": admin_id, "stage": "new",
                    "priority": "normal", "created_by": admin_id, "created_at": now,
                    "updated_at": now, "version": 0, "field_versions": {},
                }  # fmt: skip
                for n in range(rows)
            ]
            began = time.perf_counter()
            db.session.execute(insert(Lead.__table__), bare)
            db.session.commit()
            floor = time.perf_counter() - began
        log(f"{kind}: floor (bare insert) {floor:.2f} s; ratio {seconds / floor:.1f}")
        return {
            "rows": rows, "seconds": round(seconds, 2), "floor_seconds": round(floor, 3),
            "ratio": round(seconds / floor, 1), "target_seconds": TARGET_SECONDS,
            "within_target": seconds < TARGET_SECONDS, **result,
        }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    run_each_database(
        args.db,
        __file__,
        ["--rows", str(args.rows)],
        lambda kind: run(kind, args.rows),
        "results-import.json",
    )


if __name__ == "__main__":
    main()
