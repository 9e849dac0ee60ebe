"""The organisation and its people as devices hold them (``changelog.registry``)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Table, select, true

from app.accounts.models import Organization, TeamMember, User
from app.accounts.permissions import Viewer
from app.accounts.wire import org_wire, user_wire
from app.changelog.registry import SyncedEntity, everyone, never_deleted
from app.extensions import db

MEMBERS: Table = TeamMember.__table__


def _people_wire(rows: list[Any]) -> list[dict[str, Any]]:
    """A page of people, their teams read in one query."""
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


ORG = SyncedEntity("org", Organization, everyone, never_deleted, org_wire, tenant_key="id")
USER = SyncedEntity(
    "user",
    User,
    _people_visible,
    Viewer.people_audiences,
    user_wire,
    wire_rows=_people_wire,
    skip_columns=("password_hash", "session_epoch"),
)
