"""Keeping sync's history bounded: tombstones are kept a while, then purged.

A cursor older than the purged history gets ``reset`` (guarantee 5), so purging never
makes a device miss a deletion: it makes it start afresh.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from app.changelog.models import ChangeCounter, Tombstone
from app.database import utcnow
from app.extensions import db
from app.tenancy import all_orgs

TOMBSTONES = Tombstone.__table__
COUNTERS = ChangeCounter.__table__


def retention() -> timedelta:
    return timedelta(days=current_app.config["TOMBSTONE_RETENTION_DAYS"])


def purge_tombstones(keep: timedelta | None = None) -> int:
    """Delete tombstones older than ``keep`` (default: the configured retention) in every
    organisation; returns how many went. Each organisation's ``purged_through`` moves up to
    the highest version deleted, so older cursors are answered with ``reset``."""
    cutoff = utcnow() - (keep if keep is not None else retention())
    purged = 0
    with all_orgs():
        horizons = db.session.execute(
            select(TOMBSTONES.c.org_id, func.max(TOMBSTONES.c.version))
            .where(TOMBSTONES.c.created_at < cutoff)
            .group_by(TOMBSTONES.c.org_id)
        ).all()
        for org_id, through in horizons:
            # Everything up to that version goes, even a later-written lower version.
            result = db.session.execute(
                delete(TOMBSTONES).where(
                    TOMBSTONES.c.org_id == org_id, TOMBSTONES.c.version <= through
                )
            )
            purged += result.rowcount
            db.session.execute(
                update(COUNTERS)
                .where(COUNTERS.c.org_id == org_id, COUNTERS.c.purged_through < through)
                .values(purged_through=through)
            )
            db.session.commit()
    return purged
