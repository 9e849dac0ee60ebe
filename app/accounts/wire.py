"""The wire form of people and of the organisation: the one serializer for REST and sync.

It reads attributes, so it takes ORM objects and Core rows alike. The marshmallow schemas
in ``schemas.py`` describe the same shapes for the OpenAPI document; a test keeps the two
in step.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from app.accounts.models import appraisal_weights, lead_sources, lost_reasons
from app.fields import wire_time


def user_wire(r: Any, team_ids: Iterable[uuid.UUID] | None = None) -> dict[str, Any]:
    """A person as others see them. ``team_ids`` for a row, which has no memberships."""
    teams = r.team_ids if team_ids is None else team_ids
    return {
        "id": str(r.id),
        "name": r.name,
        "email": r.email,
        "role": r.role,
        "team_ids": sorted(str(t) for t in teams),
        "active": r.active,
        "created_at": wire_time(r.created_at),
        "version": r.version,
    }


def org_wire(r: Any) -> dict[str, Any]:
    """The organisation's settings, as devices need them offline: its lists and where it is."""
    return {
        "id": str(r.id),
        "name": r.name,
        "slug": r.slug,
        "default_country": r.default_country,
        "timezone": r.timezone,
        "lead_sources": lead_sources(r),
        "default_source": r.default_source,
        "lost_reasons": lost_reasons(r),
        "currency": r.currency,
        "appraisal_weights": appraisal_weights(r),
        "public_origins": list(r.public_origins or []),
        "created_at": wire_time(r.created_at),
        "version": r.version,
    }
