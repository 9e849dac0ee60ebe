"""Which devices hold a lead and its follow-ups: the tombstone audiences of an owner and team.

Who may *see* a lead is a permission (``accounts.permissions.lead_scope``); this is the
other side of it for sync: when a lead moves, the audiences that lost it get a tombstone.
"""

from __future__ import annotations

import uuid

from app.changelog.audiences import ORG_AUDIENCE, team_audience, user_audience


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
