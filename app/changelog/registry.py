"""The registry of synced entities and of the mutations that change them.

Each domain declares, in its own ``sync.py``, the entities its records travel as: a
``SyncedEntity`` names the table, who sees which rows, the wire form (the same serializer
its REST routes use) and the mutations of that kind. ``app/sync/entities.py`` registers
them, one line each, in snapshot order. Everything that lists synced kinds derives from
here: pull's feeds, push's mutations, the stored changes, the OpenAPI enums.

Only the data structure lives down here, so the change log can find a record's serializer
without importing a domain; the domains fill it from above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import marshmallow as ma
from sqlalchemy import ColumnElement, Table, true

from app.errors import ApiError


@dataclass
class Outcome:
    """What applying a mutation did: ``conflicts`` lists fields that kept the server's value."""

    conflicts: list[dict[str, Any]]


@dataclass(frozen=True)
class Mutation:
    """The offline twin of a REST call: both end in the same service function.

    ``apply`` makes one change. ``apply_many``, where given, makes a run of changes of this
    kind in order, answering for each its Outcome or the ApiError that refused it — the same
    answers as ``apply`` one by one, with fewer statements."""

    name: str
    args: type[ma.Schema]
    apply: Callable[[Any, dict[str, Any]], Outcome]
    apply_many: Callable[[Any, list[dict[str, Any]]], list[Outcome | ApiError]] | None = None

    @cached_property
    def schema(self) -> ma.Schema:
        """One instance, reused: loading with a schema does not change it."""
        return self.args()


def applied(_result: Any = None) -> Outcome:
    """The outcome of a mutation that did what it asked."""
    return Outcome(conflicts=[])


@dataclass(frozen=True)
class SyncedEntity:
    """One kind of record devices hold: where it lives, who sees which rows, how it travels.

    ``visible(table, viewer)`` is the SQL condition for the rows a viewer
    (``accounts.permissions.Viewer``) may hold; ``audiences(viewer)`` the tombstone
    audiences they listen to (none for records that are never deleted). ``wire`` is the
    entity's one serializer, of an ORM object or a row alike; ``wire_rows`` serialises a
    page of rows at once where a record needs more than its row (a person's teams).

    An entity with ``wire_columns`` has its whole change stored when a record is written
    (``changelog.stored``) and a pull passes that text through; where the stored copy is
    missing or stale the database builds it from these columns (``changelog.sql``).
    ``nested`` names groups of columns sent as one object or null (a lead's ``sla``), keyed
    by the column that is null when the group is.
    """

    name: str
    model: type
    visible: Callable[[Table, Any], ColumnElement[bool]]
    audiences: Callable[[Any], list[str]]
    wire: Callable[[Any], dict[str, Any]]
    wire_rows: Callable[[list[Any]], list[dict[str, Any]]] | None = None
    wire_columns: tuple[str, ...] = ()
    nested: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (key, column prefix, keys)
    skip_columns: tuple[str, ...] = ()  # never read for the wire (secrets, internals)
    tenant_key: str = "org_id"  # the column naming the organisation a row belongs to
    mutations: tuple[Mutation, ...] = ()

    @property
    def table(self) -> Table:
        return self.model.__table__

    @property
    def stored(self) -> bool:
        return bool(self.wire_columns)

    def to_wire(self, rows: list[Any]) -> list[dict[str, Any]]:
        if self.wire_rows is not None:
            return self.wire_rows(rows)
        return [self.wire(row) for row in rows]


def everyone(table: Table, viewer: Any) -> ColumnElement[bool]:
    """Reference data: every row of the organisation is for everyone in it."""
    return true()


def never_deleted(viewer: Any) -> list[str]:
    """No tombstones: such records are deactivated, never deleted (the put carries it)."""
    return []


_entities: dict[str, SyncedEntity] = {}
_by_model: dict[type, SyncedEntity] = {}
_mutations: dict[str, Mutation] = {}


def register(*entities: SyncedEntity) -> None:
    """Add entities (and their mutations), in snapshot order. Registering the same entity
    again does nothing; a second, different entity or mutation of one name is a bug."""
    for entity in entities:
        known = _entities.get(entity.name)
        if known is entity:
            continue
        if known is not None:
            raise ValueError(f"synced entity {entity.name!r} is registered twice")
        for mutation in entity.mutations:
            if mutation.name in _mutations:
                raise ValueError(f"mutation {mutation.name!r} is registered twice")
            _mutations[mutation.name] = mutation
        _entities[entity.name] = entity
        _by_model[entity.model] = entity


def unregister(name: str) -> None:
    """Take an entity and its mutations out again (tests that register one of their own)."""
    entity = _entities.pop(name, None)
    if entity is not None:
        _by_model.pop(entity.model, None)
        for mutation in entity.mutations:
            _mutations.pop(mutation.name, None)


def entities() -> tuple[SyncedEntity, ...]:
    """Every synced entity, in snapshot order (reference data first, a lead before its
    follow-ups)."""
    return tuple(_entities.values())


def entity_names() -> list[str]:
    return list(_entities)


def entity_of(model: type) -> SyncedEntity | None:
    """The entity a model's records travel as, if they are synced."""
    return _by_model.get(model)


def stored_entities() -> tuple[SyncedEntity, ...]:
    """The entities whose changes are stored at write."""
    return tuple(e for e in _entities.values() if e.stored)


def mutation(name: str) -> Mutation | None:
    return _mutations.get(name)


def mutation_names() -> list[str]:
    return list(_mutations)
