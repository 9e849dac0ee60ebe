"""Reports benchmark: does a report cost what its period holds, not what the table holds?

Not part of the test suite. PostgreSQL only (the production database). Builds a database
with the real migrations and two organisations made by the real services (an admin, three
teams, 30 reps), then seeds with COPY, over the three years before ``NOW``:

* "big": 1,000,000 leads and 5,000,000 follow-ups, created evenly over the three years;
  "small": 100,000 leads and 500,000 follow-ups, most of them created in the month report's
  periods, so that its month holds as many leads as the big one's — a quarter won, a fifth
  lost, the rest open; each lead's stage history (created, and closed for the closed
  ones), first-response SLA steps (met with their business minutes, or breached) and a
  spend entry per channel and week. The daily tallies are then counted from those rows.

Each report (inquiries by source, lost by reason, the demand report, channels, reps, sla)
is asked through the HTTP API (the app's test client, as an admin of the organisation),
warm, five times each, and the median is reported: over the last full year (with its
comparisons: the year before and — the same thing — a year ago) and over the last full
month. The floor, measured in the same run: ``SELECT count(*)`` of the leads created in the
same month (an index range count, the least any report of that month must do). Targets:
a year under 1 s, a month under 200 ms, and the month's cost on the big organisation at
most 1.5 times the small one's: the same month's work in a table ten times the size
(cost follows the period, not the table).

    .venv/bin/python bench/reports_bench.py             # the figures (seeding ~15 min)
    .venv/bin/python bench/reports_bench.py --quick     # 10k / 100k leads, a smoke test
    .venv/bin/python bench/reports_bench.py --keep      # keep the seeded database, then
    .venv/bin/python bench/reports_bench.py --reuse     # measure again on it (no seeding)

Connects as postgres@127.0.0.1 to "test" and drops/creates ``leadsync_reports_bench``
(dropped at the end unless --keep). Figures go to stdout and bench/results-reports.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PASSWORD, SECRET_KEY, drop_database, fresh_database, log, pg_url  # noqa: E402

PG_DB = "leadsync_reports_bench"
PG_URL = pg_url(PG_DB)
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
YEAR = {"from": "2025-01-01", "to": "2025-12-31"}
MONTH = {"from": "2026-05-01", "to": "2026-05-31"}
SOURCES = ["website", "phone", "trade_show", "marketplace", "referral", "walk_in"]
REASONS = ["price_too_high", "no_matching_product", "customisation_needed", "no_response"]
REPORTS = [
    ("inquiries", {}), ("lost", {}), ("lost", {"group_by": "product"}), ("channels", {}),
    ("reps", {}), ("sla", {}),
]  # fmt: skip
rng = random.Random(5)


def naive(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(tzinfo=None)


def copy(conn, table: str, columns: list[str], rows) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({','.join(columns)}) FROM STDIN") as c:
        for row in rows:
            c.write_row(row)


def make_org(app, name: str) -> dict:
    from app.accounts import service as accounts
    from app.extensions import db
    from app.tenancy import tenant

    slug = name.lower()
    with app.app_context():
        admin = accounts.signup(name, "Admin", f"admin@{slug}.bench", PASSWORD)
        people = []
        with tenant(admin.org_id):
            for t in range(3):
                team = accounts.create_team(admin, f"Team {t}")
                for r in range(10):
                    user = accounts.create_user(admin, {
                        "email": f"rep{t}-{r}@{slug}.bench", "name": f"Rep {t}-{r}",
                        "role": "rep", "password": PASSWORD, "team_ids": [team.id],
                    })  # fmt: skip
                    people.append((user.id, team.id))
        db.session.commit()
        return {"org_id": admin.org_id, "admin": f"admin@{slug}.bench", "people": people}


SPAN = 3 * 365 * 86400
START = NOW - timedelta(seconds=SPAN)
LATEST = SPAN - 86400 * 40  # leads are created up to 40 days before NOW (closed by then)
# What the month's report reads: May 2026 with its month before and its year ago (of the
# days leads are created on).
MONTH_WINDOWS = [
    (datetime(2025, 5, 1, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)),
    (datetime(2026, 4, 1, tzinfo=UTC), START + timedelta(seconds=LATEST)),
]


def month_share() -> float:
    """The share of a uniformly seeded organisation's leads created in ``MONTH_WINDOWS``."""
    return sum((hi - lo).total_seconds() for lo, hi in MONTH_WINDOWS) / LATEST


def created_time(focus: float) -> datetime:
    """When a lead was created: uniformly over the three years, or (with probability
    ``focus``) within the month report's windows."""
    if rng.random() >= focus:
        return START + timedelta(seconds=rng.randrange(LATEST))
    lengths = [(hi - lo).total_seconds() for lo, hi in MONTH_WINDOWS]
    pick = rng.random() * sum(lengths)
    for (lo, _), length in zip(MONTH_WINDOWS, lengths, strict=True):
        if pick < length:
            return lo + timedelta(seconds=pick)
        pick -= length
    return MONTH_WINDOWS[-1][0]


