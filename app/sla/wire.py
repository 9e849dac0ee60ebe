"""The wire form of SLA policies: the one serializer for REST and sync."""

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
