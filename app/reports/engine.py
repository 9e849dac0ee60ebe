"""What every report shares: the request (period, grouping, filters, scope), the ranges a
measure is taken over, and the one answer shape with its two comparisons.

A report is a ``ReportKind``: its groupings, its figures, and ``measure`` — one SQL
aggregate over a table of ranges (``slot``, ``lo``, ``hi``: UTC instants) joined to the
report's rows, grouped by the slot and by a dimension. One measure serves the rows, the
totals and both comparisons: grouped by time, each bucket is a slot (and its comparisons
are the bucket's own previous and year-ago ranges, under the same slot); grouped by a
dimension, the whole period is one slot. Ratios are derived afterwards from the summed
figures (a ratio of sums, never a sum of ratios).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    Subquery,
    case,
    func,
    literal,
    select,
    true,
    union_all,
)

from app import tallies
from app.accounts import permissions
from app.accounts.models import Organization, Team, User, lead_sources
from app.database import UTCDateTime
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.leads.models import Product
from app.reports.periods import (
    MAX_DAYS,
    TIME_GROUPS,
    Period,
    buckets,
    previous_of,
    year_ago_of,
)

COMPARISONS = ("previous", "year_ago")
Figures = dict[str, Any]


@dataclass(frozen=True)
class ReportRequest:
    actor: User
    org: Organization
    period: Period
    group_by: str
    filters: dict[str, Any] = field(default_factory=dict)
    whole_org: bool = False  # the report reads every lead of the organisation

    @property
    def tz(self) -> ZoneInfo:
        return self.org.zone

    @property
    def currency(self) -> str:
        return self.org.currency or "USD"

    def lead_scope(self, owner_column, team_column) -> ColumnElement[bool]:
        if self.whole_org:
            return true()
        return permissions.lead_scope(self.actor).clause(owner_column, team_column)


@dataclass(frozen=True)
class Grouping:
    """What a measure groups by besides its slot: SQL columns, and how a row's values of
    them fold into the report's key (several SQL groups may fold into one key, e.g. typed
    product names that differ only in case)."""

    columns: tuple[ColumnElement[Any], ...] = ()
    fold: Callable[[tuple], Any] = lambda values: values[0] if values else None


NO_GROUPING = Grouping()


@dataclass(frozen=True)
class Dimension:
    """A grouping other than time: its SQL and how keys read to a person."""

    grouping: Callable[[], Grouping]
    labels: Callable[[Iterable[Any]], dict[Any, str]] = lambda keys: plain_labels(keys)


def plain_label(key: Any) -> str:
    """A list value as words ("trade_show" → "Trade show"); None as "Not set"."""
    return "Not set" if key is None else str(key).replace("_", " ").capitalize()


def plain_labels(keys: Iterable[Any]) -> dict[Any, str]:
    return {k: plain_label(k) for k in keys}


def single(column: Callable[[], ColumnElement[Any]], labels=None) -> Dimension:
    """A dimension that is one column."""
    grouping = lambda: Grouping((column(),))  # noqa: E731
    return Dimension(grouping, labels) if labels else Dimension(grouping)


@dataclass(frozen=True)
class ReportKind:
    name: str
    dimensions: dict[str, Dimension]  # plus the time groupings, when ``by_time``
    default_group_by: str
    figures: tuple[str, ...]  # what the answer lists, in order (derived ones included)
    # (request, ranges table, grouping, the ranges as periods) → rows of (slot, *grouping
    # values, figures…) as ``collect`` reads them
    measure: Callable[[ReportRequest, Subquery, Grouping, list[tuple[str, Period]]], Any]
    # The base figures' zero (what a group without rows shows).
    zero: Callable[[], Figures] = dict
    # Ratios and roundings, from one group's summed base figures.
    derive: Callable[[Figures], Figures] = lambda f: f
    # Figures relative to the totals of the same period (e.g. a share): (row, totals).
    relate: Callable[[Figures, Figures], Figures] | None = None
    by_time: bool = True
    # Who may read it, and the filters it takes (a report of the whole organisation, like
    # the channels table whose spend is the organisation's, takes no team or owner).
    may_read: Callable[[User], bool] = permissions.may_read_reports
    filters: tuple[str, ...] = ("team_id", "owner_id", "source", "product_id", "region", "priority")
    whole_org: bool = False
    # Figures that compare each row with the others of the same period (a score against the
    # best, a rank), set in place on each period's rows.
    rank: Callable[[list[Figures], ReportRequest], None] | None = None
    # Whether a total is the sum of its groups' base figures (a median is not).
    additive: bool = True
    sort_by: str | None = None  # the figure rows are ordered by (default: the first)

    @property
    def group_bys(self) -> tuple[str, ...]:
        return tuple(self.dimensions) + (TIME_GROUPS if self.by_time else ())


# --- parameters ---------------------------------------------------------------------------

FILTERS = ("team_id", "owner_id", "source", "product_id", "region", "priority")


def make_request(kind: ReportKind, actor: User, params: dict[str, Any]) -> ReportRequest:
    """Check a report's parameters (422 naming the field) and the asker's reach (403)."""
    if not kind.may_read(actor):
        raise Forbidden("This report is not for your role.")
    org = db.session.get(Organization, actor.org_id)
    start, end = params["from"], params["to"]
    if end < start:
        raise ValidationFailed({"to": ["Lies before from."]})
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise ValidationFailed({"to": ["A report covers at most 5 years."]})
    group_by = params.get("group_by") or kind.default_group_by
    if group_by not in kind.group_bys:
        raise ValidationFailed({"group_by": [f"One of: {', '.join(kind.group_bys)}."]})
    filters = {k: params[k] for k in FILTERS if params.get(k) is not None}
    for name in filters:
        if name not in kind.filters:
            raise ValidationFailed({name: [f"The {kind.name} report has no such filter."]})
    _check_filters(actor, org, filters)
    return ReportRequest(actor, org, period, group_by, filters, kind.whole_org)


def _check_filters(actor: User, org: Organization, filters: dict[str, Any]) -> None:
    if "source" in filters and filters["source"] not in lead_sources(org):
        raise ValidationFailed({"source": ["Not one of the organisation's lead sources."]})
    if "team_id" in filters:
        if db.session.get(Team, (actor.org_id, filters["team_id"])) is None:
            raise ValidationFailed({"team_id": ["No such team."]})
        if actor.role != permissions.REP and not permissions.may_report_on_team(
            actor, filters["team_id"]
        ):
            raise Forbidden("You may read the reports of your own teams only.")
    if "owner_id" in filters:
        person = db.session.get(User, (actor.org_id, filters["owner_id"]))
        if person is None:
            raise ValidationFailed({"owner_id": ["No such person."]})
        if not permissions.may_report_on_person(actor, person):
            raise Forbidden("You may read the figures of your own teams' people only.")
    if "product_id" in filters and db.session.get(
        Product, (actor.org_id, filters["product_id"])
    ) is None:
        raise ValidationFailed({"product_id": ["No such product."]})


# --- ranges -------------------------------------------------------------------------------


def day_ranges_table(ranges: list[tuple[str, Period]]) -> Subquery:
    """The ranges as local days: ``slot``, ``first`` ≤ day ≤ ``last`` (for what is dated
    by day, e.g. spend)."""
    selects = [
        select(
            literal(slot, String).label("slot"),
            literal(p.start, Date()).label("first"),
            literal(p.end, Date()).label("last"),
        )
        for slot, p in ranges
    ]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("days")


def span_ranges_table(ranges: list[tuple[str, Period]]) -> Subquery:
    """The ranges as the spans of a tally kept per day, month and year (``app.tallies``):
    ``slot`` (the range's number: a histogram is grouped by it, and numbers sort faster than
    text; ``slot_name`` reads it back), ``span``, ``first`` ≤ the span's first day ≤
    ``last``."""
    selects = [
        select(
            literal(number, Integer).label("slot"),
            literal(span, String).label("span"),
            literal(first, Date()).label("first"),
            literal(last, Date()).label("last"),
        )
        for number, (_, p) in enumerate(ranges)
        for span, first, last in tallies.pieces(p.start, p.end)
    ]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("spans")


def slot_name(number: ColumnElement[int], ranges: list[tuple[str, Period]]) -> Any:
    """SQL: the slot of ``span_ranges_table``'s range ``number``."""
    return case(
        {i: literal(slot, String) for i, (slot, _) in enumerate(ranges)}, value=number
    )


