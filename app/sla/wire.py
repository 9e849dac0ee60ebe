"""The wire forms of SLA policies and business calendars: one serializer each, for REST and
sync."""

from __future__ import annotations

from typing import Any

from app.fields import wire_time


def policy_wire(r: Any) -> dict[str, Any]:
    return {
        "id": str(r.id),
        "name": r.name,
        "item_type": r.item_type,
        "metric": r.metric,
        "priority": r.priority,
        "source": r.source,
        "target_minutes": r.target_minutes,
        "warn_ratio": r.warn_ratio,
        "escalate_after_minutes": r.escalate_after_minutes,
        "active": r.active,
        "updated_at": wire_time(r.updated_at),
        "version": r.version,
    }


def calendar_wire(r: Any) -> dict[str, Any]:
    """A business calendar as devices and REST read it. ``definition`` is the JSON form of
    ``app.business_time`` as the server stored it (checked and normalised on save), so a
    device counts deadlines in exactly the hours the server counts them in."""
    return {
        "id": str(r.id),
        "name": r.name,
        "kind": r.kind,
        "team_id": str(r.team_id) if r.team_id is not None else None,
        "definition": r.definition,
        "updated_at": wire_time(r.updated_at),
        "version": r.version,
    }
