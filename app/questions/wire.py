"""The wire forms of questions and their messages: one serializer each, and the consumer's
view of a conversation (which never carries an internal note)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.fields import wire_time


def claim_wire(holder_id: Any, holder_name: str | None, until: datetime | None) -> Any:
    if holder_id is None:
        return None
    return {"user_id": str(holder_id), "name": holder_name, "until": wire_time(until)}


def question_wire(q: Any, claim: dict[str, Any] | None = None) -> dict[str, Any]:
    """A question as staff see it; ``claim`` is its live claim (``claim_wire``), if any."""
    return {
        "id": str(q.id),
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
    }


def message_wire(m: Any) -> dict[str, Any]:
    """A message as staff see it, internal notes included."""
    return {
        "id": str(m.id),
        "author": m.author,
        "author_id": str(m.author_id) if m.author_id else None,
        "name": m.name,
        "body": m.body,
        "internal": m.internal,
        "at": wire_time(m.at),
    }


def conversation_wire(q: Any, messages: Iterable[Any]) -> dict[str, Any]:
    """The consumer's view: the question's status and the messages meant for them."""
    return {
        "id": str(q.id),
        "status": q.status,
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
