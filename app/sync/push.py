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
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError

from app.accounts.models import Organization, User
from app.changelog import registry
from app.changelog.registry import Mutation, Outcome
from app.changelog.versions import counter_held, writing_device
from app.errors import AlreadyExists, ApiError, data_error, integrity_error
from app.extensions import db
from app.http import bad_text, text_checked_per_item
from app.sync import clients
from app.sync import entities as _registered  # noqa: F401  (fills the registry)

log = logging.getLogger(__name__)

MAX_MUTATIONS = 500
MAX_BATCH_BYTES = 1024 * 1024

# A mutation whose args hold text no database can store (a NUL, half a surrogate pair: a
# phone's JavaScript can make one by cutting an emoji in two) is refused alone, like any
# other bad content (_load_args), instead of the request gate refusing the whole batch.
text_checked_per_item("sync.push", "mutations", None, "args")


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


def _answer(mutation_id: int, outcome: Outcome | ApiError) -> dict[str, Any]:
    """The protocol's result for one mutation."""
    if isinstance(outcome, AlreadyExists):
        return {"id": mutation_id, "status": "duplicate"}
    if isinstance(outcome, ApiError):
        return _rejected(mutation_id, outcome)
    if outcome.conflicts:
        return {"id": mutation_id, "status": "conflict", "conflicts": outcome.conflicts}
    return {"id": mutation_id, "status": "applied"}


def _spec(mutation: dict[str, Any]) -> Mutation:
    spec = registry.mutation(mutation["name"])
    if spec is None:
        raise ApiError(
            422,
            "unknown_mutation",
            f"Unknown mutation {mutation['name']!r}.",
            {"name": ["unknown"]},
        )
    return spec


def _load_args(spec: Mutation, mutation: dict[str, Any]) -> dict[str, Any]:
    if problems := bad_text(mutation["args"]):
        raise ApiError(422, "validation_error", "Some args are not valid.", problems)
    try:
        return spec.schema.load(mutation["args"])
    except ma.ValidationError as error:
        fields = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise ApiError(422, "validation_error", "Some args are not valid.", fields) from error


def push(actor: User, client_id: uuid.UUID, mutations: list[dict[str, Any]]) -> PushResult:
    """Apply a batch in order. Raises MutationGap (after committing what came before)."""
    client = clients.claim_client(actor.org_id, actor.id, client_id, lock=True)
    last = start = client.last_mutation_id
    results: list[dict[str, Any]] = []
    fresh: list[tuple[int, dict[str, Any]]] = []  # (place in results, mutation) to apply
    gap: MutationGap | None = None
    for mutation in mutations:
        mutation_id = mutation["id"]
        if mutation_id <= last:
            results.append({"id": mutation_id, "status": "duplicate"})
            continue
        if mutation_id > last + 1:
            gap = MutationGap(last + 1)  # commit what came before, then say so
            break
        fresh.append((len(results), mutation))
        results.append({})
        last = mutation_id
    # Kept referenced for the batch, so services find it in the session, not the database.
    organization = db.session.get(Organization, actor.org_id)  # noqa: F841
    with counter_held(actor.org_id), writing_device(client_id):
        for run in _runs(fresh):
            answers = _apply_run(actor, [mutation for _, mutation in run])
            for (place, _), answer in zip(run, answers, strict=True):
                results[place] = answer
    # The batch commits once, so each mutation and the count that includes it are
    # committed together or not at all.
    if last != start:
        clients.advance(client_id, last)
    db.session.commit()
    if gap is not None:
        raise gap
    return PushResult(last_mutation_id=last, results=results)


def _runs(fresh: list[tuple[int, Any]]) -> list[list[tuple[int, Any]]]:
    """Consecutive mutations of one kind that can be applied together."""
    runs: list[list[tuple[int, Any]]] = []
    for item in fresh:
        name = item[1]["name"]
        spec = registry.mutation(name)
        if runs and runs[-1][0][1]["name"] == name and spec and spec.apply_many:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def _apply_run(actor: User, run: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply a run of mutations of one kind, in order, each as if in its own savepoint.

    A kind with ``apply_many`` (say, twenty leads captured offline) is applied in one
    savepoint with a few statements in all; a mutation it refuses is refused alone. If
    the database refuses the run as a whole (a row removed meanwhile), the run is rolled
    back and applied again one mutation per savepoint, so only the one at fault is refused.
    """
    spec = registry.mutation(run[0]["name"])
    if len(run) == 1 or spec is None or spec.apply_many is None:
        return [_apply_one_in_savepoint(actor, mutation) for mutation in run]
    answers: list[dict[str, Any]] = [{} for _ in run]
    loaded: list[tuple[int, dict[str, Any]]] = []
    for index, mutation in enumerate(run):
        try:
            loaded.append((index, _load_args(spec, mutation)))
        except ApiError as error:
            answers[index] = _rejected(mutation["id"], error)
    savepoint = db.session.begin_nested()
    try:
        outcomes = spec.apply_many(actor, [args for _, args in loaded])
        savepoint.commit()
    except Exception as error:  # noqa: BLE001 - each is retried alone just below
        if _database_gone(error):
            raise  # nothing of this batch is committed
        savepoint.rollback()
        log.info("run of %d %s applied one by one: %s", len(run), spec.name, error)
        return [_apply_one_in_savepoint(actor, mutation) for mutation in run]
    for (index, _), outcome in zip(loaded, outcomes, strict=True):
        answers[index] = _answer(run[index]["id"], outcome)
    return answers


def _database_gone(error: BaseException) -> bool:
    """The database went away (a lost or closed connection), which is no refusal of one
    mutation: the whole batch fails and the device sends it again."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def _apply_one_in_savepoint(actor: User, mutation: dict[str, Any]) -> dict[str, Any]:
    """Apply one mutation in its own savepoint; a refusal leaves no effect behind."""
    savepoint = db.session.begin_nested()
    outcome: Outcome | ApiError
    try:
        spec = _spec(mutation)
        outcome = spec.apply(actor, _load_args(spec, mutation))
        savepoint.commit()
    except ApiError as error:
        savepoint.rollback()
        outcome = error
    except (IntegrityError, DBAPIError) as error:
        if _database_gone(error):
            raise  # nothing of this batch is committed; the device retries
        # Refused by the database (a race past the service's own checks, a value it cannot
        # hold): answered as the REST routes answer it, for this mutation alone.
        savepoint.rollback()
        if isinstance(error, IntegrityError):
            outcome = integrity_error(error, db.metadata)
        elif isinstance(error, DataError):
            outcome = data_error()
        else:
            outcome = ApiError(
                422, "invalid_reference", "The data refers to something that does not exist."
            )
        # The code, not error.orig: its detail repeats the values.
        log.warning("mutation %s refused by the database: %s", mutation["name"], outcome.code)
    except Exception:  # a bug must not block the device's outbox forever
        savepoint.rollback()
        log.exception("mutation %s failed", mutation["name"])
        outcome = ApiError(422, "internal_error", "The server could not apply this change.")
    return _answer(mutation["id"], outcome)