def seed(conn, org: dict, leads: int, follow_ups_each: int, focus: float = 0.0) -> None:
    """COPY the organisation's history: leads, follow-ups, stage changes, SLA steps, spend
    (``focus``: see ``created_time``). The daily tallies are counted afterwards, as after
    any load that bypasses the app (``tallies.rebuild``)."""
    org_id, people = org["org_id"], org["people"]
    start = START
    lead_cols = [
        "org_id", "id", "contact_name", "source", "owner_id", "team_id", "stage", "priority",
        "created_by", "created_at", "updated_at", "version", "field_versions",
        "last_follow_up_at", "quoted_at", "closed_at", "won_value", "lost_reason",
        "product_text", "quantity", "estimated_value", "sla_state", "closed_owner_id",
        "closed_team_id",
    ]  # fmt: skip
    lead_rows, fu_rows, change_rows, sla_rows = [], [], [], []
    version = 0
    for i in range(leads):
        lead_id = uuid.uuid4()
        owner, team = people[i % len(people)]
        created = created_time(focus)
        roll = rng.random()
        stage = (
            "won"
            if roll < 0.25
            else "lost"
            if roll < 0.45
            else rng.choice(["new", "contacted", "quoted", "negotiating"])
        )
        closed = (
            created + timedelta(days=rng.randrange(1, 40)) if stage in ("won", "lost") else None
        )
        contacted = created + timedelta(hours=rng.randrange(1, 30))
        quoted = (
            contacted + timedelta(days=1) if stage in ("quoted", "negotiating", "won") else None
        )
        reason = rng.choice(REASONS) if stage == "lost" else None
        version += 1
        lead_rows.append((
            org_id, lead_id, f"Customer {i}", rng.choice(SOURCES), owner, team, stage, "normal",
            owner, naive(created), naive(closed or created), version, "{}", naive(contacted),
            naive(quoted) if quoted else None, naive(closed) if closed else None,
            rng.randrange(500, 20000) if stage == "won" else None, reason,
            f"Part {i % 300}" if reason else None, rng.randrange(1, 50),
            rng.randrange(100, 9000), "paused" if closed else "ok", owner if closed else None,
            team if closed else None,
        ))  # fmt: skip
        for f in range(follow_ups_each):
            version += 1
            at = contacted + timedelta(days=f * 3)
            fu_rows.append((
                org_id, uuid.uuid4(), lead_id, owner, team, owner,
                "quote" if f == 1 else "call", naive(at), naive(at), version,
            ))  # fmt: skip
        change_rows.append((org_id, uuid.uuid4(), lead_id, None, "new", naive(created), owner,
                            owner, team))  # fmt: skip
        if closed:
            change_rows.append((org_id, uuid.uuid4(), lead_id, "new", stage, naive(closed),
                                owner, owner, team))  # fmt: skip
        due = created + timedelta(hours=2)
        minutes = rng.randrange(10, 600)
        met_at = created + timedelta(minutes=minutes)
        sla_rows.append((org_id, uuid.uuid4(), "lead", lead_id, "first_response", "met",
                         naive(met_at), naive(due), minutes, owner, team))  # fmt: skip
        if met_at > due:
            sla_rows.append((org_id, uuid.uuid4(), "lead", lead_id, "first_response",
                             "breached", naive(due), naive(due), None, owner, team))  # fmt: skip
        if len(lead_rows) >= 50_000:
            _flush(conn, lead_cols, lead_rows, fu_rows, change_rows, sla_rows)
    _flush(conn, lead_cols, lead_rows, fu_rows, change_rows, sla_rows)
    week = start.date()
    spend = []
    while week < NOW.date():
        for source in SOURCES:
            spend.append((org_id, uuid.uuid4(), source, week, rng.randrange(50, 900),
                          people[0][0], naive(NOW), naive(NOW)))  # fmt: skip
        week += timedelta(days=7)
    copy(conn, "spend_entries", ["org_id", "id", "source", "spent_on", "amount", "created_by",
                                 "created_at", "updated_at"], spend)  # fmt: skip
    with conn.cursor() as cur:
        cur.execute("UPDATE change_counters SET value = %s WHERE org_id = %s", (version, org_id))


def _flush(conn, lead_cols, lead_rows, fu_rows, change_rows, sla_rows) -> None:
    copy(conn, "leads", lead_cols, lead_rows)
    copy(
        conn,
        "follow_ups",
        [
            "org_id",
            "id",
            "lead_id",
            "owner_id",
            "team_id",
            "author_id",
            "kind",
            "happened_at",
            "received_at",
            "version",
        ],
        fu_rows,
    )
    copy(
        conn,
        "lead_stage_changes",
        [
            "org_id",
            "id",
            "lead_id",
            "from_stage",
            "to_stage",
            "at",
            "actor_id",
            "owner_id",
            "team_id",
        ],
        change_rows,
    )
    copy(conn, "sla_events", ["org_id", "id", "item_type", "item_id", "metric", "event", "at",
                              "due_at", "business_minutes", "owner_id", "team_id"],
         sla_rows)  # fmt: skip
    for rows in (lead_rows, fu_rows, change_rows, sla_rows):
        rows.clear()


