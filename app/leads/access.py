"""Who sees which leads: one rule, used by the REST lists, the service checks and sync pull.

A rep sees the leads they own and what hangs off them; a team lead also sees every lead of
their teams; an admin sees the organisation; customer service sees no leads (they hand
buying interest to a rep and see the question queue instead).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from app.accounts.models import User
from app.sync.changes import ORG_AUDIENCE, team_audience, user_audience


@dataclass(frozen=True)
class LeadScope:
    """The leads a person may see: the whole org, or those of some owners and teams."""

    whole_org: bool
    owner_ids: frozenset[uuid.UUID]
    team_ids: frozenset[uuid.UUID]

    def clause(self, owner_column, team_column) -> ColumnElement[bool]:
        """SQL: a row with these owner/team columns is in scope."""
        if self.whole_org:
            return true()
        conditions = []
        if self.owner_ids:
            conditions.append(owner_column.in_(self.owner_ids))
        if self.team_ids:
            conditions.append(team_column.in_(self.team_ids))
        return or_(*conditions) if conditions else false()

    def allows(self, owner_id: uuid.UUID, team_id: uuid.UUID | None) -> bool:
        return self.whole_org or owner_id in self.owner_ids or (team_id in self.team_ids)

    def audiences(self) -> list[str]:
        """The tombstone audiences this person listens to."""
        if self.whole_org:
            return [ORG_AUDIENCE]
        return [user_audience(u) for u in self.owner_ids] + [
            team_audience(t) for t in self.team_ids
        ]


def lead_scope(actor: User) -> LeadScope:
    if actor.role == "admin":
        return LeadScope(True, frozenset(), frozenset())
    if actor.role == "lead":
        return LeadScope(False, frozenset({actor.id}), frozenset(actor.team_ids))
    if actor.role == "rep":
        return LeadScope(False, frozenset({actor.id}), frozenset())
    return LeadScope(False, frozenset(), frozenset())


def record_audiences(owner_id: uuid.UUID, team_id: uuid.UUID | None) -> list[str]:
    """Everyone who may hold a lead (or its follow-ups) with this owner and team."""
    keys = [ORG_AUDIENCE, user_audience(owner_id)]
    if team_id is not None:
        keys.append(team_audience(team_id))
    return keys


def audiences_left(
    old_owner: uuid.UUID,
    old_team: uuid.UUID | None,
    new_owner: uuid.UUID,
    new_team: uuid.UUID | None,
) -> list[str]:
    """The audiences that lose a record when it moves from one owner/team to another."""
    return [
        a
        for a in record_audiences(old_owner, old_team)
        if a not in record_audiences(new_owner, new_team)
    ]


def manageable_team_ids(actor: User) -> Iterable[uuid.UUID]:
    return actor.team_ids if actor.role == "lead" else []
