"""``channels``: the publicity cost input/output table, per source channel.

Input: the spend ledger's entries dated in the period. Output: the cohort of leads created
in the period with that source — inquiries, quoted, won by now and the won value (in the
reporting currency). Then cost per inquiry, cost per win and the return on spend,
(won value − spend) / spend. A channel with spend but no inquiries is listed too.

Spend is recorded for the whole organisation, so this table is too: admins and team leads
read it for every lead (no team or owner filter; a team's share of a channel's spend is
not recorded).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, func, select

from app.accounts import permissions
from app.extensions import db
from app.leads.models import Lead
from app.reports import inquiries
from app.reports.engine import (
    Figures,
    Grouping,
    ReportKind,
    ReportRequest,
    day_ranges_table,
    money,
    money_per,
    plain_labels,
    ratio,
    single,
)
from app.spend.models import SpendEntry

FIGURES = (
    "spend", "inquiries", "cost_per_inquiry", "quoted", "won", "won_value", "other_currency",
    "cost_per_win", "roi",
)  # fmt: skip


def _spend(req: ReportRequest, grouping: Grouping, spans: list) -> list:
    days = day_ranges_table(spans)
    by_source = (SpendEntry.source,) if grouping.columns else ()
    source = [SpendEntry.source == req.filters["source"]] if "source" in req.filters else []
    return db.session.execute(
        select(days.c.slot, *by_source, func.sum(SpendEntry.amount).label("spend"))
        .select_from(SpendEntry)
        .join(days, and_(SpendEntry.spent_on >= days.c.first, SpendEntry.spent_on <= days.c.last))
        .where(SpendEntry.org_id == req.org.id, *source)
        .group_by(days.c.slot, *by_source)
    ).all()


def measure(req: ReportRequest, ranges: Subquery, grouping: Grouping, spans: Any) -> list:
    """The cohort's figures (the inquiries report's, by the same SQL) and the spend, as rows
    that ``collect`` adds up by slot and channel."""
    return [*inquiries.measure(req, ranges, grouping, spans), *_spend(req, grouping, spans)]


def derive(f: Figures) -> Figures:
    spend, won_value = money(f.get("spend")), money(f.get("won_value"))
    return {
        "spend": spend,
        "inquiries": int(f.get("inquiries") or 0),
        "cost_per_inquiry": money_per(spend, f.get("inquiries")),
        "quoted": int(f.get("quoted") or 0),
        "won": int(f.get("won") or 0),
        "won_value": won_value,
        "other_currency": int(f.get("other_currency") or 0),
        "cost_per_win": money_per(spend, f.get("won")),
        "roi": ratio(won_value - spend, spend) if spend else None,
    }


CHANNELS = ReportKind(
    name="channels",
    dimensions={"source": single(lambda: Lead.source, plain_labels)},
    default_group_by="source",
    figures=FIGURES,
    measure=measure,
    derive=derive,
    may_read=permissions.may_read_spend,
    filters=("source",),
    whole_org=True,
)
