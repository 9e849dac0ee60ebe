"""``inquiries``: the inquiry classification summary.

The cohort is the leads created in the period (local days of the organisation). For each:
still open, contacted (at least one contact follow-up — ``last_follow_up_at`` is set by
contacts only), quoted (``quoted_at``: reached quoted/negotiating/won or had a quote
logged), won, lost, and the won value in the reporting currency (won leads in another
currency are counted in ``other_currency``, never added).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, func, or_, select

from app.extensions import db
from app.leads.models import OPEN_STAGES, Lead
from app.reports.dimensions import LEAD_DIMENSIONS, lead_filters
from app.reports.engine import (
    Figures,
    Grouping,
    ReportKind,
    ReportRequest,
    count_of,
    money,
    ratio,
    sum_of,
)

FIGURES = (
    "inquiries", "open", "contacted", "quoted", "won", "lost", "won_value", "other_currency",
    "quote_rate", "win_rate",
)  # fmt: skip


def measure(req: ReportRequest, ranges: Subquery, grouping: Grouping, _spans: Any):
    in_currency = or_(Lead.currency.is_(None), Lead.currency == req.currency)
    won = Lead.stage == "won"
    return db.session.execute(
        select(
            ranges.c.slot,
            *grouping.columns,
            func.count().label("inquiries"),
            count_of(Lead.stage.in_(OPEN_STAGES)).label("open"),
            count_of(Lead.last_follow_up_at.is_not(None)).label("contacted"),
            count_of(Lead.quoted_at.is_not(None)).label("quoted"),
            count_of(won).label("won"),
            count_of(Lead.stage == "lost").label("lost"),
            sum_of(and_(won, in_currency), Lead.won_value).label("won_value"),
            count_of(and_(won, ~in_currency)).label("other_currency"),
        )
        .select_from(Lead)
        .join(ranges, and_(Lead.created_at >= ranges.c.lo, Lead.created_at < ranges.c.hi))
        .where(Lead.org_id == req.org.id, *lead_filters(req))
        .group_by(ranges.c.slot, *grouping.columns)
    )


def derive(f: Figures) -> Figures:
    return {
        **{name: int(f.get(name) or 0) for name in FIGURES[:6]},
        "won_value": money(f.get("won_value")),
        "other_currency": int(f.get("other_currency") or 0),
        "quote_rate": ratio(f.get("quoted"), f.get("inquiries")),
        "win_rate": ratio(f.get("won"), f.get("inquiries")),
    }


INQUIRIES = ReportKind(
    name="inquiries",
    dimensions=LEAD_DIMENSIONS,
    default_group_by="source",
    figures=FIGURES,
    measure=measure,
    zero=lambda: dict.fromkeys(FIGURES[:8], 0),
    derive=derive,
)
