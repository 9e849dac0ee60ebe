"""The mutation registry: each mutation name, its args schema and the service call it makes.

A mutation is the offline twin of a REST call; both end in the same service function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import marshmallow as ma

from app.accounts.models import User
from app.errors import ApiError
from app.leads import schemas as lead_schemas
from app.leads import service as leads
from app.sync.wire import wire_value


@dataclass
class Outcome:
    """What applying a mutation did: ``conflicts`` lists fields that kept the server's value."""

    conflicts: list[dict[str, Any]]


@dataclass(frozen=True)
class Mutation:
    """``apply`` makes one change. ``apply_many``, where given, makes a run of changes of
    this kind in order, answering for each its Outcome or the ApiError that refused it —
    the same answers as ``apply`` one by one, with fewer statements."""

    name: str
    args: type[ma.Schema]
    apply: Callable[[User, dict[str, Any]], Outcome]
    apply_many: Callable[[User, list[dict[str, Any]]], list[Outcome | ApiError]] | None = None

    @cached_property
    def schema(self) -> ma.Schema:
        """One instance, reused: loading with a schema does not change it."""
        return self.args()


def _ok(_result: Any = None) -> Outcome:
    return Outcome(conflicts=[])


def _lead_creates(actor: User, batch: list[dict[str, Any]]) -> list[Outcome | ApiError]:
    return [
        outcome if isinstance(outcome, ApiError) else _ok()
        for outcome in leads.create_leads(actor, batch)
    ]


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
            _lead_creates,
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
