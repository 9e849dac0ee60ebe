"""``sla``: follow-up compliance per person (or team), from the SLA event history.

A clock's steps are kept as ``sla_events`` rows, so a breach that was later put right still
counts as the breach it was. Per metric (first response, follow-up): ``met`` counts the
clocks met on time in the period (a ``met`` step at or before its deadline), ``breached``
the breaches recorded in the period; ``met_rate`` is met over met and breached, both
metrics together. The time to a first response, in business minutes of the calendar that
applied (kept on each ``met`` step), has its median and 90th percentile (nearest rank).
``overdue_now`` is the open leads whose clock is overdue at the moment of asking — a figure
of now, so its comparisons are empty.

Each step counts for whoever owned the lead when it happened (kept on the step), so a
breach stays with the person who let it happen after the lead moves on; ``overdue_now``
counts for the owner now. Filters: team and owner.

Read from the tallies the steps keep as they are written (``app.tallies``): the counts from
the step tally, the response times from the minutes histogram (kept per day, month and
year), so a period costs its days' tally rows, not its steps; ``overdue_now`` from the
partial index of overdue leads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, case, func, literal, select

from app.accounts.models import User
from app.extensions import db
from app.fields import wire_time
from app.leads.models import OPEN_STAGES, Lead
from app.reports.dimensions import PEOPLE_DIMENSIONS, lead_filters
from app.reports.engine import (
    Figures,
    Grouping,
    ReportKind,
    ReportRequest,
    current_spans,
    day_ranges_table,
    ranges_table,
    ratio,
    slot_name,
    span_ranges_table,
)
from app.sla.models import SlaEvent, SlaMinutesTally, SlaStepTally
from app.tallies import nobody_as_null

FIGURES = (
    "first_response_met", "first_response_breached", "follow_up_met", "follow_up_breached",
    "met_rate", "first_response_median_minutes", "first_response_p90_minutes", "overdue_now",
)  # fmt: skip


def _group_column(req: ReportRequest, grouping: Grouping) -> tuple:
    """The steps' own owner or team (who had the item at the step), or nothing."""
    if not grouping.columns:
        return ()
    return (SlaEvent.team_id if req.group_by == "team" else SlaEvent.owner_id,)


def _in_scope(req: ReportRequest) -> list:
    """The leads' steps the asker may count: by the owner and team of each step."""
    return [
        SlaEvent.org_id == req.org.id,
        SlaEvent.item_type == "lead",
        *lead_filters(req, SlaEvent),
    ]


def sla_steps(req: ReportRequest, spans: list, grouped: bool) -> Any:
    """Clocks met on time and breaches, per metric, in each range (``grouped``: per owner
    or team at the step, as the report groups): from the step tally, a period's steps
    being its days' tally rows."""
    tally = SlaStepTally
    days = day_ranges_table(spans)
    group = (nobody_as_null(tally.team_id if req.group_by == "team" else tally.owner_id),)

    def of(metric: str, count):
        return func.coalesce(func.sum(case((tally.metric == metric, count), else_=0)), 0)

    return db.session.execute(
        select(
            days.c.slot,
            *group[: int(grouped)],
            of("first_response", tally.met).label("first_response_met"),
            of("first_response", tally.breached).label("first_response_breached"),
            of("follow_up", tally.met).label("follow_up_met"),
            of("follow_up", tally.breached).label("follow_up_breached"),
        )
        .select_from(tally)
        .join(days, and_(tally.day >= days.c.first, tally.day <= days.c.last))
        .where(tally.org_id == req.org.id, tally.item_type == "lead", *lead_filters(req, tally))
        .group_by(days.c.slot, *group[: int(grouped)])
    ).all()


