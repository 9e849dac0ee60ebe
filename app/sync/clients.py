"""Devices that sync: a client id belongs to the first user who uses it."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.database import utcnow
from app.errors import Forbidden
from app.extensions import db
from app.sync.models import SyncClient

CLIENTS = SyncClient.__table__
# Pulls note when a device was last seen at most this often, so reads stay reads.
SEEN_EVERY = timedelta(minutes=1)


class ClientTaken(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "This client id belongs to another user; make a new one.", code="client_taken"
        )


def claim_client(
    org_id: uuid.UUID, user_id: uuid.UUID, client_id: uuid.UUID, *, lock: bool = False
):
    """The client's row (``client_id, org_id, user_id, last_mutation_id, …``), made on first use.

    ``lock`` holds the row until the transaction ends, so two pushes of one device queue
    instead of interleaving. Raises ``client_taken`` if another user owns the id.
    """
    # Client ids are unique across the service, so this lookup is deliberately unscoped.
    query = select(CLIENTS).where(CLIENTS.c.client_id == client_id)
    if lock:
        query = query.with_for_update()
    row = db.session.execute(query).first()
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    CLIENTS.insert().values(
                        org_id=org_id,
                        client_id=client_id,
                        user_id=user_id,
                        last_mutation_id=0,
                        created_at=utcnow(),
                    )
                )
        except IntegrityError:
            pass  # another request made it first; read it below
        row = db.session.execute(query).first()
    if row.org_id != org_id or row.user_id != user_id:
        raise ClientTaken()
    return row


def note_pull(row, confirmed: int | None = None) -> None:
    """Note that the device pulled (at most every ``SEEN_EVERY``), and the
    ``last_mutation_id`` a complete run just confirmed to it (``confirmed``), if it moved."""
    now = utcnow()
    values: dict = {}
    if row.last_pull_at is None or now - row.last_pull_at > SEEN_EVERY:
        values["last_pull_at"] = now
    if confirmed is not None and confirmed != row.confirmed_mutation_id:
        values["confirmed_mutation_id"] = confirmed
    if values:
        db.session.execute(
            update(CLIENTS).where(CLIENTS.c.client_id == row.client_id).values(**values)
        )


def advance(client_id: uuid.UUID, last_mutation_id: int) -> None:
    db.session.execute(
        update(CLIENTS)
        .where(CLIENTS.c.client_id == client_id)
        .values(last_mutation_id=last_mutation_id, last_push_at=utcnow())
    )
