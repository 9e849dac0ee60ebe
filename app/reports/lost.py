"""``lost``: why inquiries are lost, and what customers asked for that the company does not
make (the demand report).

The leads counted are those that became lost in the period (``closed_at``) and are lost
now. By ``reason`` (default): how many, and each reason's share of all lost. By
``product``: only the reasons that say the company lacks the product
(``DEMAND_REASONS``), one row per requested product — the catalogue product, or the typed
``product_text`` folded for case and spaces — with how many, the total quantity asked for
and the estimated value (in the reporting currency; other currencies counted apart).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Subquery, and_, func, or_, select

from app.extensions import db
from app.leads.models import Lead
from app.reports.dimensions import lead_filters, product_names
from app.reports.engine import (
    Dimension,
    Figures,
    Grouping,
    ReportKind,
    ReportRequest,
    count_of,
    money,
    plain_labels,
    ratio,
    single,
    sum_of,
)

DEMAND_REASONS = ("no_matching_product", "customisation_needed")
FIGURES = ("lost", "share", "quantity", "estimated_value", "other_currency")


def measure(req: ReportRequest, ranges: Subquery, grouping: Grouping, _spans: Any):
    in_currency = or_(Lead.currency.is_(None), Lead.currency == req.currency)
    demand_only = [Lead.lost_reason.in_(DEMAND_REASONS)] if req.group_by == "product" else []
    return db.session.execute(
        select(
            ranges.c.slot,
            *grouping.columns,
            func.count().label("lost"),
            func.coalesce(func.sum(Lead.quantity), 0).label("quantity"),
            sum_of(in_currency, Lead.estimated_value).label("estimated_value"),
            count_of(and_(Lead.estimated_value.is_not(None), ~in_currency)).label(
                "other_currency"
            ),
        )
        .select_from(Lead)
        .join(ranges, and_(Lead.closed_at >= ranges.c.lo, Lead.closed_at < ranges.c.hi))
        .where(Lead.org_id == req.org.id, Lead.stage == "lost", *demand_only, *lead_filters(req))
        .group_by(ranges.c.slot, *grouping.columns)
    )


def _requested(values: tuple) -> str | None:
    """A requested product's key: ``product:<id>``, or ``text:<typed name>`` folded for
    case and spaces ("Blue  Widget" and "blue widget" are one), or None (nothing said)."""
    product_id, text = values
    if product_id is not None:
        return f"product:{product_id}"
    folded = " ".join((text or "").split()).casefold()
    return f"text:{folded}" if folded else None


def _requested_labels(keys) -> dict[Any, str]:
    ids = [k.split(":", 1)[1] for k in keys if k and k.startswith("product:")]
    names = product_names(ids)
    labels = {}
    for key in keys:
        if key is None:
            labels[key] = "Not said"
        elif key.startswith("product:"):
            labels[key] = names.get(key.split(":", 1)[1], "Unknown product")
        else:
            text = key.split(":", 1)[1]
            labels[key] = text[:1].upper() + text[1:]
    return labels


def derive(f: Figures) -> Figures:
    return {
        "lost": int(f.get("lost") or 0),
        "quantity": float(f.get("quantity") or 0),
        "estimated_value": money(f.get("estimated_value")),
        "other_currency": int(f.get("other_currency") or 0),
    }


def relate(row: Figures, totals: Figures) -> Figures:
    return {"share": ratio(row.get("lost"), totals.get("lost"))}


LOST = ReportKind(
    name="lost",
    dimensions={
        "reason": single(lambda: Lead.lost_reason, plain_labels),
        "product": Dimension(
            lambda: Grouping((Lead.product_id, Lead.product_text), _requested),
            _requested_labels,
        ),
    },
    default_group_by="reason",
    figures=FIGURES,
    measure=measure,
    zero=lambda: {"lost": 0, "quantity": 0, "estimated_value": 0, "other_currency": 0},
    derive=derive,
    relate=relate,
    by_time=False,
)