def _percentiles(req: ReportRequest, spans: list, grouped: bool) -> Any:
    """The median and 90th percentile of the first-response times, nearest rank, from the
    response-time histogram: the period's counts per minute value (per owner or team when
    ``grouped``), then, in minute order, the first value whose running count reaches half
    (nine tenths) of all — the value at rank ⌈n/2⌉ (⌈9n/10⌉)."""
    tally = SlaMinutesTally
    parts = span_ranges_table(spans)
    # Grouped by the stored column; NOBODY becomes NULL on the few rows of the answer.
    group = (tally.team_id if req.group_by == "team" else tally.owner_id,)[: int(grouped)]
    histogram = (
        select(
            parts.c.slot.label("slot"),
            *(c.label(f"g{i}") for i, c in enumerate(group)),
            tally.minutes.label("minutes"),
            func.sum(tally.met).label("n"),
        )
        .select_from(tally)
        .join(
            parts,
            and_(
                tally.span == parts.c.span, tally.day >= parts.c.first, tally.day <= parts.c.last
            ),
        )
        .where(
            tally.org_id == req.org.id,
            tally.item_type == "lead",
            tally.metric == "first_response",
            *lead_filters(req, tally),
        )
        .group_by(parts.c.slot, *group, tally.minutes)
        .subquery("histogram")
    )
    keys = [histogram.c.slot, *(histogram.c[f"g{i}"] for i in range(len(group)))]
    running = (
        select(
            *keys,
            histogram.c.minutes,
            func.sum(histogram.c.n)
            .over(partition_by=keys, order_by=histogram.c.minutes, rows=(None, 0))
            .label("upto"),
            func.sum(histogram.c.n).over(partition_by=keys).label("total"),
        )
    ).subquery("running")
    outer = [running.c.slot, *(running.c[f"g{i}"] for i in range(len(group)))]
    return db.session.execute(
        select(
            slot_name(running.c.slot, spans),
            *(nobody_as_null(c) for c in outer[1:]),
            func.min(case((running.c.upto * 2 >= running.c.total, running.c.minutes))).label(
                "first_response_median_minutes"
            ),
            func.min(
                case((running.c.upto * 10 >= running.c.total * 9, running.c.minutes))
            ).label("first_response_p90_minutes"),
        ).group_by(*outer)
    ).all()


def _overdue_now(req: ReportRequest, spans: list, by: tuple) -> Any:
    """Overdue now: counted for the period itself (a comparison has no "now"), by the
    lead's owner or team now."""
    current = current_spans(spans)
    if not current:
        return []
    ranges = ranges_table(req, current)
    by = (Lead.team_id if req.group_by == "team" else Lead.owner_id,)[: len(by)]
    return db.session.execute(
        select(ranges.c.slot, *by, func.count().label("overdue_now"))
        .select_from(Lead)
        .join(ranges, literal(True))
        .where(
            Lead.org_id == req.org.id,
            Lead.stage.in_(OPEN_STAGES),
            Lead.sla_state == "breached",
            *lead_filters(req),
        )
        .group_by(ranges.c.slot, *by)
    ).all()


def measure(req: ReportRequest, ranges: Subquery, grouping: Grouping, spans: Any) -> list:
    by = _group_column(req, grouping)
    steps = sla_steps(req, spans, grouped=bool(by))
    return [*steps, *_percentiles(req, spans, bool(by)), *_overdue_now(req, spans, by)]


def derive(f: Figures) -> Figures:
    counts = {name: int(f.get(name) or 0) for name in FIGURES[:4]}
    met = counts["first_response_met"] + counts["follow_up_met"]
    breached = counts["first_response_breached"] + counts["follow_up_breached"]

    def minutes(name: str) -> int | None:
        value = f.get(name)
        return None if value is None else int(value)

    return {
        **counts,
        "met_rate": ratio(met, met + breached),
        "first_response_median_minutes": minutes("first_response_median_minutes"),
        "first_response_p90_minutes": minutes("first_response_p90_minutes"),
        "overdue_now": int(f.get("overdue_now") or 0),
    }


SLA = ReportKind(
    name="sla",
    dimensions=PEOPLE_DIMENSIONS,
    default_group_by="owner",
    figures=FIGURES,
    measure=measure,
    derive=derive,
    sort_by="first_response_breached",
    by_time=False,
    filters=("team_id", "owner_id"),
    additive=False,  # medians
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def breaches(req: ReportRequest, limit: int = 500) -> list[dict[str, Any]]:
    """The breaches recorded in the period, newest first, each with its lead and the owner
    at the breach (for a link to the lead): of the leads the asker may open now."""
    lo, hi = req.period.utc_bounds(req.tz)
    rows = db.session.execute(
        select(
            SlaEvent.item_id, Lead.contact_name, SlaEvent.owner_id, User.name, SlaEvent.metric,
            SlaEvent.at, SlaEvent.due_at,
        )  # fmt: skip
        .select_from(SlaEvent)
        .join(Lead, and_(Lead.org_id == SlaEvent.org_id, Lead.id == SlaEvent.item_id))
        .outerjoin(User, and_(User.org_id == SlaEvent.org_id, User.id == SlaEvent.owner_id))
        .where(
            *_in_scope(req),
            # Listed with its contact and a link: only leads the asker may open now.
            req.lead_scope(Lead.owner_id, Lead.team_id),
            SlaEvent.event == "breached",
            SlaEvent.at >= lo,
            SlaEvent.at < hi,
        )
        .order_by(SlaEvent.at.desc(), SlaEvent.item_id)
        .limit(limit)
    )
    return [
        {
            "lead_id": str(lead_id), "contact_name": name, "owner_id": _text(owner_id),
            "owner_name": owner, "metric": metric, "breached_at": wire_time(at),
            "due_at": wire_time(due),
        }  # fmt: skip
        for lead_id, name, owner_id, owner, metric, at, due in rows
    ]
