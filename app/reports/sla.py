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
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, case, func, literal, or_, select

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
    count_of,
    current_spans,
    ranges_table,
    ratio,
)
from app.sla.models import SlaEvent

FIGURES = (
    "first_response_met", "first_response_breached", "follow_up_met", "follow_up_breached",
    "met_rate", "first_response_median_minutes", "first_response_p90_minutes", "overdue_now",
)  # fmt: skip


def _group_column(req: ReportRequest, grouping: Grouping) -> tuple:
    """The steps' own owner or team (who had the item at the step), or nothing."""
    if not grouping.columns:
        return ()
    return (SlaEvent.team_id if req.group_by == "team" else SlaEvent.owner_id,)


def _steps_in(ranges: Subquery):
    """The SLA steps in the ranges: read from ``ix_sla_events_org_at`` alone on PostgreSQL
    (the index carries every column a report reads)."""
    return SlaEvent.__table__.join(
        ranges, and_(SlaEvent.at >= ranges.c.lo, SlaEvent.at < ranges.c.hi)
    )


def _in_scope(req: ReportRequest) -> list:
    """The leads' steps the asker may count: by the owner and team of each step."""
    return [
        SlaEvent.org_id == req.org.id,
        SlaEvent.item_type == "lead",
        *lead_filters(req, SlaEvent),
    ]


def sla_steps(req: ReportRequest, ranges: Subquery, by: tuple) -> Any:
    """Clocks met on time and breaches, per metric, in each range (by ``by``: the lead's
    owner or team column, or nothing)."""
    on_time = or_(SlaEvent.due_at.is_(None), SlaEvent.at <= SlaEvent.due_at)

    def met(metric: str):
        return count_of(and_(SlaEvent.metric == metric, SlaEvent.event == "met", on_time))

    def breached(metric: str):
        return count_of(and_(SlaEvent.metric == metric, SlaEvent.event == "breached"))

    return db.session.execute(
        select(
            ranges.c.slot,
            *by,
            met("first_response").label("first_response_met"),
            breached("first_response").label("first_response_breached"),
            met("follow_up").label("follow_up_met"),
            breached("follow_up").label("follow_up_breached"),
        )
        .select_from(_steps_in(ranges))
        .where(*_in_scope(req), SlaEvent.event.in_(("met", "breached")))
        .group_by(ranges.c.slot, *by)
    ).all()


def _percentiles(req: ReportRequest, ranges: Subquery, by: tuple) -> Any:
    """The median and 90th percentile of the first-response times, nearest rank: ranked
    within each group by a window, the row at ⌈n/2⌉ and the one at ⌈9n/10⌉ (integer
    arithmetic, which SQLite and PostgreSQL share)."""
    minutes = SlaEvent.business_minutes
    partition = [ranges.c.slot, *by]
    ranked = (
        select(
            ranges.c.slot.label("slot"),
            *(c.label(f"g{i}") for i, c in enumerate(by)),
            minutes.label("minutes"),
            func.row_number().over(partition_by=partition, order_by=minutes).label("rn"),
            func.count().over(partition_by=partition).label("n"),
        )
        .select_from(_steps_in(ranges))
        .where(
            *_in_scope(req),
            SlaEvent.metric == "first_response",
            SlaEvent.event == "met",
            minutes.is_not(None),
        )
        .subquery("ranked")
    )
    groups = [ranked.c[f"g{i}"] for i in range(len(by))]
    half = (ranked.c.n + 1) // 2
    ninety = (ranked.c.n * 9 + 9) // 10
    return db.session.execute(
        select(
            ranked.c.slot,
            *groups,
            func.max(case((ranked.c.rn == half, ranked.c.minutes))).label(
                "first_response_median_minutes"
            ),
            func.max(case((ranked.c.rn == ninety, ranked.c.minutes))).label(
                "first_response_p90_minutes"
            ),
        )
        .where(or_(ranked.c.rn == half, ranked.c.rn == ninety))
        .group_by(ranked.c.slot, *groups)
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
    steps = sla_steps(req, ranges, by)
    return [*steps, *_percentiles(req, ranges, by), *_overdue_now(req, spans, by)]


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
