"""The envelope of a record's change, and single values as they travel."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.fields import isoformat_z


def put_change(entity: str, data: dict[str, Any]) -> dict[str, Any]:
    """A record's whole ``put`` change, as pull sends it."""
    return {
        "entity": entity,
        "op": "put",
        "id": data["id"],
        "version": data["version"],
        "data": data,
    }


def wire_value(value: Any) -> Any:
    """A single field value as it travels (for ``conflicts[].server_value``)."""
    if isinstance(value, datetime):
        return isoformat_z(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    return value
