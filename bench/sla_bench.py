"""SLA check benchmark: does one ``run_sla_check(now)`` cost what is due, not what is open?

Not part of the test suite. Builds a database with the real migrations, creates one
organisation through the real services (admin, team "North", a rep who owns every lead and
a team lead), then seeds N open leads with bulk inserts (COPY on PostgreSQL, executemany on
SQLite). Every lead has a running clock (``sla_state='ok'``, ``sla_next_at`` 1-365 days in
the future) except exactly 1,000 that are due at ``NOW``:

* 500 ``ok`` past their warning time, deadline still ahead  -> ``warning`` (due_soon)
* 250 ``ok`` past their deadline                              -> ``breached`` (overdue)
* 250 ``warning`` past their deadline                         -> ``breached`` (overdue)

None reaches its escalation time, so every milestone queues one reminder to the owner.
``NOW`` is a Wednesday 11:00 UTC (inside the default sales hours), so no reminder is held
back by quiet hours.

The leads already in ``warning`` have a pending "due soon" reminder (the device was
offline), which their "overdue" one supersedes.

The check is measured at N = 10,000, then 990,000 more future leads are added and it is
measured at N = 1,000,000. Before each measured run the same 1,000 leads are made due again
(one UPDATE) and the previous run's reminders and SLA events are deleted, so every run
does identical work; the median of the runs is reported. One extra run per size counts
statements (by kind) and database time, and one cProfile run shows where Python time goes.
After the first run the bench checks what the check left behind against what the seeded
clocks must give (states, versions in due order, events, reminders, supersessions) and
fails if anything differs.

    .venv/bin/python bench/sla_bench.py --db postgres            # the figures (~3 min)
    .venv/bin/python bench/sla_bench.py --db both
    .venv/bin/python bench/sla_bench.py --db sqlite --quick      # smoke test (2k / 20k)

PostgreSQL: connects as postgres@127.0.0.1 to "test" and drops/creates ``leadsync_sla_bench``
(dropped again at the end unless --keep). Figures go to stdout and bench/results-sla.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import PASSWORD, SECRET_KEY, drop_database, fresh_database, log, sqlite_file  # noqa: E402

PG_DB = "leadsync_sla_bench"

NOW = datetime(2025, 6, 4, 11, 0, tzinfo=UTC)  # a Wednesday, 11:00 UTC: sales hours
DUE = 1000
TARGET_SECONDS = 1.0
TARGET_RATIO = 1.5

rng = random.Random(7)


# --- database set-up ---------------------------------------------------------------------


def clean_up(kind: str, workdir: Path) -> None:
    drop_database(kind, PG_DB)
    shutil.rmtree(workdir, ignore_errors=True)


def create_people(app) -> dict[str, Any]:
    """Organisation, team, rep and team lead through the real services."""
    from app.accounts import service as accounts
    from app.extensions import db
    from app.tenancy import tenant

    slug = uuid.uuid4().hex[:6]
    with app.app_context():
        admin = accounts.signup("SLA Bench", "Bench Admin", f"admin@{slug}.bench", PASSWORD)
        with tenant(admin.org_id):
            team = accounts.create_team(admin, "North")
            rep = accounts.create_user(
                admin,
                {
                    "email": f"rep@{slug}.bench",
                    "name": "Rep One",
                    "role": "rep",
                    "password": PASSWORD,
                    "team_ids": [team.id],
                },
            )
            lead = accounts.create_user(
                admin,
                {
                    "email": f"lead@{slug}.bench",
                    "name": "Team Lead",
                    "role": "lead",
                    "password": PASSWORD,
                    "team_ids": [team.id],
                },
            )
            people = {
                "org_id": admin.org_id,
                "team_id": team.id,
                "rep_id": rep.id,
                "lead_id": lead.id,
                "admin_id": admin.id,
            }
        db.session.commit()  # the services flush; their caller commits
        db.session.remove()
    return people


# --- rows --------------------------------------------------------------------------------


def due_clock(j: int) -> dict[str, Any]:
    """The clock of due lead j (0..999), as it is before the check."""
    started = NOW - timedelta(hours=30, minutes=j % 60)
    tie = timedelta(microseconds=j)  # no two due leads share sla_next_at: a stable order
    if j % 4 in (0, 1):  # ok, warning time passed, deadline ahead -> warning
        warn = NOW - timedelta(minutes=1 + j % 50) + tie
        due = NOW + timedelta(hours=1, minutes=j % 30) + tie
        state, nxt = "ok", warn
    elif j % 4 == 2:  # ok, deadline passed -> breached (the warning is skipped)
        warn = NOW - timedelta(hours=3, minutes=j % 50) + tie
        due = NOW - timedelta(minutes=1 + j % 50) + tie
        state, nxt = "ok", warn
    else:  # warning already sent, deadline passed -> breached
        warn = NOW - timedelta(hours=3, minutes=j % 50) + tie
        due = NOW - timedelta(minutes=1 + j % 50) + tie
        state, nxt = "warning", due
    return {
        "sla_metric": "follow_up",
        "sla_policy_id": None,
        "sla_state": state,
        "sla_started_at": started,
        "sla_warn_at": warn,
        "sla_due_at": due,
        "sla_breached_at": None,
        "sla_met_at": None,
        "sla_escalate_at": NOW + timedelta(hours=6),  # not reached by this check
        "sla_escalated_at": None,
        "sla_next_at": nxt,
    }


def future_clock(i: int) -> dict[str, Any]:
    """A running clock whose next milestone is 1-365 days ahead."""
    warn = NOW + timedelta(days=1, seconds=rng.randrange(364 * 86400))
    due = warn + timedelta(hours=4)
    return {
        "sla_metric": "follow_up",
        "sla_policy_id": None,
        "sla_state": "ok",
        "sla_started_at": NOW - timedelta(hours=i % 72),
        "sla_warn_at": warn,
        "sla_due_at": due,
        "sla_breached_at": None,
        "sla_met_at": None,
        "sla_escalate_at": due + timedelta(hours=8),
        "sla_escalated_at": None,
        "sla_next_at": warn,
    }


def lead_row(people: dict[str, Any], i: int, version: int, clock: dict[str, Any]) -> dict:
    """The sync bench's lead, with a running SLA clock."""
    from bench.sync_bench import lead_row as sync_lead_row

    created = NOW - timedelta(days=400) + timedelta(seconds=30 * i)
    row = sync_lead_row(
        people["org_id"], i, people["rep_id"], people["team_id"], version, now=created
    )
    # No stored sync change: the check does not read it (a pull would build it in SQL).
    return {**row, **clock, "wire_change": None, "wire_version": None}


