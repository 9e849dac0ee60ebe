"""Leads, follow-ups and products as devices hold them, and the mutations that change them.

A mutation is the offline twin of a REST call; both end in the same service function.
"""

from __future__ import annotations

from typing import Any

from app.accounts.models import User
from app.accounts.permissions import Viewer
from app.changelog.registry import (
    Mutation,
    Outcome,
    SyncedEntity,
    applied,
    everyone,
    never_deleted,
)
from app.changelog.wire import wire_value
from app.errors import ApiError
from app.leads import schemas, service
from app.leads.models import FollowUp, Lead, Product
from app.leads.wire import FOLLOW_UP_KEYS, LEAD_KEYS, follow_up_wire, lead_wire, product_wire
from app.sla.clock import SLA_KEYS


def _lead_creates(actor: User, batch: list[dict[str, Any]]) -> list[Outcome | ApiError]:
    return [
        outcome if isinstance(outcome, ApiError) else applied()
        for outcome in service.create_leads(actor, batch)
    ]


def _lead_update(actor: User, args: dict[str, Any]) -> Outcome:
    _, conflicts = service.update_lead(actor, args["id"], args["base_version"], args["set"])
    return Outcome(
        conflicts=[
            {"field": c.field, "server_value": wire_value(c.server_value)} for c in conflicts
        ]
    )


def _set_stage(actor: User, a: dict[str, Any]) -> Outcome:
    return applied(
        service.set_stage(
            actor,
            a["id"],
            a["stage"],
            lost_reason=a.get("lost_reason"),
            won_value=a.get("won_value"),
            note=a.get("note"),
        )
    )


def _in_lead_scope(table, viewer: Viewer):
    return viewer.leads.clause(table.c.owner_id, table.c.team_id)


def _lead_audiences(viewer: Viewer) -> list[str]:
    return viewer.leads.audiences()


PRODUCT = SyncedEntity("product", Product, everyone, never_deleted, product_wire)
LEAD = SyncedEntity(
    "lead",
    Lead,
    _in_lead_scope,
    _lead_audiences,
    lead_wire,
    wire_columns=LEAD_KEYS,
    nested=(("sla", "sla_", SLA_KEYS),),
    mutations=(
        Mutation(
            "lead.create",
            schemas.LeadCreateArgs,
            lambda actor, a: applied(service.create_lead(actor, a)),
            _lead_creates,
        ),
        Mutation("lead.update", schemas.LeadUpdateArgs, _lead_update),
        Mutation("lead.set_stage", schemas.StageArgs, _set_stage),
        Mutation(
            "lead.assign",
            schemas.AssignArgs,
            lambda actor, a: applied(service.assign_lead(actor, a["id"], a["owner_id"])),
        ),
    ),
)
FOLLOW_UP = SyncedEntity(
    "followup",
    FollowUp,
    _in_lead_scope,
    _lead_audiences,
    follow_up_wire,
    wire_columns=FOLLOW_UP_KEYS,
    mutations=(
        Mutation(
            "followup.create",
            schemas.FollowUpCreateArgs,
            lambda actor, a: applied(service.create_follow_up(actor, a)),
        ),
    ),
)
