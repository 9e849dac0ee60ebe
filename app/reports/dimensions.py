"""What a lead report groups and filters by: the lead's own columns, read to a person
through the organisation's names (people, teams, products, the lists' labels)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, literal, select

from app.accounts.models import Team, User
from app.extensions import db
from app.leads.models import Lead, Product
from app.reports.engine import ReportRequest, plain_labels, single


def lead_filters(req: ReportRequest, lead=Lead) -> list[ColumnElement[bool]]:
    """The asker's scope and the report's filters, on the lead columns of ``lead``."""
    clauses = [req.lead_scope(lead.owner_id, lead.team_id)]
    for name, value in req.filters.items():
        clauses.append(getattr(lead, name) == value)
    return clauses


def _names(model, column, keys: Iterable[Any], none: str) -> dict[Any, str]:
    keys = list(keys)
    wanted = [k for k in keys if k is not None]
    found = dict(db.session.execute(select(model.id, column).where(model.id.in_(wanted))).all())
    return {k: (none if k is None else found.get(k, "Unknown")) for k in keys}


def _product_labels(keys):
    return _names(Product, Product.name, keys, "No catalogue product")


def product_names(ids: Iterable[Any]) -> dict[str, str]:
    """Catalogue names by id (as text)."""
    wanted = [uuid.UUID(str(i)) for i in ids]
    rows = db.session.execute(select(Product.id, Product.name).where(Product.id.in_(wanted)))
    return {str(i): name for i, name in rows}


def owner_labels(keys):
    return _names(User, User.name, keys, "Nobody")


def team_labels(keys):
    return _names(Team, Team.name, keys, "No team")


LEAD_DIMENSIONS = {
    "source": single(lambda: Lead.source, plain_labels),
    "product": single(lambda: Lead.product_id, _product_labels),
    "region": single(lambda: Lead.region, lambda keys: {k: k or "Not set" for k in keys}),
    "priority": single(lambda: Lead.priority, plain_labels),
    "stage": single(lambda: Lead.stage, plain_labels),
    "owner": single(lambda: Lead.owner_id, owner_labels),
    "team": single(lambda: Lead.team_id, team_labels),
}

# Reports whose figures come from several tables (leads, follow-ups, stage changes, SLA
# steps) group by person or team: each figure reads its own table's column for it, so the
# dimension only names the grouping (one column, for the rows and not the totals).
PEOPLE_DIMENSIONS = {
    "owner": single(lambda: literal(None), owner_labels),
    "team": single(lambda: literal(None), team_labels),
}
