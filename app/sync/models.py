"""The table behind sync's devices: each install and the last mutation it had processed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, utcnow
from app.extensions import db


class SyncClient(TenantScoped, db.Model):
    """One install of a client: whose it is, and the last mutation it had processed."""

    __tablename__ = "sync_clients"
    __table_args__ = (
        # A client id belongs to one user across the whole service (protocol: client_taken).
        UniqueConstraint("client_id"),
        ForeignKeyConstraint(
            ["org_id", "user_id"], ["users.org_id", "users.id"], ondelete="CASCADE"
        ),
    )

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column()
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # The last_mutation_id the device was last told by a complete pull: a fresh snapshot (a
    # reset) repeats it on its pages until its last, never going back below what the device
    # has already dropped from its outbox.
    confirmed_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_push_at: Mapped[datetime | None] = mapped_column()
    last_pull_at: Mapped[datetime | None] = mapped_column()