def ranges_table(req: ReportRequest, ranges: list[tuple[str, Period]]) -> Subquery:
    """The ranges as a small table: ``slot`` (text), ``lo`` ≤ t < ``hi`` (UTC). Built as
    SELECTs joined by UNION ALL, which SQLite and PostgreSQL read alike (SQLite's VALUES
    cannot name its columns)."""
    selects = [
        select(
            literal(slot, String).label("slot"),
            literal(lo, UTCDateTime()).label("lo"),
            literal(hi, UTCDateTime()).label("hi"),
        )
        for slot, (lo, hi) in ((slot, p.utc_bounds(req.tz)) for slot, p in ranges)
    ]
    return (selects[0] if len(selects) == 1 else union_all(*selects)).subquery("ranges")


# --- running a report ---------------------------------------------------------------------

TOTAL = "__total__"


def collect(rows: Iterable[Any], grouping: Grouping) -> dict[tuple, Figures]:
    """{(slot, key): figures} from rows of (slot, *grouping values, *figures), summing the
    figures of the SQL groups that fold into one key."""
    width = len(grouping.columns)
    found: dict[tuple, Figures] = {}
    for row in rows:
        data = dict(row._mapping)
        values = tuple(row)[1 : 1 + width]
        for name in list(data)[: 1 + width]:
            del data[name]
        key = (row[0], grouping.fold(values))
        into = found.setdefault(key, {})
        for name, value in data.items():
            into[name] = (into.get(name) or 0) + (value or 0)
    return found


