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
  audiences. See ``app.changelog.versions`` for why ``version > V`` never misses a commit.

Guarantee 3 (read your writes): a page that is not the last of a run (``has_more``) repeats
the ``last_mutation_id`` confirmed by the previous complete run; the last page reports the
current one, because by then every effect of those mutations has been sent. A client never
drops an outbox entry whose effects it has not yet received.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Table, select

from app.accounts.models import User
from app.accounts.permissions import Viewer, viewer_of
from app.changelog import registry
from app.changelog.models import ChangeCounter, Tombstone
from app.changelog.registry import SyncedEntity
from app.changelog.sql import feed_columns
from app.changelog.wire import put_change
from app.database import utcnow
from app.extensions import db
from app.fields import isoformat_z
from app.sync import clients
from app.sync import entities as _registered  # noqa: F401  (fills the registry)

MAX_LIMIT = 1000
DEFAULT_LIMIT = 500

TOMBSTONES: Table = Tombstone.__table__
COUNTERS: Table = ChangeCounter.__table__

# Snapshot cursors of version 1 named a kind by its place in this list (the order before
# the registry); version 2 names it, so entities can be added anywhere.
_V1_ORDER = ("org", "product", "sla_policy", "user", "lead", "followup")


def _feeds() -> tuple[SyncedEntity, ...]:
    return registry.entities()


# --- the cursor --------------------------------------------------------------------------


@dataclass
class Cursor:
    org: str
    user: str
    scope: str
    confirmed_mid: int  # last_mutation_id reported by the last complete run
    mode: str  # "s" snapshot, "i" incremental
    high: int = 0  # snapshot: the counter when it began; incremental: the version reached
    feed: str = ""  # snapshot: the kind being sent
    after: int = 0  # snapshot: version reached within that kind
    done: tuple[str, ...] = ()  # snapshot: the kinds sent whole

    def dump(self) -> list:
        return [
            2,
            self.org,
            self.user,
            self.scope,
            self.confirmed_mid,
            self.mode,
            self.high,
            self.feed,
            self.after,
            list(self.done),
        ]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="leadsync.sync-cursor")


def encode_cursor(cursor: Cursor) -> str:
    return _serializer().dumps(cursor.dump())


def decode_cursor(token: str, viewer: Viewer) -> Cursor | None:
    """The cursor, or None if it is not ours: forged, another user's, or from before the
    person's own role or teams changed (their whole visible set may differ).

    A snapshot cursor names the kinds it has sent whole, so a kind registered meanwhile (a
    new release) is still sent in full, wherever it stands in the order. Version 1 cursors
    (before the registry) counted kinds by their place in ``_V1_ORDER``."""
    try:
        data = _serializer().loads(token)
        if data[0] == 1:
            _, org, user, scope, mid, mode, high, index, after = data
            feed, done = _V1_ORDER[index], _V1_ORDER[:index]
        else:
            version, org, user, scope, mid, mode, high, feed, after, done = data
            if version != 2:
                return None
    except (BadSignature, ValueError, TypeError, IndexError, KeyError):
        return None
    if org != viewer.org_id.hex or user != viewer.user_id.hex or scope != viewer.scope_fingerprint:
        return None
    if mode not in ("s", "i") or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (mid, high, after)
    ):
        return None
    if not isinstance(feed, str) or not isinstance(done, list | tuple):
        return None
    if not all(isinstance(name, str) for name in done):
        return None
    return Cursor(org, user, scope, mid, mode, high, feed, after, tuple(done))


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


def _rows(feed: SyncedEntity, viewer: Viewer, after: int, limit: int) -> list[Any]:
    t = feed.table
    query = (
        select(*feed_columns(feed))
        .where(t.c[feed.tenant_key] == viewer.org_id, feed.visible(t, viewer), t.c.version > after)
        .order_by(t.c.version)
        .limit(limit)
    )
    return db.session.execute(query).all()  # one fetchall, not a fetchone per row


def _puts(feed: SyncedEntity, rows: list[Any]) -> list[tuple[int, Any]]:
    """(version, change) for each row; a change is a dict, or JSON stored or database-built."""
    if feed.stored:  # rows of (id, version, wire); by position, the fastest access
        return [(row[1], orjson.Fragment(row[2])) for row in rows]
    return [(data["version"], put_change(feed.name, data)) for data in feed.to_wire(rows)]


