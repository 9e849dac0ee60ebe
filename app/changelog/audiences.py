"""Audiences: who may hold a record on their devices, as tombstones name them.

A tombstone says a record left one audience: ``org`` (everyone who sees the whole
organisation), ``u:<user>`` (one person) or ``t:<team>`` (that team's leads).
"""

from __future__ import annotations

import uuid

ORG_AUDIENCE = "org"


def user_audience(user_id: uuid.UUID) -> str:
    return f"u:{user_id.hex}"


def team_audience(team_id: uuid.UUID) -> str:
    return f"t:{team_id.hex}"
