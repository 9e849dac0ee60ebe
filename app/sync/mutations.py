"""The mutation registry: each mutation name, its args schema and the service call it makes.

A mutation is the offline twin of a REST call; both end in the same service function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import marshmallow as ma

from app.accounts.models import User
from app.leads import schemas as lead_schemas
from app.leads import service as leads
from app.sync.wire import wire_value


@dataclass
class Outcome:
    """What applying a mutation did: ``conflicts`` lists fields that kept the server's value."""

    conflicts: list[dict[str, Any]]


@dataclass(frozen=True)
class Mutation:
    name: str
    args: type[ma.Schema]
    apply: Callable[[User, dict[str, Any]], Outcome]


def _ok(_result: Any = None) -> Outcome:
    return Outcome(conflicts=[])


def _lead_update(actor: User, args: dict[str, Any]) -> Outcome:
    _, conflicts = leads.update_lead(actor, args["id"], args["base_version"], args["set"])
    return Outcome(
        conflicts=[
            {"field": c.field, "server_value": wire_value(c.server_value)} for c in conflicts
        ]
    )


REGISTRY: dict[str, Mutation] = {
    m.name: m
    for m in (
        Mutation(
            "lead.create",
            lead_schemas.LeadCreateArgs,
            lambda actor, a: _ok(leads.create_lead(actor, a)),
        ),
        Mutation("lead.update", lead_schemas.LeadUpdateArgs, _lead_update),
        Mutation(
            "lead.set_stage",
            lead_schemas.StageArgs,
            lambda actor, a: _ok(
                leads.set_stage(
                    actor,
                    a["id"],
                    a["stage"],
                    lost_reason=a.get("lost_reason"),
                    won_value=a.get("won_value"),
                    note=a.get("note"),
                )
            ),
        ),
        Mutation(
            "lead.assign",
            lead_schemas.AssignArgs,
            lambda actor, a: _ok(leads.assign_lead(actor, a["id"], a["owner_id"])),
        ),
        Mutation(
            "followup.create",
            lead_schemas.FollowUpCreateArgs,
            lambda actor, a: _ok(leads.create_follow_up(actor, a)),
        ),
    )
}
