"""Push: apply what a device did offline (SYNC-PROTOCOL.md, "Push").

The batch runs in one transaction that also advances the device's ``last_mutation_id``;
each mutation runs in a SAVEPOINT. A mutation refused for its content rolls back to its
savepoint, is still counted, and never blocks the ones after it. The batch commits once at
the end, so a dropped connection leaves each mutation either wholly applied and counted or
not at all, and a retry of the batch applies each exactly once. The organisation's change
counter is held for the batch and its versions handed out from memory (``counter_held``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any

import marshmallow as ma
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from app.accounts.models import Organization, User
from app.errors import ApiError
from app.extensions import db
from app.leads.service import AlreadyExists
from app.sync import clients
from app.sync.changes import counter_held, writing_device
from app.sync.mutations import REGISTRY

log = logging.getLogger(__name__)

MAX_MUTATIONS = 500
MAX_BATCH_BYTES = 1024 * 1024


@dataclass
class PushResult:
    last_mutation_id: int
    results: list[dict[str, Any]]


class MutationGap(ApiError):
    def __init__(self, expected: int) -> None:
        super().__init__(
            409,
            "mutation_gap",
            f"Mutation {expected} is missing; send from there.",
            expected=expected,
        )


def _rejected(mutation_id: int, error: ApiError) -> dict[str, Any]:
    return {"id": mutation_id, "status": "rejected", "error": error.to_dict()}


def _apply_one(actor: User, mutation: dict[str, Any]) -> dict[str, Any]:
    """Apply one mutation inside the current savepoint; raises ApiError to refuse it."""
    spec = REGISTRY.get(mutation["name"])
    if spec is None:
        raise ApiError(
            422,
            "unknown_mutation",
            f"Unknown mutation {mutation['name']!r}.",
            {"name": ["unknown"]},
        )
    try:
        args = spec.args().load(mutation["args"])
    except ma.ValidationError as error:
        fields = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise ApiError(422, "validation_error", "Some args are not valid.", fields) from error
    outcome = spec.apply(actor, args)
    if outcome.conflicts:
        return {"id": mutation["id"], "status": "conflict", "conflicts": outcome.conflicts}
    return {"id": mutation["id"], "status": "applied"}


def push(actor: User, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> PushResult:
    """Apply a batch in order. Raises MutationGap (after committing what came before)."""
    client = clients.claim_client(actor.org_id, actor.id, client_id, lock=True)
    last = start = client.last_mutation_id
    results: list[dict[str, Any]] = []
    # Kept referenced for the batch, so services find it in the session, not the database.
    organization = db.session.get(Organization, actor.org_id)  # noqa: F841
    gap: MutationGap | None = None
    with counter_held(actor.org_id), writing_device(client_id):
        for mutation in mutations:
            mutation_id = mutation["id"]
            if mutation_id <= last:
                results.append({"id": mutation_id, "status": "duplicate"})
                continue
            if mutation_id > last + 1:
                gap = MutationGap(last + 1)  # commit what came before, then say so
                break
            results.append(_apply_one_in_savepoint(actor, mutation))
            last = mutation_id
    # The batch commits once, so each mutation and the count that includes it are
    # committed together or not at all.
    if last != start:
        clients.advance(client_id, last)
    db.session.commit()
    if gap is not None:
        raise gap
    return PushResult(last_mutation_id=last, results=results)


def _apply_one_in_savepoint(actor: User, mutation: dict[str, Any]) -> dict[str, Any]:
    """Apply one mutation in its own savepoint; a refusal leaves no effect behind."""
    savepoint = db.session.begin_nested()
    try:
        result = _apply_one(actor, mutation)
        savepoint.commit()
        return result
    except AlreadyExists:
        savepoint.rollback()
        result = {"id": mutation["id"], "status": "duplicate"}
    except ApiError as error:
        savepoint.rollback()
        result = _rejected(mutation["id"], error)
    except OperationalError:
        raise  # the database went away: nothing of this batch is committed; the device retries
    except (IntegrityError, DBAPIError) as error:
        savepoint.rollback()
        log.warning("mutation %s refused by the database: %s", mutation["name"], error.orig)
        result = _rejected(
            mutation["id"],
            ApiError(422, "invalid_reference", "The data refers to something that does not exist."),
        )
    except Exception:  # a bug must not block the device's outbox forever
        savepoint.rollback()
        log.exception("mutation %s failed", mutation["name"])
        result = _rejected(
            mutation["id"],
            ApiError(422, "internal_error", "The server could not apply this change."),
        )
    return result
