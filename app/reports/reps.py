"""``reps``: the multi-dimensional rep appraisal — sales volume, inquiry volume, workload.

Per person (``owner``, default) or per team (``team``), each figure from where it happens:

- ``inquiries``: leads created in the period that the person owns now;
- ``follow_ups`` (the workload) and ``quotes``: what the person logged, by ``happened_at``;
- ``won`` and ``sales``: leads won in the period (``closed_at``, still won), credited to the
  owner at the moment of winning (the lead keeps it: ``closed_owner_id``), in the
  reporting currency;
- ``first_response_met_rate``: first responses met on time over those met on time or
  breached in the period, each counted for whoever had the lead at that step (from the SLA
  event history: a breach put right later still counts as a breach);
- ``score``: the organisation's weights (``appraisal_weights``, default 0.5 sales, 0.3
  inquiries, 0.2 workload) times each of sales, inquiries and follow-ups divided by the best
  of the table's rows in that period; ``rank``: 1 for the highest score, ties sharing a rank.
  The table's rows are the people in the asker's reach and filters — a team lead's team, or
  the team an admin filters by — so the score compares a person with their team.

The workload and the first responses are read from daily tallies (``app.tallies``), the
inquiries and sales from the leads' covering indexes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import Subquery, and_, func, or_, select

from app.accounts.models import appraisal_weights
from app.extensions import db
from app.leads.models import FollowUpTally, Lead
from app.reports.dimensions import PEOPLE_DIMENSIONS
from app.reports.engine import (
    Figures,
    Grouping,
    ReportKind,
    ReportRequest,
    count_of,
    day_ranges_table,
    money,
    ratio,
    sum_of,
)
from app.reports.sla import sla_steps
from app.tallies import nobody_as_null

FIGURES = (
    "inquiries", "follow_ups", "quotes", "won", "sales", "other_currency",
    "first_response_met_rate", "score", "rank",
)  # fmt: skip


def _who(req: ReportRequest, owner_column, team_column):
    """The person or team column of one source table (each figure reads its own table, so
    the dimensions below only name the grouping; ``(column,)[: len(by)]`` groups by it for
    the rows and not for the totals), and that table's scope and filters."""
    column = team_column if req.group_by == "team" else owner_column
    clauses = [req.lead_scope(owner_column, team_column)]
    if "owner_id" in req.filters:
        clauses.append(owner_column == req.filters["owner_id"])
    if "team_id" in req.filters:
        clauses.append(team_column == req.filters["team_id"])
    return column, clauses


def _inquiries(req: ReportRequest, ranges: Subquery, by: tuple) -> Any:
    column, where = _who(req, Lead.owner_id, Lead.team_id)
    return db.session.execute(
        select(ranges.c.slot, *(column,)[: len(by)], func.count().label("inquiries"))
        .select_from(Lead)
        .join(ranges, and_(Lead.created_at >= ranges.c.lo, Lead.created_at < ranges.c.hi))
        .where(Lead.org_id == req.org.id, *where)
        .group_by(ranges.c.slot, *(column,)[: len(by)])
    ).all()


def _workload(req: ReportRequest, spans: list, by: tuple) -> Any:
    """From the follow-up tally: a period's follow-ups are its days' tally rows."""
    tally = FollowUpTally
    column, where = _who(req, tally.author_id, tally.team_id)
    # Scope: follow-ups on the leads the asker sees (a follow-up carries its lead's owner
    # and team), and always the asker's own, even on a lead since given to someone else.
    where[0] = or_(
        tally.author_id == req.actor.id, req.lead_scope(tally.owner_id, tally.team_id)
    )
    days = day_ranges_table(spans)
    group = (nobody_as_null(column),)[: len(by)]
    return db.session.execute(
        select(
            days.c.slot,
            *group,
            func.sum(tally.follow_ups).label("follow_ups"),
            func.sum(tally.quotes).label("quotes"),
        )
        .select_from(tally)
        .join(days, and_(tally.day >= days.c.first, tally.day <= days.c.last))
        .where(tally.org_id == req.org.id, *where)
        .group_by(days.c.slot, *group)
    ).all()


def _sales(req: ReportRequest, ranges: Subquery, by: tuple) -> Any:
    """The wins that stand (won now, since ``closed_at``), credited to the owner and team
    who won them: read from ``ix_leads_org_closed`` alone on PostgreSQL."""
    column, where = _who(req, Lead.closed_owner_id, Lead.closed_team_id)
    in_currency = or_(Lead.currency.is_(None), Lead.currency == req.currency)
    return db.session.execute(
        select(
            ranges.c.slot,
            *(column,)[: len(by)],
            func.count().label("won"),
            sum_of(in_currency, Lead.won_value).label("sales"),
            count_of(~in_currency).label("other_currency"),
        )
        .select_from(Lead)
        .join(ranges, and_(Lead.closed_at >= ranges.c.lo, Lead.closed_at < ranges.c.hi))
        .where(Lead.org_id == req.org.id, Lead.stage == "won", *where)
        .group_by(ranges.c.slot, *(column,)[: len(by)])
    ).all()


def measure(req: ReportRequest, ranges: Subquery, grouping: Grouping, spans: list) -> list:
    by = grouping.columns
    return [
        *_inquiries(req, ranges, by),
        *_workload(req, spans, by),
        *_sales(req, ranges, by),
        # The first responses met and breached, by who had the lead at each (as the sla
        # report counts them).
        *sla_steps(req, spans, grouped=bool(by)),
    ]


def derive(f: Figures) -> Figures:
    met = f.get("first_response_met") or 0
    breached = f.get("first_response_breached") or 0
    return {
        "inquiries": int(f.get("inquiries") or 0),
        "follow_ups": int(f.get("follow_ups") or 0),
        "quotes": int(f.get("quotes") or 0),
        "won": int(f.get("won") or 0),
        "sales": money(f.get("sales")),
        "other_currency": int(f.get("other_currency") or 0),
        "first_response_met_rate": ratio(met, met + breached),
        "score": None,
        "rank": None,
    }


def weights_of(req: ReportRequest) -> dict[str, Decimal]:
    return {k: Decimal(str(v)) for k, v in appraisal_weights(req.org).items()}


def rank(rows: list[Figures], req: ReportRequest) -> None:
    """Score each row against the best row of the same period, then rank by score."""
    weights = weights_of(req)
    parts = {"sales": "sales", "inquiries": "inquiries", "workload": "follow_ups"}
    best = {part: max((Decimal(str(r[f])) for r in rows), default=0) for part, f in parts.items()}
    for row in rows:
        score = sum(
            (weights[part] * Decimal(str(row[f])) / best[part] for part, f in parts.items()
             if best[part]),
            Decimal(0),
        )  # fmt: skip
        row["score"] = float(score.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))
    ordered = sorted((r["score"] for r in rows), reverse=True)
    for row in rows:
        row["rank"] = ordered.index(row["score"]) + 1


REPS = ReportKind(
    name="reps",
    dimensions=PEOPLE_DIMENSIONS,
    default_group_by="owner",
    figures=FIGURES,
    measure=measure,
    derive=derive,
    rank=rank,
    sort_by="score",
    by_time=False,
    filters=("team_id", "owner_id"),
)
