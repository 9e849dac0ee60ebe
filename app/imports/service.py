"""Importing a CSV file of past leads or follow-ups: read it, turn each row's cells into a
lead's (or follow-up's) values, and hand the rows to the leads' importer, which checks them
against the organisation and writes all of them or none.

Every row is read before anything is written, and every bad row is reported with its line
number and the fields to fix, together: the answer to a file with one bad row in fifty
thousand names that row, and nothing is imported until the file is right.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from sqlalchemy import func, select

from app.accounts.models import Organization, User
from app.accounts.service import normalize_email
from app.assignment import service as assignment
from app.changelog.versions import counter_held
from app.database import utcnow
from app.extensions import db
from app.imports.csvfile import read_rows
from app.leads import importing
from app.leads.models import Product
from app.leads.schemas import FollowUpCreateSchema, LeadCreateSchema

Problems = dict[str, list[str]]


class LocalTime(ma.fields.Field):
    """An ISO 8601 time; a date alone is local midnight, and a time without an offset is
    local time, in the organisation's time zone (``tz`` in the schema's ``context`` is not
    available in marshmallow 4, so the zone is set on the schema instance)."""

    def _deserialize(self, value, attr, data, **kwargs):
        tz: ZoneInfo = self.parent.tz
        text = str(value).strip()
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time(0), tz)
            moment = datetime.fromisoformat(text)
        except ValueError as error:
            raise ma.ValidationError("Not a date or time (use 2026-03-31 or ISO 8601).") from error
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)


class LeadRowSchema(LeadCreateSchema):
    """A row of the leads file: the lead's wire names, and the importer's own columns."""

    owner_email = ma.fields.Email()
    product_sku = ma.fields.String(validate=ma.validate.Length(max=64))
    created_at = LocalTime()
    closed_at = LocalTime()
    lost_reason = ma.fields.String(validate=ma.validate.Length(max=60))
    won_value = ma.fields.Decimal(places=2, validate=ma.validate.Range(min=0, max=10**12 - 1))
    external_ref = ma.fields.String(validate=ma.validate.Length(max=100))
    next_follow_up_at = LocalTime()


class FollowUpRowSchema(FollowUpCreateSchema):
    lead_id = ma.fields.UUID()
    lead_ref = ma.fields.String(validate=ma.validate.Length(max=100))
    author_email = ma.fields.Email()
    happened_at = LocalTime(required=True)
    next_follow_up_at = LocalTime()


LEAD_COLUMNS = set(LeadRowSchema().fields) - {"id", "owner_id"}
FOLLOW_UP_COLUMNS = set(FollowUpRowSchema().fields) - {"id"}


def _schema(cls: type[ma.Schema], tz: ZoneInfo) -> ma.Schema:
    schema = cls()
    schema.tz = tz
    return schema


def _load(schema: ma.Schema, cells: dict[str, str]) -> tuple[dict[str, Any], Problems]:
    try:
        return schema.load(cells), {}
    except ma.ValidationError as error:
        return {}, {k: v if isinstance(v, list) else [str(v)] for k, v in error.messages.items()}


def _people(emails: set[str]) -> dict[str, User]:
    if not emails:
        return {}
    found = db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))
    return {user.email.lower(): user for user in found}


def _org(actor: User) -> tuple[Organization, ZoneInfo]:
    org = db.session.get(Organization, actor.org_id)
    return org, org.zone


def import_leads_csv(actor: User, text: str) -> dict[str, int]:
    importing.require_importer(actor)
    org, tz = _org(actor)
    rows, problems = read_rows(text, LEAD_COLUMNS, {"contact_name"})
    schema = _schema(LeadRowSchema, tz)
    emails = {normalize_email(c["owner_email"]) for _, c in rows if "owner_email" in c}
    owners = _people(emails)
    skus = {c["product_sku"].strip() for _, c in rows if "product_sku" in c}
    products = dict(
        db.session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus))).all()
    ) if skus else {}  # fmt: skip
    loaded = []
    for line, cells in rows:
        data, bad = _load(schema, cells)
        if "owner_email" in data:
            owner = owners.get(normalize_email(data.pop("owner_email")))
            if owner is None:
                bad["owner_email"] = ["No one in the organisation has this email."]
            else:
                data["owner_id"] = owner.id
        if "product_sku" in data:
            product_id = products.get(data.pop("product_sku").strip())
            if product_id is None:
                bad["product_sku"] = ["No product has this SKU."]
            else:
                data["product_id"] = product_id
        if bad:
            problems[line] = bad
        else:
            loaded.append((line, data))
    now = utcnow()
    # One lock of the change counter for the whole file: versions from memory, not one
    # UPDATE per row.
    with counter_held(actor.org_id):
        if not problems:
            _route_ownerless(org, loaded)
        checked = importing.check_leads(actor, loaded, now)
        for line, bad in checked.problems.items():
            problems.setdefault(line, {}).update(bad)
        if problems:
            raise importing.refused(problems)
        flagged = importing.write_leads(checked.ready, now)
    return {"imported": len(checked.ready), "duplicates_flagged": flagged}


def _route_ownerless(org: Organization, rows: list[tuple[int, dict[str, Any]]]) -> None:
    """Rows naming no owner go where the assignment rules send them (the file's rows share
    a batch: each counts the leads given before it); when the rules choose nobody, the
    importing admin owns them, as before there were rules."""
    with assignment.decisions_batch():
        for _, data in rows:
            if not data.get("owner_id"):
                routed = assignment.routed_owner(assignment.decide_for(org, data))
                if routed is not None:
                    data["routed"] = routed


def import_follow_ups_csv(actor: User, text: str) -> dict[str, int]:
    importing.require_importer(actor)
    _, tz = _org(actor)
    rows, problems = read_rows(text, FOLLOW_UP_COLUMNS, {"kind", "happened_at"})
    schema = _schema(FollowUpRowSchema, tz)
    authors = _people(
        {normalize_email(c["author_email"]) for _, c in rows if "author_email" in c}
    )
    loaded = []
    for line, cells in rows:
        data, bad = _load(schema, cells)
        if not bad and not (data.get("lead_id") or data.get("lead_ref")):
            bad["lead_ref"] = ["Give the lead's lead_ref (its external_ref) or lead_id."]
        if "author_email" in data:
            author = authors.get(normalize_email(data.pop("author_email")))
            if author is None:
                bad["author_email"] = ["No one in the organisation has this email."]
            data["author"] = author
        if bad:
            problems[line] = bad
        else:
            loaded.append((line, data))
    now = utcnow()
    with counter_held(actor.org_id):
        checked = importing.check_follow_ups(loaded, now)
        for line, bad in checked.problems.items():
            problems.setdefault(line, {}).update(bad)
        if problems:
            raise importing.refused(problems)
        return importing.write_follow_ups(actor, checked.ready, now)

