"""Importing past inquiries (and their follow-ups) from another system: the leads' side.

``app.imports`` reads the spreadsheet and each row's values; here every row is checked
against the organisation (owner, product, source, stage, times, references) and, when no
row is wrong, all are written in one go. A row's problems are returned with its line
number, so the person fixes the file and imports again — nothing is half-imported.

What an imported lead keeps: its ``created_at``, stage, ``closed_at``, won value and lost
reason, and a history of two steps at most (created; closed). Its clock is computed as of
the import: an open lead starts a first-response clock now (an old inquiry is not "overdue
since last year"), a closed one has none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select

from app.accounts import permissions
from app.accounts.models import Organization, User, lost_reasons
from app.changelog import versions as changes
from app.database import utcnow
from app.errors import ApiError
from app.extensions import db
from app.leads import service, sla, tally
from app.leads.models import OPEN_STAGES, FollowUp, Lead, LeadStageChange

Problems = dict[str, list[str]]


def require_importer(actor: User) -> None:
    permissions.require(permissions.may_manage_org(actor), "Only admins import history.")


@dataclass
class Checked:
    """Rows checked against the organisation: what to write, or each bad row's problems."""

    ready: list[Any] = field(default_factory=list)
    problems: dict[int, Problems] = field(default_factory=dict)

    def refuse(self, line: int, problems: Problems) -> None:
        into = self.problems.setdefault(line, {})
        for name, messages in problems.items():
            into.setdefault(name, []).extend(messages)


def refused(problems: dict[int, Problems]) -> ApiError:
    """The one answer to a file with bad rows: every bad row by line number, nothing done."""
    shown = dict(sorted(problems.items())[:1000])
    more = len(problems) - len(shown)
    message = f"{len(problems)} rows cannot be imported; nothing was imported."
    if more:
        message += f" The first {len(shown)} are listed."
    return ApiError(422, "invalid_rows", message, {str(n): p for n, p in shown.items()})


# --- leads --------------------------------------------------------------------------------


def _problems_of(error: ApiError) -> Problems:
    return error.fields or {"row": [error.message]}


def check_leads(actor: User, rows: list[tuple[int, dict[str, Any]]], now: datetime) -> Checked:
    """Each row as a lead ready to write (not yet stored), or its problems."""
    org = db.session.get(Organization, actor.org_id)
    checked = Checked()
    products: set[uuid.UUID] = set()
    refs = dict(
        db.session.execute(
            select(Lead.external_ref, Lead.id).where(Lead.external_ref.is_not(None))
        ).all()
    )
    seen_refs: dict[str, int] = {}
    for line, data in rows:
        problems: Problems = {}
        ref = data.get("external_ref")
        if ref is not None:
            if ref in refs:
                problems["external_ref"] = ["Already imported (a lead has this reference)."]
            elif ref in seen_refs:
                problems["external_ref"] = [f"Also on line {seen_refs[ref]} of this file."]
            seen_refs.setdefault(ref, line)
        problems.update(_closing_problems(org, data, now))
        open_data = {k: v for k, v in data.items() if k not in _IMPORT_ONLY}
        if data.get("stage") not in OPEN_STAGES:
            open_data.pop("stage", None)
        try:
            lead = service.new_lead(actor, org, open_data, now, products)
        except ApiError as error:
            problems.update(_problems_of(error))
        if problems:
            checked.refuse(line, problems)
            continue
        _as_imported(lead, data, now)
        checked.ready.append(lead)
    return checked


# Columns an import sets that a capture does not.
_IMPORT_ONLY = ("created_at", "closed_at", "won_value", "lost_reason", "external_ref")


def _closing_problems(org: Organization, data: dict[str, Any], now: datetime) -> Problems:
    problems: Problems = {}
    stage = data.get("stage") or "new"
    created, closed = data.get("created_at") or now, data.get("closed_at")
    if created > now:
        problems["created_at"] = ["Lies in the future."]
    if stage in ("won", "lost"):
        if closed is not None and closed < created:
            problems["closed_at"] = ["Lies before created_at."]
        if closed is not None and closed > now:
            problems["closed_at"] = ["Lies in the future."]
    elif closed is not None:
        problems["closed_at"] = ["Only a won or lost lead has one."]
    if stage == "won" and not (data.get("won_value") and Decimal(data["won_value"]) > 0):
        problems["won_value"] = ["A won lead needs its value."]
    if stage != "won" and data.get("won_value") is not None:
        problems["won_value"] = ["Only a won lead has one."]
    if stage == "lost":
        if not data.get("lost_reason"):
            problems["lost_reason"] = ["A lost lead needs a reason."]
        elif data["lost_reason"] not in lost_reasons(org):
            problems["lost_reason"] = [f"Must be one of {', '.join(lost_reasons(org))}."]
    elif data.get("lost_reason") is not None:
        problems["lost_reason"] = ["Only a lost lead has one."]
    return problems


