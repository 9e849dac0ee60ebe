"""Evidence for the suggested pull.py patch: the same full pull, before and after, in process.

It monkeypatches ``app.sync.pull`` (nothing under app/ is edited) with the change proposed
in the benchmark report, checks that every answer carries exactly the same changes as the
unpatched code, and times both:

1. ``_rows`` fetches the page with one ``fetchall`` (``.all()``) instead of iterating the
   result (SQLAlchemy then calls the driver's ``fetchone`` once per row);
2. lead and follow-up pages are read with their time columns as plain (naive UTC)
   ``DateTime``, skipping ``UTCDateTime``'s per-value ``replace(tzinfo=UTC)``, and written
   with ``isoformat(timespec="milliseconds") + "Z"`` instead of ``isoformat_z``'s
   astimezone + isoformat + str.replace;
3. UUIDs are left as ``uuid.UUID`` in the wire dicts: orjson writes them (in C) in exactly
   the form ``str(uuid)`` gives.

    .venv/bin/python bench/fast_pull_prototype.py --db-url postgresql://postgres@127.0.0.1:5432/leadsync_bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sync_bench import PASSWORD, SECRET_KEY  # noqa: E402


def _t(v):
    return None if v is None else v.isoformat(timespec="milliseconds") + "Z"


def _n(v):
    return None if v is None else float(v)


def fast_lead_wire(r):
    return {
        "id": r.id,
        "contact_name": r.contact_name,
        "company": r.company,
        "phone": r.phone,
        "email": r.email,
        "region": r.region,
        "territory": r.territory,
        "source": r.source,
        "product_id": r.product_id,
        "product_text": r.product_text,
        "quantity": _n(r.quantity),
        "estimated_value": _n(r.estimated_value),
        "currency": r.currency,
        "priority": r.priority,
        "notes": r.notes,
        "owner_id": r.owner_id,
        "team_id": r.team_id,
        "stage": r.stage,
        "lost_reason": r.lost_reason,
        "won_value": _n(r.won_value),
        "next_follow_up_at": _t(r.next_follow_up_at),
        "last_follow_up_at": _t(r.last_follow_up_at),
        "possible_duplicate_of": r.possible_duplicate_of,
        "created_by": r.created_by,
        "created_at": _t(r.created_at),
        "updated_at": _t(r.updated_at),
        "version": r.version,
    }


def fast_follow_up_wire(r):
    return {
        "id": r.id,
        "lead_id": r.lead_id,
        "kind": r.kind,
        "note": r.note,
        "outcome": r.outcome,
        "happened_at": _t(r.happened_at),
        "next_follow_up_at": _t(r.next_follow_up_at),
        "quoted_amount": _n(r.quoted_amount),
        "author_id": r.author_id,
        "received_at": _t(r.received_at),
        "version": r.version,
    }


def install_patch() -> None:
    import dataclasses

    from sqlalchemy import DateTime, select, type_coerce

    from app.database import UTCDateTime
    from app.extensions import db
    from app.sync import pull

    def naive_columns(feed):
        return [
            type_coerce(c, DateTime()).label(c.name) if isinstance(c.type, UTCDateTime) else c
            for c in feed.columns()
        ]

    def _rows(feed, viewer, after, limit):
        t = feed.table
        columns = naive_columns(feed) if feed.entity in ("lead", "followup") else feed.columns()
        query = (
            select(*columns)
            .where(t.c.org_id == viewer.org_id, feed.visible(t, viewer), t.c.version > after)
            .order_by(t.c.version)
            .limit(limit)
        )
        return db.session.execute(query).all()

    wires = {
        "lead": lambda rows: [fast_lead_wire(r) for r in rows],
        "followup": lambda rows: [fast_follow_up_wire(r) for r in rows],
    }
    pull.FEEDS = tuple(
        dataclasses.replace(f, to_wire=wires[f.entity]) if f.entity in wires else f
        for f in pull.FEEDS
    )
    pull._rows = _rows


LEAD_KEYS = list(fast_lead_wire(type("R", (), {"__getattr__": lambda s, k: None})()).keys())
FOLLOW_UP_KEYS = list(fast_follow_up_wire(type("R", (), {"__getattr__": lambda s, k: None})()))


def install_sql_patch(dialect: str) -> None:
    """Stronger variant: the database writes the wire form of each value (times as ISO
    8601 with milliseconds and Z, UUIDs as text, money as float), so a row only becomes a
    dict (``zip``) and orjson writes it; no per-value Python at all."""
    import dataclasses

    from sqlalchemy import Float, Numeric, String, Uuid, cast, func, literal_column, select
    from sqlalchemy import type_coerce as tc

    from app.database import UTCDateTime
    from app.extensions import db
    from app.sync import pull

    def wire_expr(table, key):
        c = table.c[key]
        if isinstance(c.type, UTCDateTime):
            if dialect == "postgresql":
                return tc(func.to_char(c, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), String)
            # stored as 'YYYY-MM-DD HH:MM:SS.ffffff': cut to milliseconds, as isoformat does
            return tc(func.substr(c, 1, 10) + "T" + func.substr(c, 12, 12) + "Z", String)
        if isinstance(c.type, Uuid):
            if dialect == "postgresql":
                return cast(c, String)
            q = f"{table.name}.{key}"
            return literal_column(
                f"(substr({q},1,8)||'-'||substr({q},9,4)||'-'||substr({q},13,4)||'-'"
                f"||substr({q},17,4)||'-'||substr({q},21))",
                String,
            )
        if isinstance(c.type, Numeric):
            return tc(cast(c, Float), Float)  # SQLite keeps 3.0 as the integer 3
        return c

    keys = {"lead": LEAD_KEYS, "followup": FOLLOW_UP_KEYS}

    def _rows(feed, viewer, after, limit):
        t = feed.table
        if feed.entity in keys:
            columns = [wire_expr(t, k).label(k) for k in keys[feed.entity]]
        else:
            columns = feed.columns()
        query = (
            select(*columns)
            .where(t.c.org_id == viewer.org_id, feed.visible(t, viewer), t.c.version > after)
            .order_by(t.c.version)
            .limit(limit)
        )
        return db.session.execute(query).all()

    def zipper(names):
        return lambda rows: [dict(zip(names, r, strict=True)) for r in rows]

    pull.FEEDS = tuple(
        dataclasses.replace(f, to_wire=zipper(keys[f.entity])) if f.entity in keys else f
        for f in pull.FEEDS
    )
    pull._rows = _rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variant", choices=("python", "sql"), default="python")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text

    from app import create_app
    from app.config import normalize_database_url

    engine = create_engine(normalize_database_url(args.db_url))
    with engine.connect() as conn:
        email = conn.execute(
            text("SELECT email FROM users WHERE email LIKE 'rep0@main-%'")
        ).scalar_one()
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.db_url, "SECRET_KEY": SECRET_KEY})
    client = app.test_client()
    token = client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": PASSWORD, "device_name": "proto"}
    ).json["token"]
    headers = {"Authorization": f"Bearer {token}"}

    def full_pull():
        client_id, cursor, changes = str(uuid.uuid4()), None, []
        t0 = time.process_time()
        while True:
            url = f"/api/v1/sync/pull?client_id={client_id}&limit=1000"
            if cursor:
                url += f"&cursor={cursor}"
            body = orjson.loads(client.get(url, headers=headers).data)
            changes.extend(body["changes"])
            cursor = body["cursor"]
            if not body["has_more"]:
                return time.process_time() - t0, changes

    full_pull()
    before = [full_pull() for _ in range(args.runs)]
    if args.variant == "sql":
        install_sql_patch("postgresql" if args.db_url.startswith("postgres") else "sqlite")
    else:
        install_patch()
    full_pull()
    after = [full_pull() for _ in range(args.runs)]
    same = before[0][1] == after[0][1]
    if not same:
        for x, y in zip(before[0][1], after[0][1], strict=False):
            if x != y:
                print("first difference:", x, y, sep="\n")
                break
    n = len(before[0][1])
    t_before = statistics.median(t for t, _ in before)
    t_after = statistics.median(t for t, _ in after)
    print(f"records per full pull: {n}; identical answers before/after: {same}")
    print("CPU seconds of this process (app + test client), median of runs:")
    print(f"unpatched: {t_before:.2f}s ({n / t_before:,.0f} records per CPU-second)")
    print(f"patched:   {t_after:.2f}s ({n / t_after:,.0f} records per CPU-second)")
    print(f"speed-up:  {t_before / t_after:.2f}x")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