class Raw:
    """The bare driver, writing in the storage format SQLAlchemy uses."""

    def __init__(self, kind: str, url: str, path: str | None) -> None:
        from app.leads.models import Lead

        self.kind = kind
        self.table = Lead.__table__
        self.cols = [c.name for c in self.table.columns]
        self.mark = "?" if kind == "sqlite" else "%s"
        if kind == "sqlite":
            from sqlalchemy.dialects import sqlite as sqlite_dialect

            from app.push.models import Reminder

            dialect = sqlite_dialect.dialect()
            self.procs = {
                c.name: c.type._cached_bind_processor(dialect) for c in self.table.columns
            }
            self.reminder_procs = {
                c.name: c.type._cached_bind_processor(dialect) for c in Reminder.__table__.columns
            }
            self.conn = sqlite3.connect(path, isolation_level=None)
            self.conn.execute("PRAGMA busy_timeout=10000")
        else:
            import psycopg

            self.conn = psycopg.connect(url, autocommit=True)

    def value(self, col: str, v: Any, procs: dict | None = None) -> Any:
        if self.kind == "sqlite":
            proc = (procs or self.procs)[col]
            return proc(v) if proc is not None else v
        if isinstance(v, datetime):
            return v.astimezone(UTC).replace(tzinfo=None)
        if isinstance(v, dict):
            return json.dumps(v)
        return v

    def key(self, v: uuid.UUID) -> Any:
        return v.hex if self.kind == "sqlite" else v

    def insert_leads(self, rows: list[dict]) -> None:
        # Columns a seeded open lead leaves empty (closed_at, external_ref, …) stay NULL.
        values = [tuple(self.value(c, r.get(c)) for c in self.cols) for r in rows]
        if self.kind == "sqlite":
            self.conn.execute("BEGIN")
            marks = ",".join("?" * len(self.cols))
            self.conn.executemany(
                f"INSERT INTO leads ({','.join(self.cols)}) VALUES ({marks})", values
            )
            self.conn.execute("COMMIT")
        else:
            with self.conn.transaction():
                cur = self.conn.cursor()
                with cur.copy(f"COPY leads ({','.join(self.cols)}) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)

    def counter(self, org_id: uuid.UUID) -> int:
        m = self.mark
        return self.conn.execute(
            f"SELECT value FROM change_counters WHERE org_id = {m}", (self.key(org_id),)
        ).fetchone()[0]

    def set_counter(self, org_id: uuid.UUID, value: int) -> None:
        m = self.mark
        self.conn.execute(
            f"UPDATE change_counters SET value = {m} WHERE org_id = {m}", (value, self.key(org_id))
        )

    def analyze(self) -> None:
        self.conn.execute("ANALYZE" if self.kind == "sqlite" else "VACUUM ANALYZE")

    def reset_due(self, org_id: uuid.UUID, due_ids: list[uuid.UUID], rep_id) -> None:
        """Make the same 1,000 leads due again, and forget the previous run's output."""
        m = self.mark
        names = [
            "sla_state",
            "sla_started_at",
            "sla_warn_at",
            "sla_due_at",
            "sla_breached_at",
            "sla_escalate_at",
            "sla_escalated_at",
            "sla_next_at",
        ]
        sets = ", ".join(f"{n} = {m}" for n in names)
        params = []
        for j, lead_id in enumerate(due_ids):
            clock = due_clock(j)
            params.append(
                (*(self.value(n, clock[n]) for n in names), self.key(org_id), self.key(lead_id))
            )
        sql = f"UPDATE leads SET {sets} WHERE org_id = {m} AND id = {m}"
        # The leads already in 'warning' had a "due soon" reminder: still pending (the
        # device was offline), so the overdue one supersedes it, as in production.
        rcols = list(self.pending_reminder(org_id, due_ids[0], 0, rep_id))
        rparams = [
            tuple(
                self.value(c, v, getattr(self, "reminder_procs", None))
                for c, v in self.pending_reminder(org_id, lead_id, j, rep_id).items()
            )
            for j, lead_id in enumerate(due_ids)
            if due_clock(j)["sla_state"] == "warning"
        ]
        rsql = f"INSERT INTO reminders ({', '.join(rcols)}) VALUES ({', '.join([m] * len(rcols))})"
        if self.kind == "sqlite":
            self.conn.execute("BEGIN")
            self.conn.executemany(sql, params)
            self.conn.execute(f"DELETE FROM reminders WHERE org_id = {m}", (self.key(org_id),))
            self.conn.execute(f"DELETE FROM sla_events WHERE org_id = {m}", (self.key(org_id),))
            self.conn.executemany(rsql, rparams)
            self.conn.execute("COMMIT")
        else:
            with self.conn.transaction():
                self.conn.cursor().executemany(sql, params)
                self.conn.execute(f"DELETE FROM reminders WHERE org_id = {m}", (org_id,))
                self.conn.execute(f"DELETE FROM sla_events WHERE org_id = {m}", (org_id,))
                self.conn.cursor().executemany(rsql, rparams)

    @staticmethod
    def pending_reminder(org_id, lead_id, j: int, rep_id) -> dict[str, Any]:
        clock = due_clock(j)
        started = int(clock["sla_started_at"].timestamp())
        return {
            "org_id": org_id,
            "id": uuid.UUID(int=j + 1),
            "user_id": rep_id,
            "kind": "due_soon",
            "item_type": "lead",
            "item_id": lead_id,
            "milestone": f"follow_up:{started}:warning",
            "title": f"Follow-up due soon: Contact {j}",
            "body": "Due Wed 10:00.",
            "url": f"/leads/{lead_id}",
            "urgency": "normal",
            "ttl_seconds": 3600,
            "topic": lead_id.hex,
            "not_before": clock["sla_warn_at"],
            "expires_at": clock["sla_due_at"],
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": clock["sla_warn_at"],
            "last_error": None,
            "created_at": clock["sla_warn_at"],
            "delivered_at": None,
        }

    def outcome(self, org_id: uuid.UUID, base_version: int) -> dict[str, Any]:
        """What one check left behind, in counts a correct check can be held to."""
        m = self.mark
        k = self.key(org_id)

        def counted(sql: str, *params: Any) -> dict[str, int]:
            rows = self.conn.execute(sql, (k, *params)).fetchall()
            return {"/".join(str(c) for c in row[:-1]): row[-1] for row in rows}

        # The leads the check stamped, in version order: their clocks' order before it ran.
        stamped = self.conn.execute(
            f"SELECT id, version FROM leads WHERE org_id = {m} AND version > {m} ORDER BY version",
            (k, base_version),
        ).fetchall()
        return {
            "stamped": [row[0] for row in stamped],
            "versions": [row[1] - base_version for row in stamped],
            "counter_advance": self.counter(org_id) - base_version,
            "states": counted(
                f"SELECT sla_state, count(*) FROM leads WHERE org_id = {m} AND version > {m}"
                " GROUP BY sla_state",
                base_version,
            ),
            "events": counted(
                f"SELECT event, count(*) FROM sla_events WHERE org_id = {m} GROUP BY event"
            ),
            "reminders": counted(
                "SELECT kind, status, count(*) FROM reminders"
                f" WHERE org_id = {m} GROUP BY kind, status"
            ),
            "superseded_by_overdue": counted(
                f"SELECT count(*) FROM reminders r WHERE r.org_id = {m} AND r.status = 'expired'"
                " AND r.last_error = 'superseded by ' || replace(r.milestone, ':warning',"
                " ':breached')"
            ),
        }

    def due_count(self) -> int:
        m = self.mark
        now = self.value("sla_next_at", NOW)
        return self.conn.execute(
            f"SELECT count(*) FROM leads WHERE sla_next_at <= {m}", (now,)
        ).fetchone()[0]

    def counts(self, org_id: uuid.UUID) -> dict[str, int]:
        m = self.mark
        k = self.key(org_id)
        out = {}
        for table in ("leads", "reminders", "sla_events"):
            out[table] = self.conn.execute(
                f"SELECT count(*) FROM {table} WHERE org_id = {m}", (k,)
            ).fetchone()[0]
        return out

    def close(self) -> None:
        self.conn.close()


def explain(raw: Raw, statement: str, parameters: Any) -> list[str]:
    if raw.kind == "sqlite":
        rows = raw.conn.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        return [f"{r[0]}|{r[1]}|{r[3]}" for r in rows]
    import psycopg

    lines: list[str] = []
    with raw.conn.transaction():
        rows = raw.conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).fetchall()
        lines = [r[0] for r in rows]
        raise psycopg.Rollback()  # release the FOR UPDATE locks
    return lines