def _measure(
    kind: ReportKind, req: ReportRequest, ranges: list, grouping: Grouping
) -> dict[tuple, Figures]:
    if not ranges:
        return {}
    return collect(kind.measure(req, ranges_table(req, ranges), grouping, ranges), grouping)


def _measure_periods(
    kind: ReportKind, req: ReportRequest, spans: dict[str, list], grouping: Grouping
) -> dict[str, dict[tuple, Figures]]:
    """The period and its comparisons in one pass: their ranges in one table, each slot
    named "<period>|<slot>", the answer split back by period."""
    # A whole year's period before is the year ago: such a span is measured once.
    same_as = {}
    for name, part in spans.items():
        same_as[name] = next((other for other in same_as if spans[other] == part), name)
    ranges = [
        (f"{name}|{slot}", p)
        for name, part in spans.items()
        if same_as[name] == name
        for slot, p in part
    ]
    found: dict[str, dict[tuple, Figures]] = {name: {} for name in spans}
    for (slot, key), figures in _measure(kind, req, ranges, grouping).items():
        name, _, inner = slot.partition("|")
        found[name][(inner, key)] = figures
    for name, other in same_as.items():
        if other != name:
            found[name] = found[other]
    return found


def _summed(kind: ReportKind, groups: Iterable[Figures]) -> Figures:
    total = kind.zero()
    for figures in groups:
        for name, value in figures.items():
            total[name] = (total.get(name) or 0) + (value or 0)
    return total


def current_spans(spans: list[tuple[str, Period]]) -> list[tuple[str, Period]]:
    """Of a measure's ranges, those of the period itself (not its comparisons)."""
    return [(slot, p) for slot, p in spans if slot.startswith("current|")]


