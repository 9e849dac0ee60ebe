"""The wire forms of assignment rules, settings and people (REST only: not synced)."""

from __future__ import annotations

from typing import Any

from app.fields import wire_time


def _id(value) -> str | None:
    return str(value) if value is not None else None


def rule_wire(r: Any) -> dict[str, Any]:
    conditions = (
        ("region", r.match_region),
        ("region_prefix", r.match_region_prefix),
        ("source", r.match_source),
        ("product_id", _id(r.match_product_id)),
        ("priority", r.match_priority),
    )
    return {
        "id": str(r.id),
        "name": r.name,
        "position": r.position,
        "match": {key: value for key, value in conditions if value is not None},
        "owner_id": _id(r.owner_id),
        "team_id": _id(r.team_id),
        "created_at": wire_time(r.created_at),
        "updated_at": wire_time(r.updated_at),
    }


def settings_wire(org: Any) -> dict[str, Any]:
    return {
        "default_owner_id": _id(org.default_owner_id),
        "route_out_of_territory": org.route_out_of_territory,
        "route_questions_to_sales": org.route_questions_to_sales,
    }


def person_wire(user: Any, open_leads: int) -> dict[str, Any]:
    return {
        "user_id": str(user.id),
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "team_ids": [str(t) for t in user.team_ids],
        "on_leave": user.on_leave,
        "max_open_leads": user.max_open_leads,
        "regions": list(user.regions or []),
        "open_leads": open_leads,
    }
