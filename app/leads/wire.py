"""The wire form of leads, follow-ups and products: the one serializer for REST and sync.

It reads attributes, so it takes ORM objects and Core rows alike, and builds plain dicts
that orjson writes. The marshmallow schemas in ``schemas.py`` describe the same shapes for
the OpenAPI document; a test keeps the two in step.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.fields import wire_time
from app.sla.clock import wire as sla_wire


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _id(value) -> str | None:
    return str(value) if value is not None else None


# The keys of each wire form, in order; sync pull reads exactly these columns (and the
# lead's ``sla_*`` clock columns) and a test keeps them equal to what the functions write.
LEAD_KEYS = (
    "id", "contact_name", "company", "phone", "phone_e164", "email", "region", "territory",
    "source", "product_id", "product_text", "quantity", "estimated_value", "currency",
    "priority", "notes", "owner_id", "team_id", "stage", "lost_reason", "won_value",
    "closed_at", "next_follow_up_at", "last_follow_up_at", "possible_duplicate_of",
    "external_ref", "assigned_by_rule", "created_by", "created_at", "updated_at", "version",
)  # fmt: skip
FOLLOW_UP_KEYS = (
    "id", "lead_id", "kind", "note", "outcome", "happened_at", "next_follow_up_at",
    "quoted_amount", "author_id", "received_at", "version",
)  # fmt: skip


def lead_wire(r: Any) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "contact_name": r.contact_name,
        "company": r.company,
        "phone": r.phone,
        "phone_e164": r.phone_e164,
        "email": r.email,
        "region": r.region,
        "territory": r.territory,
        "source": r.source,
        "product_id": _id(r.product_id),
        "product_text": r.product_text,
        "quantity": _number(r.quantity),
        "estimated_value": _number(r.estimated_value),
        "currency": r.currency,
        "priority": r.priority,
        "notes": r.notes,
        "owner_id": str(r.owner_id),
        "team_id": _id(r.team_id),
        "stage": r.stage,
        "lost_reason": r.lost_reason,
        "won_value": _number(r.won_value),
        "closed_at": wire_time(r.closed_at),
        "next_follow_up_at": wire_time(r.next_follow_up_at),
        "last_follow_up_at": wire_time(r.last_follow_up_at),
        "possible_duplicate_of": _id(r.possible_duplicate_of),
        "external_ref": r.external_ref,
        "assigned_by_rule": _id(r.assigned_by_rule),
        "created_by": str(r.created_by),
        "created_at": wire_time(r.created_at),
        "updated_at": wire_time(r.updated_at),
        "version": r.version,
        "sla": sla_wire(r),
    }


def follow_up_wire(r: Any) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "lead_id": str(r.lead_id),
        "kind": r.kind,
        "note": r.note,
        "outcome": r.outcome,
        "happened_at": wire_time(r.happened_at),
        "next_follow_up_at": wire_time(r.next_follow_up_at),
        "quoted_amount": _number(r.quoted_amount),
        "author_id": str(r.author_id),
        "received_at": wire_time(r.received_at),
        "version": r.version,
    }


def product_wire(r: Any) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "name": r.name,
        "sku": r.sku,
        "list_price": _number(r.list_price),
        "currency": r.currency,
        "spec": r.spec,
        "faq": r.faq,
        "active": r.active,
        "version": r.version,
    }


def stage_change_wire(r: Any) -> dict[str, Any]:
    return {
        "from_stage": r.from_stage,
        "to_stage": r.to_stage,
        "at": wire_time(r.at),
        "actor_id": _id(r.actor_id),
    }