def run(kind: ReportKind, req: ReportRequest) -> dict[str, Any]:
    """The report in its one shape: rows with their comparisons, and the totals."""
    by_time = req.group_by in TIME_GROUPS
    if by_time:
        parts = buckets(req.period, req.group_by)
        order = [b.key for b in parts]
        labels = {b.key: b.label for b in parts}
        grouping = NO_GROUPING
        spans = {name: [(b.key, shift(b.period)) for b in parts] for name, shift in _SHIFTS}
    else:
        dimension = kind.dimensions[req.group_by]
        grouping = dimension.grouping()
        spans = {name: [(TOTAL, shift(req.period))] for name, shift in _SHIFTS}
    measured = _measure_periods(kind, req, spans, grouping)

    def base(found: dict[tuple, Figures], slot: str, key: Any) -> Figures:
        return {**kind.zero(), **found.get((slot, key), {})}

    if by_time or not kind.additive:
        whole = _measure_periods(
            kind, req, {name: [(TOTAL, shift(req.period))] for name, shift in _SHIFTS},
            NO_GROUPING,
        )  # fmt: skip
        totals_of = {name: base(whole[name], TOTAL, None) for name, _ in _SHIFTS}
    else:
        # The groups of a dimension split the period's rows between them: the totals are
        # their sums, with no second pass over the rows.
        totals_of = {name: _summed(kind, measured[name].values()) for name, _ in _SHIFTS}

    def figures(name: str, key: Any) -> Figures:
        slot, dim_key = (key, None) if by_time else (TOTAL, key)
        row = base(measured[name], slot, dim_key)
        # A time bucket relates to its own totals (the bucket is the period); a group to
        # the whole period's.
        totals = row if by_time else totals_of[name]
        done = kind.derive(row)
        return {**done, **kind.relate(row, totals)} if kind.relate else done

    if not by_time:
        seen = {k for found in measured.values() for (_, k) in found}
        order = sorted(seen, key=lambda k: (k is None, str(k)))
        labels = dimension.labels(order)
    rows = []
    for key in order:
        row = {"key": _key_text(key), "label": labels.get(key, plain_label(key))}
        row.update(figures("current", key))
        for name in COMPARISONS:
            row[name] = figures(name, key)
        rows.append(row)
    if kind.rank is not None:
        kind.rank(rows, req)
        for name in COMPARISONS:
            kind.rank([row[name] for row in rows], req)
    if not by_time:
        rows.sort(key=lambda r: _sort_key(kind, r))

    def total(name: str) -> Figures:
        done = kind.derive(totals_of[name])
        return {**done, **kind.relate(totals_of[name], totals_of[name])} if kind.relate else done

    totals = total("current")
    for name in COMPARISONS:
        totals[name] = total(name)
    return {
        "report": kind.name,
        "from": req.period.start.isoformat(),
        "to": req.period.end.isoformat(),
        "timezone": req.org.timezone or "UTC",
        "currency": req.currency,
        "group_by": req.group_by,
        "filters": {k: _key_text(v) for k, v in req.filters.items()},
        "rows": rows,
        "totals": totals,
    }


_SHIFTS = (("current", lambda p: p), ("previous", previous_of), ("year_ago", year_ago_of))


def _key_text(key: Any) -> Any:
    return str(key) if isinstance(key, uuid.UUID) else key


def _sort_key(kind: ReportKind, row: dict) -> tuple:
    """Dimension rows: the biggest first by the report's sort figure, then by label."""
    first = row.get(kind.sort_by or kind.figures[0]) or 0
    return (-float(first), row["label"].lower())


# --- figures ------------------------------------------------------------------------------


def ratio(numerator: Any, denominator: Any, places: int = 4) -> float | None:
    """A ratio as a decimal rounded half-even to ``places`` places; None when the
    denominator is 0 (or missing)."""
    if not denominator:
        return None
    exact = Decimal(str(numerator or 0)) / Decimal(str(denominator))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))


def count_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SQL: how many rows of the group meet ``condition``."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sum_of(condition: ColumnElement[bool], value: ColumnElement[Any]) -> ColumnElement[Any]:
    """SQL: the sum of ``value`` over the rows of the group that meet ``condition``."""
    return func.coalesce(func.sum(case((condition, value), else_=None)), 0)


def money(value: Any) -> float:
    """A sum of money as the currency's minor unit (2 places), half-even."""
    return float(Decimal(str(value or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))


def money_per(amount: Any, count: Any) -> float | None:
    """Money per unit (cost per inquiry), to the minor unit; None when there are none."""
    if not count:
        return None
    return money(Decimal(str(amount or 0)) / Decimal(str(count)))