def count_tallies(app, org_id) -> None:
    from app import tallies
    from app.accounts.models import Organization
    from app.extensions import db
    from app.tenancy import tenant

    with app.app_context(), tenant(org_id):
        tallies.rebuild(org_id, db.session.get(Organization, org_id).zone)
        db.session.commit()


def timed(client, headers, name: str, params: dict, runs: int = 5) -> float:
    url = f"/api/v1/reports/{name}"
    response = client.get(url, query_string=params, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        client.get(url, query_string=params, headers=headers)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def floor_ms(conn, org_id, runs: int = 5) -> float:
    lo, hi = datetime(2026, 5, 1), datetime(2026, 6, 1)
    times = []
    with conn.cursor() as cur:
        for _ in range(runs + 1):
            began = time.perf_counter()
            cur.execute(
                "SELECT count(*) FROM leads WHERE org_id = %s AND created_at >= %s"
                " AND created_at < %s", (org_id, lo, hi),
            )  # fmt: skip
            cur.fetchone()
            times.append(time.perf_counter() - began)
    return statistics.median(times[1:]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on a database kept by --keep"
    )
    args = parser.parse_args()
    import psycopg

    if args.reuse:
        measure(args, psycopg.connect(PG_URL, autocommit=True), reused=True)
        return
    # Storage is SSD here as in production: random reads cost little more than sequential
    # ones (PostgreSQL's default 4 assumes spinning disks and steers the planner to scan a
    # million leads rather than look up a month's thousands).
    fresh_database("postgres", PG_DB, settings={"random_page_cost": "1.1"})
    os.environ.update({"DATABASE_URL": PG_URL, "SECRET_KEY": SECRET_KEY})
    from app import create_app

    app = create_app()
    sizes = {"small": 10_000, "big": 100_000} if args.quick else {
        "small": 100_000, "big": 1_000_000
    }  # fmt: skip
    orgs = {name: make_org(app, name.capitalize()) for name in sizes}
    conn = psycopg.connect(PG_URL, autocommit=True)
    # The small organisation's month report reads as many leads as the big one's: the same
    # period's work, in a table a tenth the size.
    share = month_share()
    focus = {"small": (sizes["big"] * share / sizes["small"] - share) / (1 - share), "big": 0.0}
    for name, leads in sizes.items():
        began = time.perf_counter()
        seed(conn, orgs[name], leads, 5, focus[name])
        count_tallies(app, orgs[name]["org_id"])
        took = time.perf_counter() - began
        log(f"{name}: {leads:,} leads, {5 * leads:,} follow-ups in {took:.0f} s")
    conn.execute("VACUUM ANALYZE")
    measure(args, conn, app=app, orgs=orgs, sizes=sizes)


def measure(args, conn, app=None, orgs=None, sizes=None, reused=False) -> None:
    """Ask every report of each organisation; print and keep the figures."""
    if reused:
        os.environ.update({"DATABASE_URL": PG_URL, "SECRET_KEY": SECRET_KEY})
        from app import create_app

        app = create_app()
        orgs, sizes = {}, {}
        for name in ("small", "big"):
            email = f"admin@{name}.bench"
            (org_id,) = conn.execute(
                "SELECT org_id FROM users WHERE email = %s", (email,)
            ).fetchone()
            (leads,) = conn.execute(
                "SELECT count(*) FROM leads WHERE org_id = %s", (org_id,)
            ).fetchone()
            orgs[name], sizes[name] = {"org_id": org_id, "admin": email}, leads
    client = app.test_client()
    results: dict = {}
    for name in sizes:
        token = client.post("/api/v1/auth/tokens", json={
            "email": orgs[name]["admin"], "password": PASSWORD, "device_name": "bench",
        }).json["token"]  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"}
        results[name] = {
            "leads": sizes[name],
            "floor_month_ms": round(floor_ms(conn, orgs[name]["org_id"]), 2),
        }
        for report, extra in REPORTS:
            label = report + (f"/{extra['group_by']}" if extra else "")
            year = timed(client, headers, report, {**YEAR, **extra})
            month = timed(client, headers, report, {**MONTH, **extra})
            results[name][label] = {"year_ms": round(year, 1), "month_ms": round(month, 1)}
            log(f"{name} {label}: year {year:.0f} ms, month {month:.0f} ms")
    summary = {}
    for label in results["big"]:
        if isinstance(results["big"][label], dict):
            big, small = results["big"][label], results["small"][label]
            summary[label] = {
                "big_year_ms": big["year_ms"], "big_month_ms": big["month_ms"],
                "month_ratio_big_to_small": round(big["month_ms"] / small["month_ms"], 2),
                "month_to_floor": round(big["month_ms"] / results["big"]["floor_month_ms"], 1),
            }  # fmt: skip
    results["summary"] = summary
    print(json.dumps(summary, indent=2))
    if not args.quick:
        (ROOT / "bench" / "results-reports.json").write_text(json.dumps(results, indent=2) + "\n")
    conn.close()
    if not (args.keep or reused):
        drop_database("postgres", PG_DB)


if __name__ == "__main__":
    main()