def seed_leads(raw: Raw, people, start: int, count: int, due_ids: list | None) -> None:
    """Leads start .. start+count-1; the first 1,000 (when due_ids is given) are the due set."""
    version = raw.counter(people["org_id"])
    chunk: list[dict] = []
    for i in range(start, start + count):
        version += 1
        j = i - start
        if due_ids is not None and j < DUE:
            row = lead_row(people, i, version, due_clock(j))
            due_ids.append(row["id"])
        else:
            row = lead_row(people, i, version, future_clock(i))
        chunk.append(row)
        if len(chunk) >= 20_000:
            raw.insert_leads(chunk)
            chunk = []
    raw.insert_leads(chunk)
    raw.set_counter(people["org_id"], version)


# --- measuring ---------------------------------------------------------------------------


def statement_kind(statement: str) -> str:
    s = statement.lstrip()
    word = s.split(None, 1)[0].upper()
    if word == "SELECT":
        m = re.search(r"\bFROM\s+(\w+)", s, re.I)
        return f"SELECT {m.group(1) if m else '?'}"
    if word == "INSERT":
        m = re.match(r"INSERT\s+INTO\s+(\w+)", s, re.I)
        return f"INSERT {m.group(1) if m else '?'}"
    if word == "UPDATE":
        m = re.match(r"UPDATE\s+(\w+)", s, re.I)
        return f"UPDATE {m.group(1) if m else '?'}"
    if word == "DELETE":
        m = re.match(r"DELETE\s+FROM\s+(\w+)", s, re.I)
        return f"DELETE {m.group(1) if m else '?'}"
    return word


