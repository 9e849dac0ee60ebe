"""Assignment benchmark: does one decision cost at most 2 ms with 200 rules?

Not part of the test suite. Builds a database with the real migrations, signs up one
organisation (admin, two teams of eight reps, ten products), gives the reps open and closed
leads (default 20,000, a fifth of them open: 250 open leads per rep, which each decision
counts), and writes 200 rules: 199 specific ones (region names, postcode prefixes, source
and priority, product) and a catch-all to a team last. It then times
``assignment.service.decide`` in process for a mix of leads:

- ``catch-all``: matches none of the specific rules, so the database checks all 200 and
  the team's round-robin runs (rotation lock, members with their open loads, the turn
  written) — the worst case;
- ``prefix``: matched by a postcode-prefix rule that routes to a team;
- ``person``: matched by a rule naming one person.

Each is timed two ways, one decision per transaction:

- ``<mix>``: the whole transaction — begin, decide (which takes the organisation's
  change-counter lock), roll back;
- ``<mix> decide()``: the decision alone (its counter lock included) in a transaction
  already open, as a request's is by the time it writes the lead. This is what a decision
  adds to a request: the figure held to the 2 ms target.

The floors, measured in the same run on the same database and connection: ``floor``, the
least a decision's transaction does (begin, take the counter lock, read one rule by primary
key, roll back), and ``read_floor``, that one primary-key read alone. The ratios say what
matching 200 rules and picking a rep cost over them (``decide()`` / ``read_floor`` is about
the number of round trips a decision makes).

    .venv/bin/python bench/assignment_bench.py --db both
    .venv/bin/python bench/assignment_bench.py --db sqlite --decisions 300 --leads 2000  # smoke

PostgreSQL: connects as postgres@127.0.0.1 to "test" and drops/creates
``leadsync_assignment_bench``. Figures go to stdout and bench/results-assignment.json.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository

from bench.common import PASSWORD, SECRET_KEY, fresh_database, log, run_each_database  # noqa: E402

PG_DB = "leadsync_assignment_bench"
TARGET_MS = 2.0
RULES = 200

rng = random.Random(13)


def seed(leads: int) -> dict:
    """The organisation, its people, leads and 200 rules; returns what the timing needs."""
    from sqlalchemy import insert, text

    from app.accounts import service as accounts
    from app.assignment import service as assignment
    from app.extensions import db
    from app.leads.models import Lead, Product
    from app.tenancy import tenant

    admin = accounts.signup("Assignment Bench", "Admin", "admin@assign.bench", PASSWORD)
    org_id = admin.org_id
    with tenant(org_id):
        teams = [accounts.create_team(admin, name) for name in ("North", "South")]
        reps = []
        for n in range(16):
            team = teams[n % 2]
            reps.append(
                accounts.create_user(admin, {
                    "email": f"rep{n}@assign.bench", "name": f"Rep {n}", "role": "rep",
                    "password": PASSWORD, "team_ids": [team.id],
                })  # fmt: skip
            )
        products = []
        for n in range(10):
            product = Product(org_id=org_id, id=uuid.uuid4(), name=f"Product {n}", version=0)
            db.session.add(product)
            products.append(product)
        db.session.flush()
        now = datetime.now(UTC)
        # A year or two of history: most leads are closed (a fifth still open, 250 per rep
        # at the default 20,000).
        stages = ["new", "contacted", "quoted", "negotiating"] + ["won"] * 8 + ["lost"] * 8
        rows = [
            {
                "org_id": org_id, "id": uuid.uuid4(), "contact_name": f"Lead {n}",
                "source": "website", "owner_id": (rep := reps[n % len(reps)]).id,
                "team_id": rep.team_ids[0], "stage": rng.choice(stages), "priority": "normal",
                "created_by": admin.id, "created_at": now, "updated_at": now, "version": 0,
                "field_versions": {},
            }  # fmt: skip
            for n in range(leads)
        ]
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Lead.__table__), rows[start : start + 5000])
        # 199 specific rules, then the catch-all. Regions and prefixes no lead of the mix
        # below has unless it means to; sources and priorities in combinations.
        sources = ["phone", "trade_show", "marketplace", "referral", "walk_in"]
        for n in range(RULES - 1):
            kind = n % 4
            if kind == 0:
                match = {"region": f"Region {n}"}
            elif kind == 1:
                match = {"region_prefix": f"{10 + n:03d}"}
            elif kind == 2:
                match = {"source": sources[n % len(sources)], "priority": "urgent"}
            else:
                match = {"product_id": products[n % 10].id, "region": f"Area {n}"}
            target = (
                {"team_id": teams[n % 2].id} if n % 3 else {"owner_id": reps[n % len(reps)].id}
            )
            assignment.create_rule(admin, {"name": f"Rule {n}", "match": match, **target})
        assignment.create_rule(admin, {"name": "Everyone else", "team_id": teams[0].id})
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load: statistics, and the visibility map that
        # lets the open-load count read the index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    # A prefix rule routing to a team, and a region rule naming a person, from those made.
    return {"org_id": org_id, "team_prefix": "0" + str(10 + 1), "person_region": "Region 0"}


def timed(loop, count: int) -> list[float]:
    """Milliseconds of each of ``count`` runs of ``loop`` (a transaction each): the time
    ``loop`` returns (the part of it that it timed), else the whole run."""
    out = []
    for _ in range(count):
        began = time.perf_counter()
        inner = loop()
        out.append(inner if inner is not None else (time.perf_counter() - began) * 1000)
    return out


def stopwatch(work) -> float:
    began = time.perf_counter()
    work()
    return (time.perf_counter() - began) * 1000


def _read_rule(db, model, org_id, rule_id) -> None:
    db.session.expire_all()  # read from the database, not the session's identity map
    db.session.get(model, (org_id, rule_id))


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def run(kind: str, decisions: int, leads: int, profile: bool = False) -> dict:
    from sqlalchemy import select

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database(kind, PG_DB, Path(tmp))
        os.environ.update({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY})
        from app import create_app
        from app.assignment import service as assignment
        from app.assignment.models import AssignmentRule
        from app.changelog import versions as changes
        from app.extensions import db
        from app.tenancy import tenant

        app = create_app()
        with app.app_context():
            log(f"{kind}: seeding {leads} leads, {RULES} rules")
            seeded = seed(leads)
            org_id = seeded["org_id"]
            with tenant(org_id):
                rule_id = db.session.scalar(select(AssignmentRule.id).limit(1))
                db.session.rollback()

                mixes = {
                    "catch-all": {"region": "Nowhere 99", "source": "website"},
                    "prefix": {"region": f"{seeded['team_prefix']}77 Town", "source": "website"},
                    "person": {"region": seeded["person_region"], "source": "website"},
                }

                def decide(values):
                    made = assignment.decide(
                        org_id, product_id=None, priority="normal",
                        **{"region": None, "source": None, **values},
                    )  # fmt: skip
                    assert made.owner_id is not None

                def transaction(values):
                    """The whole transaction: begin, decide, roll back."""

                    def once():
                        decide(values)
                        db.session.rollback()

                    return once

                def decision(values):
                    """decide() alone (its counter lock included), in a transaction already
                    open, as a request's is by the time it writes (it read the user)."""

                    def once():
                        db.session.execute(select(1))
                        took = stopwatch(lambda: decide(values))
                        db.session.rollback()
                        return took

                    return once

                def floor():
                    """The least a decision's transaction does: begin, lock, one read."""
                    changes.lock_counter(org_id)
                    db.session.get(AssignmentRule, (org_id, rule_id))
                    db.session.rollback()

                def read_floor():
                    """One primary-key read, timed alone inside such a transaction."""
                    db.session.execute(select(1))
                    took = stopwatch(lambda: _read_rule(db, AssignmentRule, org_id, rule_id))
                    db.session.rollback()
                    return took

                for check, values in mixes.items():  # each mix finds whom it should
                    made = assignment.decide(org_id, product_id=None, priority="normal",
                                             **{"source": None, **values})  # fmt: skip
                    db.session.commit()  # keeps the rotation rows: the steady state
                    log(f"{kind}: {check} → rule {made.rule_name!r}")
                timed(floor, 50)  # warm-up: caches of statements and connections
                for values in mixes.values():
                    timed(transaction(values), 50)
                if profile:
                    import cProfile
                    import pstats

                    profiler = cProfile.Profile()
                    profiler.runcall(timed, transaction(mixes["catch-all"]), decisions)
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
                figures = {"floor": summary(timed(floor, decisions))}
                figures["read_floor"] = summary(timed(read_floor, decisions))
                for name, values in mixes.items():
                    figures[name] = summary(timed(transaction(values), decisions))
                    figures[f"{name} decide()"] = summary(timed(decision(values), decisions))
        worst = figures["catch-all decide()"]["median_ms"]
        result = {
            "rules": RULES, "leads": leads, "decisions_each": decisions, **figures,
            "ratio_transaction_to_floor": round(
                figures["catch-all"]["median_ms"] / figures["floor"]["median_ms"], 1
            ),
            "ratio_decide_to_read_floor": round(worst / figures["read_floor"]["median_ms"], 1),
            "target_ms": TARGET_MS, "within_target": worst <= TARGET_MS,
        }  # fmt: skip
        for name, f in figures.items():
            log(f"{kind}: {name:<20} median {f['median_ms']:.3f} ms  p95 {f['p95_ms']:.3f} ms")
        log(
            f"{kind}: catch-all transaction / floor {result['ratio_transaction_to_floor']};"
            f" catch-all decide() / one read {result['ratio_decide_to_read_floor']}"
        )
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--decisions", type=int, default=2000)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--profile", action="store_true", help="cProfile of the catch-all")
    args = parser.parse_args()
    run_each_database(
        args.db,
        __file__,
        ["--decisions", str(args.decisions), "--leads", str(args.leads)],
        lambda kind: run(kind, args.decisions, args.leads, args.profile),
        "results-assignment.json",
    )


if __name__ == "__main__":
    main()
