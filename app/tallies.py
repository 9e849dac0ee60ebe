"""Daily tallies: counts per organisation, local day and key, kept with what they count.

Why: the rep appraisal and the SLA report add up a period's follow-ups and SLA steps per
person. Over a year of a large organisation those are millions of rows; their tallies per
person and day are a few thousand, so a year's report costs what its days hold, not what
the table holds. A tally is written in the transaction of the row it counts (an upsert that
adds to the row of its key), so a report is exact the moment a write commits, and a
rolled-back savepoint takes its tally with it.

A tally's day is the organisation's local day, the unit of every report period; when the
organisation's time zone changes, its tallies are counted again from their rows
(``rebuild``). A domain declares its tally (``Tally``: the table, the key, the counts, and
how to read its rows for a rebuild) with ``register`` and adds to it where it writes.

A tally whose rows do not shrink much per day — a histogram of response times has about as
many (person, minutes) values a day as responses — is also kept per month and per year
(``spans``): its ``day`` is then the first day of its ``span``, and a period is read as the
whole years, whole months and single days that make it up (``pieces``), so a year is one
year's rows and a month one month's.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    Select,
    String,
    Table,
    Uuid,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import db

# A key column cannot be NULL (it is part of the primary key): "nobody" and "no team" are
# kept as this id, which matches no person or team.
NOBODY = uuid.UUID(int=0)


Entry = tuple[datetime, tuple, tuple]  # (instant, key values, counts)


@dataclass(frozen=True)
class Tally:
    table: Table
    keys: tuple[str, ...]  # the key columns after org_id and day
    counts: tuple[str, ...]
    # What one record adds as it is written: (instant, key, counts), or None when it
    # counts for nothing.
    entry: Callable[[Any], Entry | None]
    # The tally's definition as SQL, for a rebuild: (organisation, time zone name, span) →
    # its rows for that span, labelled by column (``day`` from ``local_start``, the keys
    # with ``counted_key``, the counts summed), grouped by day and key. It must count what
    # ``entry`` counts (tests hold the two to each other).
    recount: Callable[[uuid.UUID, str, str], Select]
    # The spans it is kept for; more than "day" needs a ``span`` key column (see above).
    spans: tuple[str, ...] = ("day",)


_TALLIES: list[Tally] = []


def register(tally: Tally) -> Tally:
    _TALLIES.append(tally)
    return tally


def registered() -> tuple[Tally, ...]:
    return tuple(_TALLIES)


def nobody_as_null(column: Any) -> Any:
    """SQL: a tally's person or team column with ``NOBODY`` read back as NULL."""
    return func.nullif(column, bindparam(None, NOBODY, type_=Uuid()), type_=Uuid())


def local_day(tz: ZoneInfo, at: datetime) -> date:
    return at.astimezone(tz).date()


def entries(tally: Tally, records: Iterable[Any], sign: int = 1) -> list[Entry]:
    """What ``records`` add to the tally (``sign`` -1: what they take away, before a
    change moves them to another key)."""
    found = []
    for record in records:
        entry = tally.entry(record)
        if entry is not None:
            at, key, counts = entry
            found.append((at, key, tuple(sign * n for n in counts)))
    return found


def add(tally: Tally, org_id: uuid.UUID, tz: ZoneInfo, records: Iterable[Any]) -> None:
    """Count new records."""
    write(tally, org_id, tz, entries(tally, records))


def write(tally: Tally, org_id: uuid.UUID, tz: ZoneInfo, found: Iterable[Entry]) -> None:
    """Add each entry's counts to the tally row of its local day and key (made at zero),
    one statement for them all. Rows are written in key order, so two transactions adding
    to the same rows cannot deadlock."""
    _write(tally, org_id, _merged(tally, tz, found))


def span_start(day: date, span: str) -> date:
    """The first day of the day's month or year (``span``), or the day itself."""
    if span == "year":
        return day.replace(month=1, day=1)
    if span == "month":
        return day.replace(day=1)
    return day


def _row_keys(tally: Tally) -> tuple[str, ...]:
    return ("span", "day", *tally.keys) if len(tally.spans) > 1 else ("day", *tally.keys)