class StatementLog:
    """Counts statements by kind and the time spent waiting for the database."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.engine = engine
        self.kinds: Counter[str] = Counter()
        self.kind_seconds: Counter[str] = Counter()
        self.db_seconds = 0.0
        self.due_statement: tuple[str, Any] | None = None
        self._t0 = 0.0
        self._event = event
        event.listen(engine, "before_cursor_execute", self.before)
        event.listen(engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, parameters, context, executemany):
        self._t0 = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):
        dt = time.perf_counter() - self._t0
        kind = statement_kind(statement)
        self.kinds[kind] += 1
        self.kind_seconds[kind] += dt
        self.db_seconds += dt
        if self.due_statement is None and kind == "SELECT leads" and "sla_next_at" in statement:
            self.due_statement = (statement, parameters)

    def remove(self) -> None:
        self._event.remove(self.engine, "before_cursor_execute", self.before)
        self._event.remove(self.engine, "after_cursor_execute", self.after)


def one_check(app) -> tuple[float, float, Any]:
    from app.extensions import db
    from app.sla.check import run_sla_check

    with app.app_context():
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        stats = run_sla_check(NOW)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - cpu0
        db.session.remove()
    return seconds, cpu, stats


def measure(app, raw: Raw, people, due_ids, runs: int, label: str) -> dict[str, Any]:
    from app.extensions import db

    org_id = people["org_id"]
    times, cpus, stats_list = [], [], []
    loadavg = os.getloadavg()
    for r in range(runs):
        raw.reset_due(org_id, due_ids, people["rep_id"])
        assert raw.due_count() == DUE, raw.due_count()
        seconds, cpu, stats = one_check(app)
        times.append(seconds)
        cpus.append(cpu)
        stats_list.append(stats)
        log(
            f"{label}: run {r + 1}/{runs}: {seconds * 1000:.0f} ms "
            f"(CPU {cpu * 1000:.0f} ms), items={stats.items}, milestones={stats.milestones}, "
            f"reminders={stats.reminders}"
        )
    after = raw.counts(org_id)
    assert raw.due_count() == 0, "the check left due leads behind"

    # One more run with statement logging (counts, database wait), not in the median.
    raw.reset_due(org_id, due_ids, people["rep_id"])
    with app.app_context():
        slog = StatementLog(db.engine)
    try:
        seconds_logged, cpu_logged, _ = one_check(app)
    finally:
        slog.remove()

    # And one under cProfile (slower; shows where the Python time goes).
    raw.reset_due(org_id, due_ids, people["rep_id"])
    profiler = cProfile.Profile()
    profiler.enable()
    one_check(app)
    profiler.disable()
    buf = io.StringIO()
    ps = pstats.Stats(profiler, stream=buf)
    ps.sort_stats("cumulative").print_stats(45)
    profile_cum = buf.getvalue()
    buf = io.StringIO()
    ps = pstats.Stats(profiler, stream=buf)
    ps.sort_stats("tottime").print_stats(25)
    profile_tot = buf.getvalue()

    # EXPLAIN of the due-leads query as the app sent it, with 1,000 leads due again.
    raw.reset_due(org_id, due_ids, people["rep_id"])
    plan = explain(raw, *slog.due_statement) if slog.due_statement else ["(not captured)"]
    raw.reset_due(org_id, due_ids, people["rep_id"])  # leave the database as a run finds it

    last = stats_list[-1]
    return {
        "open_leads": raw.counts(org_id)["leads"],
        "loadavg": loadavg,
        "runs_seconds": times,
        "runs_cpu_seconds": cpus,
        "median_seconds": statistics.median(times),
        "median_cpu_seconds": statistics.median(cpus),
        "min_seconds": min(times),
        "items": last.items,
        "milestones": dict(last.milestones),
        "reminders": last.reminders,
        "rows_after_last_run": after,
        "statements": {
            "run_seconds": seconds_logged,
            "run_cpu_seconds": cpu_logged,
            "total": sum(slog.kinds.values()),
            "db_wait_seconds": slog.db_seconds,
            "by_kind": {
                k: {"count": n, "seconds": round(slog.kind_seconds[k], 4)}
                for k, n in slog.kinds.most_common()
            },
        },
        "due_query": slog.due_statement[0] if slog.due_statement else None,
        "explain": plan,
        "profile_cumulative": profile_cum,
        "profile_tottime": profile_tot,
    }


# --- one database ------------------------------------------------------------------------


def self_check(app, raw: Raw, people, due_ids) -> dict[str, Any]:
    """One check on the due set, held to what the seeded clocks must give."""
    org_id = people["org_id"]
    raw.reset_due(org_id, due_ids, people["rep_id"])
    base = raw.counter(org_id)
    one_check(app)
    got = raw.outcome(org_id, base)
    raw.reset_due(org_id, due_ids, people["rep_id"])
    clocks = [due_clock(j) for j in range(DUE)]
    in_due_order = sorted(range(DUE), key=lambda j: clocks[j]["sla_next_at"])
    warned = sum(1 for c in clocks if c["sla_due_at"] > NOW)  # the rest are overdue already
    superseded = sum(1 for c in clocks if c["sla_state"] == "warning")
    expected = {
        "stamped": [raw.key(due_ids[j]) for j in in_due_order],
        "versions": list(range(1, DUE + 1)),
        "counter_advance": DUE,
        "states": {"warning": warned, "breached": DUE - warned},
        "events": {"warning": warned, "breached": DUE - warned},
        "reminders": {
            "due_soon/pending": warned,
            "due_soon/expired": superseded,
            "overdue/pending": DUE - warned,
        },
        "superseded_by_overdue": {"": superseded},
    }
    return {part: got[part] == expected[part] for part in expected}


def run_one(kind: str, sizes, runs: int, keep: bool, show_profile: bool) -> dict[str, Any]:
    from app import create_app

    workdir = Path(tempfile.mkdtemp(prefix=f"leadsync-sla-bench-{kind}-"))
    measured: dict[str, dict[str, Any]] = {}
    checks: dict[str, dict[str, bool]] = {}
    try:
        url = fresh_database(kind, PG_DB, workdir)
        path = sqlite_file(url)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
        people = create_people(app)
        raw = Raw(kind, url, path)
        due_ids: list[uuid.UUID] = []
        small, large = sizes

        t0 = time.perf_counter()
        seed_leads(raw, people, 0, small, due_ids)
        raw.analyze()
        log(f"{kind}: seeded {small:,} leads ({DUE:,} due) in {time.perf_counter() - t0:.1f}s")
        for size, label in ((small, "small"), (large, "large")):
            if label == "large":
                t0 = time.perf_counter()
                seed_leads(raw, people, small, large - small, None)
                raw.analyze()
                log(f"{kind}: grew to {large:,} leads in {time.perf_counter() - t0:.1f}s")
            checks[label] = self_check(app, raw, people, due_ids)
            log(f"{kind}: self-check at {size:,} leads: {checks[label]}")
            measured[label] = measure(app, raw, people, due_ids, runs, f"{kind} {size:,}")
        raw.close()
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
    finally:
        if not keep:
            clean_up(kind, workdir)
    result_small, result_large = measured["small"], measured["large"]
    ratio = result_large["median_seconds"] / result_small["median_seconds"]
    r = {
        "db": kind,
        "now": NOW.isoformat(),
        "due": DUE,
        "runs": runs,
        "self_check": checks,
        "self_check_passed": all(all(c.values()) for c in checks.values()),
        "kept": str(url) if keep else None,
        "small": result_small,
        "large": result_large,
        "ratio_large_to_small": ratio,
        "ratio_cpu_large_to_small": result_large["median_cpu_seconds"]
        / result_small["median_cpu_seconds"],
        "targets": {
            f"ratio_le_{TARGET_RATIO}": ratio <= TARGET_RATIO,
            f"small_under_{TARGET_SECONDS:g}s": result_small["median_seconds"] < TARGET_SECONDS,
            f"large_under_{TARGET_SECONDS:g}s": result_large["median_seconds"] < TARGET_SECONDS,
        },
        "loadavg": os.getloadavg(),
    }
    report(r, show_profile)
    return r


def report(r: dict[str, Any], show_profile: bool) -> None:
    s, g = r["small"], r["large"]
    print()
    print(f"=== {r['db']}: run_sla_check(now) with {r['due']:,} leads due, median of {r['runs']}")

    def row(label, a, b):
        print(f"{label:<44}{a:>20}{b:>20}")

    row("open leads", f"{s['open_leads']:,}", f"{g['open_leads']:,}")
    row(
        "check time, median (ms)",
        f"{s['median_seconds'] * 1000:.0f}",
        f"{g['median_seconds'] * 1000:.0f}",
    )
    row(
        "check time, each run (ms)",
        "/".join(f"{t * 1000:.0f}" for t in s["runs_seconds"]),
        "/".join(f"{t * 1000:.0f}" for t in g["runs_seconds"]),
    )
    row(
        "CPU of this process, median (ms)",
        f"{s['median_cpu_seconds'] * 1000:.0f}",
        f"{g['median_cpu_seconds'] * 1000:.0f}",
    )
    row(
        f"under {TARGET_SECONDS:g} s (target)",
        "yes" if s["median_seconds"] < TARGET_SECONDS else "NO",
        "yes" if g["median_seconds"] < TARGET_SECONDS else "NO",
    )
    row("items advanced", f"{s['items']:,}", f"{g['items']:,}")
    row(
        "milestones",
        ", ".join(f"{k} {v}" for k, v in s["milestones"].items()),
        ", ".join(f"{k} {v}" for k, v in g["milestones"].items()),
    )
    row("reminders queued", f"{s['reminders']:,}", f"{g['reminders']:,}")
    row(
        "SQL statements per check", f"{s['statements']['total']:,}", f"{g['statements']['total']:,}"
    )
    row(
        "time waiting on the database (ms)",
        f"{s['statements']['db_wait_seconds'] * 1000:.0f}",
        f"{g['statements']['db_wait_seconds'] * 1000:.0f}",
    )
    met = "MET" if r["ratio_large_to_small"] <= TARGET_RATIO else "MISSED"
    print(
        f"ratio large/small (median wall): {r['ratio_large_to_small']:.2f} "
        f"(target <= {TARGET_RATIO}: {met});"
        f" by CPU: {r['ratio_cpu_large_to_small']:.2f}"
    )
    print("targets:", ", ".join(f"{k}={'MET' if v else 'MISSED'}" for k, v in r["targets"].items()))
    print(
        f"load average (1 min) when measuring: {s['loadavg'][0]:.2f} / {g['loadavg'][0]:.2f},"
        f" at the end: {r['loadavg'][0]:.2f}"
    )
    verdict = "passed" if r["self_check_passed"] else f"FAILED: {r['self_check']}"
    print(f"self-check of what the check leaves behind: {verdict}")
    print()
    print(f"statements of one check at {g['open_leads']:,} leads (count, database time):")
    for k, v in g["statements"]["by_kind"].items():
        print(f"  {k:<30}{v['count']:>7}{v['seconds'] * 1000:>10.0f} ms")
    print()
    print(f"due-leads query at {g['open_leads']:,} leads:")
    print("  " + (g["due_query"] or "").replace("\n", " "))
    print(f"EXPLAIN{' (ANALYZE, BUFFERS)' if r['db'] == 'postgres' else ' QUERY PLAN'}:")
    for line in g["explain"]:
        print("  " + line)
    if show_profile:
        print()
        print(f"cProfile of one check at {g['open_leads']:,} leads (cumulative):")
        print(g["profile_cumulative"])
        print("(by own time):")
        print(g["profile_tottime"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgres", "sqlite", "both"), default="postgres")
    parser.add_argument("--quick", action="store_true", help="2k / 20k leads, 3 runs")
    parser.add_argument("--runs", type=int, default=None, help="measured runs per size (5)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", action="store_true", help="print the cProfile tables")
    args = parser.parse_args()
    sizes = (2_000, 20_000) if args.quick else (10_000, 1_000_000)
    runs = args.runs or (3 if args.quick else 5)
    kinds = ["postgres", "sqlite"] if args.db == "both" else [args.db]
    results = {}
    for kind in kinds:
        results[kind] = run_one(kind, sizes, runs, args.keep, args.profile)
        results[kind]["quick"] = args.quick
    name = "results-sla-quick.json" if args.quick else "results-sla.json"
    out = ROOT / "bench" / name
    merged: dict[str, Any] = {}
    if out.exists():  # keep the other database's figures from an earlier run
        try:
            merged = json.loads(out.read_text())
        except ValueError:
            merged = {}
    merged.update(results)
    out.write_text(json.dumps(merged, indent=2, default=str) + "\n")
    log(f"wrote {out}")
    print()
    print(
        f"{'db':<10}{'small (ms)':>12}{'large (ms)':>11}{'ratio':>7}"
        f"{'<1s small/large':>17}{'milestones (large)':>34}{'reminders':>10}{'self-check':>12}"
    )
    for kind, r in results.items():
        s, g = r["small"], r["large"]
        under = (
            f"{'yes' if s['median_seconds'] < 1 else 'NO'}/"
            f"{'yes' if g['median_seconds'] < 1 else 'NO'}"
        )
        ms = ", ".join(f"{k} {v}" for k, v in g["milestones"].items())
        print(
            f"{kind:<10}{s['median_seconds'] * 1000:>12.0f}"
            f"{g['median_seconds'] * 1000:>11.0f}{r['ratio_large_to_small']:>7.2f}"
            f"{under:>17}{ms:>34}{g['reminders']:>10}"
            f"{'passed' if r['self_check_passed'] else 'FAILED':>12}"
        )
    return 0 if all(r["self_check_passed"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
