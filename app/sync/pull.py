"""Pull: bring a device up to date (SYNC-PROTOCOL.md, "Pull").

A pull reads in one consistent snapshot (REPEATABLE READ on PostgreSQL; SQLite's single
writer gives the same): the organisation's change counter, the client's
``last_mutation_id`` and the rows. It runs in two modes, carried in the cursor:

* **snapshot** (first use, or after ``reset``): every record the user may see, one kind of
  record after another (products, people, leads, follow-ups), each in version order with no
  upper bound, so a record changed meanwhile is simply met later at its new version. The
  counter ``H`` read on the first page is kept; when the kinds are exhausted the cursor
  turns into an incremental one at ``H``, so whatever changed during the snapshot follows.
* **incremental**: every record of the visible set with ``version > V``, merged across
  kinds in version order, plus tombstones (``del``) for records that left the user's
  audiences. See ``app.sync.changes`` for why ``version > V`` never misses a commit.

Guarantee 3 (read your writes): a page that is not the last of a run (``has_more``) repeats
the ``last_mutation_id`` confirmed by the previous complete run; the last page reports the
current one, because by then every effect of those mutations has been sent. A client never
drops an outbox entry whose effects it has not yet received.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import orjson
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import (
    ColumnElement,
    Float,
    Numeric,
    String,
    Table,
    Text,
    Uuid,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
    true,
    type_coerce,
)

from app.accounts.models import Organization, TeamMember, User
from app.database import UTCDateTime, utcnow
from app.extensions import db
from app.fields import isoformat_z
from app.leads.access import LeadScope, lead_scope
from app.leads.models import FollowUp, Lead, Product
from app.leads.service import lead_sources, lost_reasons
from app.leads.wire import FOLLOW_UP_KEYS, LEAD_KEYS, product_wire
from app.sla.clock import SLA_KEYS
from app.sla.models import SlaPolicy
from app.sync import clients
from app.sync.changes import ORG_AUDIENCE, team_audience, user_audience
from app.sync.models import ChangeCounter, Tombstone
from app.sync.wire import put_change, user_wire

MAX_LIMIT = 1000
DEFAULT_LIMIT = 500

TOMBSTONES: Table = Tombstone.__table__
COUNTERS: Table = ChangeCounter.__table__
MEMBERS: Table = TeamMember.__table__


@dataclass(frozen=True)
class Viewer:
    """What a pull needs to know of the person asking."""

    org_id: uuid.UUID
    user_id: uuid.UUID
    role: str
    team_ids: tuple[uuid.UUID, ...]
    leads: LeadScope

    @cached_property
    def people(self) -> frozenset[uuid.UUID] | None:
        """Whose user records they see (themselves and their teams' members); None means
        everyone in the organisation. Read when first needed, in the pull's snapshot: most
        pages of a first sync are leads and follow-ups and never ask."""
        if self.role == "admin":
            return None
        people = {self.user_id}
        if self.team_ids:
            people |= set(
                db.session.scalars(
                    select(TeamMember.user_id).where(TeamMember.team_id.in_(self.team_ids))
                )
            )
        return frozenset(people)

    @property
    def scope_fingerprint(self) -> str:
        """Changes when what the person may see changes by their own role or teams."""
        text = self.role + ":" + ",".join(sorted(t.hex for t in self.team_ids))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def viewer_of(actor: User) -> Viewer:
    return Viewer(
        org_id=actor.org_id,
        user_id=actor.id,
        role=actor.role,
        team_ids=tuple(actor.team_ids),
        leads=lead_scope(actor),
    )


@dataclass(frozen=True)
class Feed:
    """One kind of record: where it lives, who sees which rows, how it travels.

    A feed with ``wire_columns`` sends each record's change as JSON text that goes into the
    answer as it is (``orjson.Fragment``): the copy stored when the record was written
    (``app/sync/stored.py``), or, where that copy is missing or stale, one the database
    writes (``wire_change``). The bulk of a first sync is leads and follow-ups, and making
    a dict of every row in Python was most of its cost. ``nested`` names groups of columns
    sent as one object or null (a lead's ``sla``), keyed by the column that is null when the
    group is.
    """

    entity: str
    table: Table
    visible: Callable[[Table, Viewer], ColumnElement[bool]]
    audiences: Callable[[Viewer], list[str]]
    to_wire: Callable[[list[Any]], list[dict[str, Any]]] | None = None
    skip_columns: tuple[str, ...] = ()
    wire_columns: tuple[str, ...] = ()
    nested: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (key, column prefix, keys)
    tenant_key: str = "org_id"  # the column naming the organisation a row belongs to

    def columns(self) -> list[Any]:
        dialect = db.engine.dialect.name
        key = (self.entity, dialect)
        if key not in _COLUMNS:  # built once: making the expressions costs more than a page
            if self.wire_columns:
                _COLUMNS[key] = [
                    # as text, never parsed: the change itself carries the wire form
                    cast(self.table.c.id, String).label("id"),
                    self.table.c.version,
                    _precompiled(
                        case(
                            # stored when the record was written (app/sync/stored.py)
                            (
                                self.table.c.wire_version == self.table.c.version,
                                self.table.c.wire_change,
                            ),
                            else_=wire_change(self, dialect),
                        )
                    ).label("wire"),
                ]
            else:
                _COLUMNS[key] = [c for c in self.table.c if c.name not in self.skip_columns]
        return _COLUMNS[key]


_COLUMNS: dict[tuple[str, str], list[Any]] = {}


def _precompiled(expression) -> Any:
    """The expression as fixed SQL text. SQLAlchemy walks a statement's whole tree on every
    execution to find its cached compiled form; for a document of forty values that walk
    cost more than a page of rows. As text, it is one node."""
    sql = str(expression.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    return literal_column(sql, type_=Text)


def wire_change(feed: Feed, dialect: str):
    """SQL that yields a record's whole ``put`` change as JSON text."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object
    change = build(
        _key("entity"),
        _key(feed.entity),
        _key("op"),
        _key("put"),
        _key("id"),
        wire_expression(feed.table.c.id, dialect),
        _key("version"),
        feed.table.c.version,
        _key("data"),
        wire_document(feed, dialect),
    )
    return cast(change, Text)


def wire_document(feed: Feed, dialect: str):
    """SQL that builds a record's JSON document, values in their wire form."""
    build = func.json_build_object if dialect == "postgresql" else func.json_object

    def pairs(names: tuple[str, ...], prefix: str = "") -> list[Any]:
        out: list[Any] = []
        for name in names:
            out += [_key(name), wire_expression(feed.table.c[prefix + name], dialect)]
        return out

    args = pairs(feed.wire_columns)
    for key, prefix, names in feed.nested:
        group = case(
            (feed.table.c[prefix + names[0]].is_(None), null()), else_=build(*pairs(names, prefix))
        )
        args += [_key(key), group if dialect == "postgresql" else func.json(group)]
    return build(*args)


def _key(name: str):
    """A key of the document, written into the SQL (a constant of ours, never user input)."""
    return literal_column(f"'{name}'")


def wire_expression(column, dialect: str):
    """SQL that yields a column's value as it travels: times as ISO 8601 UTC with
    milliseconds and Z (like ``isoformat_z``), UUIDs as hyphenated text, money as a number."""
    if isinstance(column.type, UTCDateTime):
        if dialect == "postgresql":
            return type_coerce(func.to_char(column, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), String)
        # SQLAlchemy stores SQLite times as "YYYY-MM-DD HH:MM:SS.ffffff".
        return type_coerce(
            func.substr(column, 1, 10) + "T" + func.substr(column, 12, 12) + "Z", String
        )
    if isinstance(column.type, Uuid):
        if dialect == "postgresql":
            return cast(column, String)
        # SQLite keeps UUIDs as 32 hex digits.
        parts = [
            func.substr(column, start, length)
            for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        ]
        text = parts[0]
        for part in parts[1:]:
            text = text + "-" + part
        return type_coerce(text, String)
    if isinstance(column.type, Numeric):
        return type_coerce(cast(column, Float), Float)
    return column


def _people_wire(rows: list[Any]) -> list[dict[str, Any]]:
    if not rows:
        return []
    teams: dict[uuid.UUID, list[uuid.UUID]] = {r.id: [] for r in rows}
    found = db.session.execute(
        select(MEMBERS.c.user_id, MEMBERS.c.team_id).where(
            MEMBERS.c.org_id == rows[0].org_id, MEMBERS.c.user_id.in_(list(teams))
        )
    )
    for user_id, team_id in found:
        teams[user_id].append(team_id)
    return [user_wire(r, teams[r.id]) for r in rows]


def _people_visible(table: Table, viewer: Viewer) -> ColumnElement[bool]:
    return true() if viewer.people is None else table.c.id.in_(viewer.people)


def _people_audiences(viewer: Viewer) -> list[str]:
    if viewer.people is None:
        return [ORG_AUDIENCE]
    return [user_audience(viewer.user_id)] + [team_audience(t) for t in viewer.team_ids]


def _policy_wire(rows: list[Any]) -> list[dict[str, Any]]:
    keys = (
        "name",
        "item_type",
        "metric",
        "priority",
        "source",
        "target_minutes",
        "warn_ratio",
        "escalate_after_minutes",
        "active",
        "version",
    )
    return [{"id": str(r.id), **{k: getattr(r, k) for k in keys}} for r in rows]


def _org_wire(rows: list[Any]) -> list[dict[str, Any]]:
    """The organisation's settings a device needs offline: its lists and where it is."""
    return [
        {
            "id": str(r.id),
            "name": r.name,
            "default_country": r.default_country,
            "timezone": r.timezone,
            "lead_sources": lead_sources(r),
            "lost_reasons": lost_reasons(r),
            "version": r.version,
        }
        for r in rows
    ]


def _everyone(table: Table, viewer: Viewer) -> ColumnElement[bool]:
    return true()


def _never_deleted(viewer: Viewer) -> list[str]:
    return []  # deactivated, never deleted: the put carries active = false


# Snapshot order: reference data first, and a lead before its follow-ups.
FEEDS: tuple[Feed, ...] = (
    Feed(
        "org",
        Organization.__table__,
        _everyone,
        _never_deleted,
        _org_wire,
        skip_columns=("created_at",),
        tenant_key="id",
    ),
    Feed(
        "product",
        Product.__table__,
        _everyone,
        _never_deleted,
        lambda rows: [product_wire(r) for r in rows],
    ),
    Feed("sla_policy", SlaPolicy.__table__, _everyone, _never_deleted, _policy_wire),
    Feed(
        "user",
        User.__table__,
        _people_visible,
        _people_audiences,
        _people_wire,
        skip_columns=("password_hash", "session_epoch"),
    ),
    Feed(
        "lead",
        Lead.__table__,
        lambda t, v: v.leads.clause(t.c.owner_id, t.c.team_id),
        lambda v: v.leads.audiences(),
        wire_columns=LEAD_KEYS,
        nested=(("sla", "sla_", SLA_KEYS),),
    ),
    Feed(
        "followup",
        FollowUp.__table__,
        lambda t, v: v.leads.clause(t.c.owner_id, t.c.team_id),
        lambda v: v.leads.audiences(),
        wire_columns=FOLLOW_UP_KEYS,
    ),
)


# --- the cursor --------------------------------------------------------------------------


@dataclass
class Cursor:
    org: str
    user: str
    scope: str
    confirmed_mid: int  # last_mutation_id reported by the last complete run
    mode: str  # "s" snapshot, "i" incremental
    high: int = 0  # snapshot: the counter when it began; incremental: the version reached
    feed: int = 0  # snapshot: which feed
    after: int = 0  # snapshot: version reached within that feed

    def dump(self) -> list:
        return [
            1,
            self.org,
            self.user,
            self.scope,
            self.confirmed_mid,
            self.mode,
            self.high,
            self.feed,
            self.after,
        ]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="leadsync.sync-cursor")


def encode_cursor(cursor: Cursor) -> str:
    return _serializer().dumps(cursor.dump())


def decode_cursor(token: str, viewer: Viewer) -> Cursor | None:
    """The cursor, or None if it is not ours: forged, another user's, or from before the
    person's own role or teams changed (their whole visible set may differ)."""
    try:
        data = _serializer().loads(token)
        version, org, user, scope, mid, mode, high, feed_index, after = data
    except (BadSignature, ValueError, TypeError):
        return None
    if (
        version != 1
        or org != viewer.org_id.hex
        or user != viewer.user_id.hex
        or scope != viewer.scope_fingerprint
    ):
        return None
    if mode not in ("s", "i") or not all(
        isinstance(n, int) and n >= 0 for n in (mid, high, feed_index, after)
    ):
        return None
    if feed_index >= len(FEEDS):
        return None
    return Cursor(org, user, scope, mid, mode, high, feed_index, after)


# --- reading -----------------------------------------------------------------------------


@dataclass
class PullResult:
    cursor: str
    has_more: bool
    reset: bool
    last_mutation_id: int
    changes: list[Any] = field(default_factory=list)  # dicts, or JSON the database wrote

    def as_dict(self) -> dict[str, Any]:
        return {
            "cursor": self.cursor,
            "has_more": self.has_more,
            "reset": self.reset,
            "last_mutation_id": self.last_mutation_id,
            "server_time": isoformat_z(utcnow()),
            "changes": self.changes,
        }


def _rows(feed: Feed, viewer: Viewer, after: int, limit: int) -> list[Any]:
    t = feed.table
    query = (
        select(*feed.columns())
        .where(t.c[feed.tenant_key] == viewer.org_id, feed.visible(t, viewer), t.c.version > after)
        .order_by(t.c.version)
        .limit(limit)
    )
    return db.session.execute(query).all()  # one fetchall, not a fetchone per row


def _puts(feed: Feed, rows: list[Any]) -> list[tuple[int, Any]]:
    """(version, change) for each row; a change is a dict, or JSON the database wrote."""
    if feed.wire_columns:  # rows of (id, version, wire); by position, the fastest access
        return [(row[1], orjson.Fragment(row[2])) for row in rows]
    return [(data["version"], put_change(feed.entity, data)) for data in feed.to_wire(rows)]


def _snapshot_page(
    viewer: Viewer, cursor: Cursor, limit: int, counter: int
) -> tuple[list, Cursor, bool]:
    changes: list[tuple[int, Any]] = []  # (version, change)
    feed_index, after = cursor.feed, cursor.after
    while feed_index < len(FEEDS):
        feed = FEEDS[feed_index]
        room = limit - len(changes)
        if room == 0:
            return changes, Cursor(**{**cursor.__dict__, "feed": feed_index, "after": after}), True
        rows = _rows(feed, viewer, after, room + 1)
        if len(rows) > room:
            rows = rows[:room]
            changes.extend(_puts(feed, rows))
            next_cursor = Cursor(
                **{**cursor.__dict__, "feed": feed_index, "after": rows[-1].version}
            )
            return changes, next_cursor, True
        changes.extend(_puts(feed, rows))
        feed_index, after = feed_index + 1, 0
    # Every kind is sent; what changed since the snapshot began comes incrementally.
    next_cursor = Cursor(**{**cursor.__dict__, "mode": "i", "feed": 0, "after": 0})
    return changes, next_cursor, counter > cursor.high


def _incremental_page(
    viewer: Viewer, cursor: Cursor, limit: int, counter: int
) -> tuple[list, Cursor, bool]:
    since = cursor.high
    items: list[tuple[int, int, Feed, Any]] = []  # (version, kind: 1 put / 0 del, feed, row)
    truncated = False
    for feed in FEEDS:
        rows = _rows(feed, viewer, since, limit + 1)
        truncated |= len(rows) > limit
        items.extend((r.version, 1, feed, r) for r in rows)
        audiences = feed.audiences(viewer)
        if audiences:
            t = TOMBSTONES
            dead = list(
                db.session.execute(
                    select(t.c.entity_id, t.c.version)
                    .where(
                        t.c.org_id == viewer.org_id,
                        t.c.audience.in_(audiences),
                        t.c.entity == feed.entity,
                        t.c.version > since,
                    )
                    .order_by(t.c.version)
                    .limit(limit + 1)
                )
            )
            truncated |= len(dead) > limit
            items.extend((r.version, 0, feed, r) for r in dead)
    items.sort(key=lambda item: (item[0], item[1]))
    if len(items) > limit:
        reached = items[limit - 1][0]
        has_more = True
    else:
        reached = items[-1][0] if items else since
        has_more = truncated
    page = [item for item in items if item[0] <= reached]
    if not has_more:
        reached = max(reached, counter)

    changes = _compact(viewer, page)
    return changes, Cursor(**{**cursor.__dict__, "high": reached}), has_more


def _compact(viewer: Viewer, page: list[tuple[int, int, Feed, Any]]) -> list[dict[str, Any]]:
    """Each record once, in its latest state, in commit order (guarantee 4). A tombstone
    for a record the person still sees (through another audience) is dropped."""
    put_ids: set[tuple[str, uuid.UUID]] = set()
    for _version, kind, feed, row in page:
        if kind == 1:  # a feed of database-written changes reads its ids as text
            put_ids.add(
                (feed.entity, row.id if isinstance(row.id, uuid.UUID) else uuid.UUID(row.id))
            )
    latest_del: dict[tuple[str, Any], int] = {}
    for version, kind, feed, row in page:
        key = (feed.entity, row.entity_id) if kind == 0 else None
        if key and key not in put_ids:
            latest_del[key] = max(version, latest_del.get(key, 0))
    still_visible = _still_visible(viewer, latest_del)

    out: list[tuple[int, Any]] = []
    by_feed: dict[str, list[Any]] = {}
    for _version, kind, feed, row in page:
        if kind == 1:
            by_feed.setdefault(feed.entity, []).append(row)
    for feed in FEEDS:
        out.extend(_puts(feed, by_feed.get(feed.entity, [])))
    for (entity, entity_id), version in latest_del.items():
        if (entity, entity_id) not in still_visible:
            out.append((version, {"entity": entity, "op": "del", "id": str(entity_id)}))
    out.sort(key=lambda pair: pair[0])
    return [change for _, change in out]


def _still_visible(viewer: Viewer, dels: dict[tuple[str, Any], int]) -> set[tuple[str, Any]]:
    visible: set[tuple[str, Any]] = set()
    for feed in FEEDS:
        ids = [entity_id for (entity, entity_id) in dels if entity == feed.entity]
        if not ids:
            continue
        t = feed.table
        found = db.session.scalars(
            select(t.c.id).where(
                t.c[feed.tenant_key] == viewer.org_id,
                t.c.id.in_(ids),
                feed.visible(t, viewer),
            )
        )
        visible.update((feed.entity, i) for i in found)
    return visible


def pull(
    actor: User, client_id: uuid.UUID, cursor_token: str | None, limit: int = DEFAULT_LIMIT
) -> PullResult:
    """One page of changes for ``actor``'s device. Ends the caller's transaction first, so
    the whole page is read from one snapshot."""
    viewer = viewer_of(actor)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        result, client = _pull_in_snapshot(viewer, client_id, cursor_token, min(limit, MAX_LIMIT))
    finally:
        db.session.commit()
    # Outside the snapshot: a repeatable-read transaction must not update a row that a
    # concurrent push of the same device may be updating.
    clients.note_pull(client)
    db.session.commit()
    return result


def _pull_in_snapshot(viewer: Viewer, client_id: uuid.UUID, token: str | None, limit: int):
    counter, purged_through = db.session.execute(
        select(COUNTERS.c.value, COUNTERS.c.purged_through).where(
            COUNTERS.c.org_id == viewer.org_id
        )
    ).one()
    client = clients.claim_client(viewer.org_id, viewer.user_id, client_id)
    cursor = decode_cursor(token, viewer) if token else None
    if cursor is not None and cursor.high < purged_through:
        cursor = None  # older than the kept tombstones: start afresh
    reset = token is not None and cursor is None
    if cursor is None:
        cursor = Cursor(
            viewer.org_id.hex, viewer.user_id.hex, viewer.scope_fingerprint, 0, "s", high=counter
        )

    if cursor.mode == "s":
        versioned, next_cursor, has_more = _snapshot_page(viewer, cursor, limit, counter)
        versioned.sort(key=lambda pair: pair[0])  # commit order within the answer
        changes = [change for _, change in versioned]
    else:
        changes, next_cursor, has_more = _incremental_page(viewer, cursor, limit, counter)
    if not has_more:
        next_cursor.confirmed_mid = client.last_mutation_id
    result = PullResult(
        cursor=encode_cursor(next_cursor),
        has_more=has_more,
        reset=reset,
        last_mutation_id=next_cursor.confirmed_mid,
        changes=changes,
    )
    return result, client