def _snapshot_page(
    viewer: Viewer, cursor: Cursor, limit: int, counter: int
) -> tuple[list, Cursor, bool]:
    """The next rows of the kinds not yet sent whole, in registry order."""
    changes: list[tuple[int, Any]] = []  # (version, change)
    done = list(cursor.done)
    for feed in _feeds():
        if feed.name in done:
            continue
        after = cursor.after if feed.name == cursor.feed else 0
        room = limit - len(changes)
        if room == 0:
            return changes, _snapshot_at(cursor, feed.name, after, done), True
        rows = _rows(feed, viewer, after, room + 1)
        if len(rows) > room:
            rows = rows[:room]
            changes.extend(_puts(feed, rows))
            return changes, _snapshot_at(cursor, feed.name, rows[-1].version, done), True
        changes.extend(_puts(feed, rows))
        done.append(feed.name)
    # Every kind is sent; what changed since the snapshot began comes incrementally.
    next_cursor = Cursor(**{**cursor.__dict__, "mode": "i", "feed": "", "after": 0, "done": ()})
    return changes, next_cursor, counter > cursor.high


def _snapshot_at(cursor: Cursor, feed: str, after: int, done: list[str]) -> Cursor:
    return Cursor(**{**cursor.__dict__, "feed": feed, "after": after, "done": tuple(done)})


def _incremental_page(
    viewer: Viewer, cursor: Cursor, limit: int, counter: int
) -> tuple[list, Cursor, bool]:
    since = cursor.high
    # (version, kind: 1 put / 0 del, feed, row)
    items: list[tuple[int, int, SyncedEntity, Any]] = []
    truncated = False
    for feed in _feeds():
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
                        t.c.entity == feed.name,
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


def _compact(
    viewer: Viewer, page: list[tuple[int, int, SyncedEntity, Any]]
) -> list[dict[str, Any]]:
    """Each record once, in its latest state, in commit order (guarantee 4). A tombstone
    for a record the person still sees (through another audience) is dropped."""
    put_ids: set[tuple[str, uuid.UUID]] = set()
    for _version, kind, feed, row in page:
        if kind == 1:  # a feed of database-written changes reads its ids as text
            put_ids.add((feed.name, row.id if isinstance(row.id, uuid.UUID) else uuid.UUID(row.id)))
    latest_del: dict[tuple[str, Any], int] = {}
    for version, kind, feed, row in page:
        key = (feed.name, row.entity_id) if kind == 0 else None
        if key and key not in put_ids:
            latest_del[key] = max(version, latest_del.get(key, 0))
    still_visible = _still_visible(viewer, latest_del)

    out: list[tuple[int, Any]] = []
    by_feed: dict[str, list[Any]] = {}
    for _version, kind, feed, row in page:
        if kind == 1:
            by_feed.setdefault(feed.name, []).append(row)
    for feed in _feeds():
        out.extend(_puts(feed, by_feed.get(feed.name, [])))
    for (entity, entity_id), version in latest_del.items():
        if (entity, entity_id) not in still_visible:
            out.append((version, {"entity": entity, "op": "del", "id": str(entity_id)}))
    out.sort(key=lambda pair: pair[0])
    return [change for _, change in out]


def _still_visible(viewer: Viewer, dels: dict[tuple[str, Any], int]) -> set[tuple[str, Any]]:
    visible: set[tuple[str, Any]] = set()
    for feed in _feeds():
        ids = [entity_id for (entity, entity_id) in dels if entity == feed.name]
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
        visible.update((feed.name, i) for i in found)
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
    except BaseException:
        # End the snapshot without hiding why it failed: a commit here, after a lost
        # connection, would raise PendingRollbackError over the real OperationalError (a 500
        # instead of a 503). The pull only read, so nothing is lost by rolling back.
        db.session.rollback()
        raise
    db.session.commit()
    # Outside the snapshot: a repeatable-read transaction must not update a row that a
    # concurrent push of the same device may be updating.
    clients.note_pull(client, None if result.has_more else result.last_mutation_id)
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
        # A fresh snapshot (first use, or a reset) repeats what the device was last told
        # until its last page: the device never hears its last_mutation_id go back.
        cursor = Cursor(
            viewer.org_id.hex,
            viewer.user_id.hex,
            viewer.scope_fingerprint,
            client.confirmed_mutation_id,
            "s",
            high=counter,
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