def _as_imported(lead: Lead, data: dict[str, Any], now: datetime) -> None:
    """Give a checked new lead its past: creation time, stage, closing."""
    created = data.get("created_at") or now
    stage = data.get("stage") or "new"
    lead.created_at = lead.updated_at = created
    lead.external_ref = data.get("external_ref")
    if stage in ("won", "lost"):
        lead.stage = stage
        service.mark_closing(lead, data.get("closed_at") or created)
        lead.won_value = data.get("won_value")
        lead.lost_reason = data.get("lost_reason")
        if stage == "won":
            lead.quoted_at = lead.closed_at
    elif lead.stage in service.QUOTED_STAGES:
        lead.quoted_at = created


def write_leads(leads: list[Lead], now: datetime) -> int:
    """Store checked leads: duplicates flagged, clocks as of ``now`` for the open ones,
    histories. Returns how many were flagged as possible duplicates."""
    for lead, duplicate_of in zip(leads, service.possible_duplicates(leads), strict=True):
        lead.possible_duplicate_of = duplicate_of
    sla.leads_created([lead for lead in leads if lead.stage in OPEN_STAGES], at=now)
    service.insert_new_leads(leads)
    closing = [
        service.stage_row(lead, "new", lead.stage, lead.closed_at, None)
        for lead in leads
        if lead.stage in ("won", "lost")
    ]
    if closing:
        db.session.execute(insert(LeadStageChange.__table__), closing)
    return sum(1 for lead in leads if lead.possible_duplicate_of is not None)


def import_leads(actor: User, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, int]:
    """Check every row, then write them all or none: ``{imported, duplicates_flagged}``."""
    require_importer(actor)
    now = utcnow()
    checked = check_leads(actor, rows, now)
    if checked.problems:
        raise refused(checked.problems)
    flagged = write_leads(checked.ready, now)
    return {"imported": len(checked.ready), "duplicates_flagged": flagged}


# --- follow-ups ---------------------------------------------------------------------------


def check_follow_ups(rows: list[tuple[int, dict[str, Any]]], now: datetime) -> Checked:
    """Each past follow-up with its lead (found by ``lead_id`` or by ``lead_ref``, the
    lead's ``external_ref``), or its problems."""
    checked = Checked()
    ids = {d["lead_id"] for _, d in rows if d.get("lead_id")}
    refs = {d["lead_ref"] for _, d in rows if d.get("lead_ref")}
    by_id = {
        lead.id: lead for lead in db.session.scalars(select(Lead).where(Lead.id.in_(ids)))
    } if ids else {}  # fmt: skip
    by_ref = {
        lead.external_ref: lead
        for lead in db.session.scalars(select(Lead).where(Lead.external_ref.in_(refs)))
    } if refs else {}  # fmt: skip
    for line, data in rows:
        lead = by_id.get(data.get("lead_id")) or by_ref.get(data.get("lead_ref"))
        problems: Problems = {}
        if lead is None:
            problems["lead_id" if data.get("lead_id") else "lead_ref"] = ["No such lead."]
        if data["happened_at"] > now:
            problems["happened_at"] = ["Lies in the future."]
        elif lead is not None and data["happened_at"] < lead.created_at:
            problems["happened_at"] = ["Lies before the lead was created."]
        if (data.get("next_follow_up_at") or data["happened_at"]) < data["happened_at"]:
            problems["next_follow_up_at"] = ["Lies before the follow-up itself."]
        if problems:
            checked.refuse(line, problems)
        else:
            checked.ready.append((lead, data))
    return checked


def write_follow_ups(actor: User, ready: list[tuple[Lead, dict]], now: datetime) -> dict:
    """Store checked past follow-ups in time order. Each moves its lead on as a live one
    would (a contact: new → contacted at its time; a quote: → quoted) and counts as its
    last contact; the clock of an open lead restarts from the import (the follow-up cadence
    from now), as an imported lead's does."""
    require_importer(actor)
    touched: dict[uuid.UUID, Lead] = {}
    written = []
    for lead, data in sorted(ready, key=lambda pair: pair[1]["happened_at"]):
        written.append(_record_follow_up(actor, lead, data))
        touched[lead.id] = lead
    tally.count(written)
    for lead in touched.values():
        if lead.stage in OPEN_STAGES:
            sla.restart_lead_clock(lead, now)
        changes.stamp(lead)
    db.session.flush()
    return {"imported": len(ready), "leads": len(touched)}


def _record_follow_up(actor: User, lead: Lead, data: dict[str, Any]) -> FollowUp:
    author = data.get("author") or actor
    fields = ("kind", "note", "outcome", "happened_at", "next_follow_up_at", "quoted_amount")
    follow_up = service.add_follow_up(
        author, lead, {"id": uuid.uuid4(), **{k: data.get(k) for k in fields}}, counted=False
    )
    service.moved_on_by(follow_up, lead, author)
    if data.get("next_follow_up_at") is not None:
        lead.next_follow_up_at = data["next_follow_up_at"]
    return follow_up
