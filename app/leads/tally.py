"""The follow-up tally (``app.tallies``): follow-ups per author and local day, by the lead's
owner and team — the reps' workload. Kept where follow-ups are written and where a lead's
move carries its follow-ups to a new owner or team."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from sqlalchemy import Select, Uuid, case, func, literal, select

from app import tallies
from app.accounts.models import Organization
from app.extensions import db
from app.leads.models import FollowUp, FollowUpTally


def _entry(follow_up) -> tallies.Entry:
    key = (follow_up.author_id, follow_up.owner_id, follow_up.team_id)
    return follow_up.happened_at, key, (1, 1 if follow_up.kind == "quote" else 0)


def _recount(org_id: uuid.UUID, tz: str, span: str) -> Select:
    day = tallies.local_start(FollowUp.happened_at, tz, span)
    keys = [
        tallies.counted_key(FollowUp.author_id).label("author_id"),
        tallies.counted_key(FollowUp.owner_id).label("owner_id"),
        tallies.counted_key(FollowUp.team_id).label("team_id"),
    ]
    return (
        select(
            literal(org_id, Uuid).label("org_id"),
            day.label("day"),
            *keys,
            func.count().label("follow_ups"),
            func.sum(case((FollowUp.kind == "quote", 1), else_=0)).label("quotes"),
        )
        .where(FollowUp.org_id == org_id)
        .group_by(day, *(k.element for k in keys))
    )


FOLLOW_UP_TALLY = tallies.register(
    tallies.Tally(
        table=FollowUpTally.__table__,
        keys=("author_id", "owner_id", "team_id"),
        counts=("follow_ups", "quotes"),
        entry=_entry,
        recount=_recount,
    )
)


def count(follow_ups: list[FollowUp]) -> None:
    """Count new follow-ups (of one organisation)."""
    if follow_ups:
        org = db.session.get(Organization, follow_ups[0].org_id)
        tallies.add(FOLLOW_UP_TALLY, org.id, org.zone, follow_ups)


def recount(follow_ups: list[FollowUp], change: Callable[[], None]) -> None:
    """Apply ``change`` to follow-ups (of one organisation) and move their counts with
    them (a lead given to another owner or team carries its follow-ups along)."""
    if not follow_ups:
        change()
        return
    before = tallies.entries(FOLLOW_UP_TALLY, follow_ups, sign=-1)
    change()
    org = db.session.get(Organization, follow_ups[0].org_id)
    after: Iterable[tallies.Entry] = tallies.entries(FOLLOW_UP_TALLY, follow_ups)
    tallies.write(FOLLOW_UP_TALLY, org.id, org.zone, [*before, *after])
