"""The wire forms of questions and their messages: one serializer each, and the consumer's
view of a conversation (which never carries an internal note)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.accounts.models import User
from app.database import utcnow
from app.extensions import db
from app.fields import wire_time
from app.leads.models import Lead
from app.questions.service import claim_span
from app.sla import clock


def claim_wire(holder_id: Any, holder_name: str | None, until: datetime | None) -> Any:
    if holder_id is None:
        return None
    return {"user_id": str(holder_id), "name": holder_name, "until": wire_time(until)}


def question_wire(
    q: Any, claim: dict[str, Any] | None = None, lead_owner_name: str | None = None
) -> dict[str, Any]:
    """A question as staff see it; ``claim`` is its live claim (``claim_wire``), if any;
    ``sla`` its first-reply clock; ``lead_id`` the lead it was handed to sales as, whose
    owner is ``lead_owner_name``."""
    return {
        "id": str(q.id),
        "version": q.version,
        "status": q.status,
        "name": q.name,
        "email": q.email,
        "phone": q.phone,
        "product_id": str(q.product_id) if q.product_id else None,
        "product_text": q.product_text,
        "region": q.region,
        "claim": claim,
        "message_count": q.message_count,
        "created_at": wire_time(q.created_at),
        "updated_at": wire_time(q.updated_at),
        "last_consumer_message_at": wire_time(q.last_consumer_message_at),
        "first_replied_at": wire_time(q.first_replied_at),
        "resolved_at": wire_time(q.resolved_at),
        "sla": clock.wire(q),
        "lead_id": str(q.lead_id) if q.lead_id else None,
        "lead_owner_name": lead_owner_name,
    }


def questions_wire(rows: list[Any]) -> list[dict[str, Any]]:
    """Questions as staff see them (REST and the ``question`` feed alike): each with its
    live claim — a claim lapses ``QUESTION_CLAIM_MINUTES`` after its holder's claim or last
    reply, and travels with that end (``until``) so devices let it lapse too — and the name
    of the rep its lead went to; the names read in two queries for the lot."""
    span = claim_span()
    now = utcnow()
    lead_ids = {r.lead_id for r in rows if r.lead_id}
    owners = (
        dict(db.session.execute(select(Lead.id, Lead.owner_id).where(Lead.id.in_(lead_ids))).all())
        if lead_ids
        else {}
    )
    held = {r.id: r.claimed_at + span for r in rows if r.claimed_by and r.claimed_at}
    held = {qid: until for qid, until in held.items() if now < until}
    people = {r.claimed_by for r in rows if r.id in held} | set(owners.values())
    names = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all())
        if people
        else {}
    )
    out = []
    for r in rows:
        claim = None
        if r.id in held:
            claim = claim_wire(r.claimed_by, names.get(r.claimed_by), held[r.id])
        owner = owners.get(r.lead_id)
        out.append(question_wire(r, claim, names.get(owner) if owner else None))
    return out


def message_wire(m: Any) -> dict[str, Any]:
    """A message as staff see it, internal notes included (the ``reply`` entity)."""
    return {
        "id": str(m.id),
        "version": m.version,
        "question_id": str(m.question_id),
        "position": m.position,
        "author": m.author,
        "author_id": str(m.author_id) if m.author_id else None,
        "name": m.name,
        "body": m.body,
        "internal": m.internal,
        "at": wire_time(m.at),
    }


def promise_wire(promise: Any) -> dict[str, Any]:
    return {"state": promise.state, "due_at": wire_time(promise.due_at), "text": promise.text}


def conversation_wire(q: Any, messages: Iterable[Any], promise: Any) -> dict[str, Any]:
    """The consumer's view: the question's status, the reply promised (``sla.Promise``) and
    the messages meant for them."""
    return {
        "id": str(q.id),
        "status": q.status,
        "promise": promise_wire(promise),
        "messages": [
            {"author": m.author, "name": m.name, "body": m.body, "at": wire_time(m.at)}
            for m in messages
            if not m.internal  # a note for staff never leaves the desk
        ],
    }


def public_product_wire(r: Any) -> dict[str, Any]:
    """A catalogue product as the public form offers it: no internal fields."""
    return {
        "id": str(r.id),
        "name": r.name,
        "list_price": float(r.list_price) if r.list_price is not None else None,
        "currency": r.currency,
    }


def hand_off_wire(h: Any) -> dict[str, Any]:
    """A question handed to sales (``service.HandOff``)."""
    return {
        "lead_id": str(h.lead_id),
        "owner_id": str(h.owner_id),
        "team_id": str(h.team_id) if h.team_id else None,
        "rule": h.rule,
    }


def canned_answer_wire(a: Any) -> dict[str, Any]:
    """A canned answer as the desk sees it (its body unrendered, placeholders and all)."""
    return {
        "id": str(a.id),
        "title": a.title,
        "body": a.body,
        "product_id": str(a.product_id) if a.product_id else None,
        "tags": list(a.tags or []),
        "active": a.active,
        "version": a.version,
        "created_by": str(a.created_by),
        "created_at": wire_time(a.created_at),
        "updated_at": wire_time(a.updated_at),
    }