def _merged(tally: Tally, tz: ZoneInfo, found: Iterable[Entry]) -> dict[tuple, Counter]:
    """The entries summed per tally row: {([span,] day, *key): counts}."""
    merged: dict[tuple, Counter] = {}
    spanned = len(tally.spans) > 1
    for at, key, counts in found:
        key = tuple(NOBODY if value is None else value for value in key)
        day = local_day(tz, at)
        for span in tally.spans:
            start = span_start(day, span)
            into = merged.setdefault((span, start, *key) if spanned else (start, *key), Counter())
            for name, n in zip(tally.counts, counts, strict=True):
                into[name] += n
    return merged


def _write(tally: Tally, org_id: uuid.UUID, merged: dict[tuple, Counter]) -> None:
    names = _row_keys(tally)
    rows = [
        {"org_id": org_id, **dict(zip(names, key, strict=True)),
         **{name: counts[name] for name in tally.counts}}
        for key, counts in sorted(merged.items(), key=lambda item: tuple(map(str, item[0])))
        if any(counts.values())
    ]  # fmt: skip
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(tally.table)
    statement = statement.on_conflict_do_update(
        index_elements=["org_id", *names],
        set_={name: tally.table.c[name] + statement.excluded[name] for name in tally.counts},
    )
    db.session.execute(statement, rows)


def pieces(first: date, last: date) -> list[tuple[str, date, date]]:
    """The days ``first``–``last`` as the fewest whole years, whole months and single days:
    ``(span, first start, last start)`` runs of consecutive spans of one kind."""
    found: list[tuple[str, date, date]] = []
    day = first
    while day <= last:
        year_end = date(day.year, 12, 31)
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if day.month == 1 and day.day == 1 and year_end <= last:
            span, after = "year", year_end + timedelta(days=1)
        elif day.day == 1 and next_month - timedelta(days=1) <= last:
            span, after = "month", next_month
        else:
            span, after = "day", day + timedelta(days=1)
        if found and found[-1][0] == span:
            found[-1] = (span, found[-1][1], day)
        else:
            found.append((span, day, day))
        day = after
    return found


def rebuild(org_id: uuid.UUID, tz: ZoneInfo) -> None:
    """Count an organisation's tallies again from their rows, by the local days of ``tz``
    (after its time zone changed, or rows were written without them): each tally's
    ``recount``, one INSERT … SELECT per span, the grouping done by the database."""
    for tally in _TALLIES:
        db.session.execute(delete(tally.table).where(tally.table.c.org_id == org_id))
        names = ["org_id", *_row_keys(tally), *tally.counts]
        for span in tally.spans:
            query = tally.recount(org_id, str(tz), span)
            if len(tally.spans) > 1:
                query = query.add_columns(literal(span, String).label("span"))
            rows = query.subquery()
            recounted = select(*(rows.c[name] for name in names))
            db.session.execute(insert(tally.table).from_select(names, recounted))


class local_start(FunctionElement):
    """SQL: the first local day of the day, month or year (``span``) of a UTC instant, in
    the time zone named ``tz`` — a tally's ``day`` as its ``recount`` computes it."""

    type = Date()
    inherit_cache = True


@compiles(local_start, "postgresql")
def _local_start_postgresql(element, compiler, **kw) -> str:
    column, tz, span = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(date_trunc({span}, timezone({tz}, timezone('UTC', {column}))) AS DATE)"


@compiles(local_start, "sqlite")
def _local_start_sqlite(element, compiler, **kw) -> str:
    column, tz, span = (compiler.process(c, **kw) for c in element.clauses)
    return f"local_start({column}, {tz}, {span})"


def sqlite_local_start(stored: str | None, tz: str, span: str) -> str | None:
    """``local_start`` for SQLite, registered on each connection (it has no time zones):
    takes the stored UTC text, answers the date as SQLite stores dates."""
    if stored is None:
        return None
    at = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return span_start(local_day(ZoneInfo(tz), at), span).isoformat()


def counted_key(column: Any) -> Any:
    """SQL: a person or team column as a tally keys it (``NOBODY`` for none)."""
    return func.coalesce(column, bindparam(None, NOBODY, type_=Uuid()))
