"""The wire form of a spend entry: the one serializer."""

from __future__ import annotations

from typing import Any

from app.fields import wire_time


def spend_wire(entry: Any, currency: str) -> dict[str, Any]:
    return {
        "id": str(entry.id),
        "source": entry.source,
        "spent_on": entry.spent_on.isoformat(),
        "amount": float(entry.amount),
        "currency": currency,
        "note": entry.note,
        "created_by": str(entry.created_by),
        "created_at": wire_time(entry.created_at),
        "updated_at": wire_time(entry.updated_at),
    }
