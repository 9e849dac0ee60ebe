"""Recording spend: admins write, admins and team leads read. Every rule here; routes
parse and commit."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from app.accounts import permissions
from app.accounts.models import Organization, User, lead_sources
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.spend.models import SpendEntry


def _org(actor: User) -> Organization:
    return db.session.get(Organization, actor.org_id)


def _check(org: Organization, data: dict[str, Any], entry: SpendEntry | None = None) -> None:
    currency = data.get("currency")
    if currency is not None and currency != org.currency:
        raise ValidationFailed(
            {"currency": [f"Spend is recorded in the reporting currency, {org.currency}."]}
        )
    source = data.get("source")
    # A channel the organisation later dropped stays valid on the entries that have it.
    if source is not None and source not in lead_sources(org) and (
        entry is None or source != entry.source
    ):
        raise ValidationFailed({"source": ["Not one of the organisation's lead sources."]})


def list_spend(
    actor: User, start: date | None = None, end: date | None = None, source: str | None = None
) -> list[SpendEntry]:
    permissions.require(permissions.may_read_spend(actor), "Spend is for admins and team leads.")
    query = select(SpendEntry).order_by(SpendEntry.spent_on.desc(), SpendEntry.created_at.desc())
    if start is not None:
        query = query.where(SpendEntry.spent_on >= start)
    if end is not None:
        query = query.where(SpendEntry.spent_on <= end)
    if source is not None:
        query = query.where(SpendEntry.source == source)
    return list(db.session.scalars(query.limit(5000)))


def get_spend(actor: User, entry_id: uuid.UUID) -> SpendEntry:
    permissions.require(permissions.may_read_spend(actor), "Spend is for admins and team leads.")
    entry = db.session.get(SpendEntry, (actor.org_id, entry_id))
    if entry is None:
        raise NotFound("spend entry")
    return entry


def create_spend(actor: User, data: dict[str, Any]) -> SpendEntry:
    permissions.require(permissions.may_manage_org(actor), "Only admins record spend.")
    _check(_org(actor), data)
    entry = SpendEntry(
        org_id=actor.org_id,
        id=uuid.uuid4(),
        source=data["source"],
        spent_on=data["spent_on"],
        amount=data["amount"],
        note=data.get("note"),
        created_by=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def update_spend(actor: User, entry_id: uuid.UUID, data: dict[str, Any]) -> SpendEntry:
    permissions.require(permissions.may_manage_org(actor), "Only admins record spend.")
    entry = get_spend(actor, entry_id)
    _check(_org(actor), data, entry)
    for key in ("source", "spent_on", "amount", "note"):
        if key in data:
            setattr(entry, key, data[key])
    db.session.flush()
    return entry


def delete_spend(actor: User, entry_id: uuid.UUID) -> None:
    permissions.require(permissions.may_manage_org(actor), "Only admins record spend.")
    db.session.delete(get_spend(actor, entry_id))
    db.session.flush()
