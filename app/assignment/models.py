"""Assignment rules and the round-robin state of the teams they route to."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKeyConstraint, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import TenantScoped, new_id, utcnow
from app.extensions import db
from app.leads.models import OPEN_STAGES, Lead

# A lead that is open: a rep's open load counts these. Written out, not bound, so that the
# partial index below serves the count on SQLite too (it matches the text of the condition).
OPEN_LOAD = "stage IN (" + ", ".join(f"'{stage}'" for stage in OPEN_STAGES) + ")"

# Round-robin counts each candidate's open leads on every decision: this index holds only
# open leads, so the count reads a rep's open leads alone from the index (never the years of
# closed ones, nor the rows). It is the assignment's, declared here on the leads table.
Index(
    "ix_leads_org_owner_open",
    Lead.org_id,
    Lead.owner_id,
    postgresql_where=text(OPEN_LOAD),
    sqlite_where=text(OPEN_LOAD),
)

# What a rule may match on, as the API names them (the columns are ``match_<name>``).
MATCH_KEYS = ("region", "region_prefix", "source", "product_id", "priority")


class AssignmentRule(TenantScoped, db.Model):
    """One entry of the organisation's ordered list: leads matching every condition set
    (an empty condition matches anything) go to ``owner_id``, or round-robin to the reps of
    ``team_id``. The first matching rule that finds someone available decides."""

    __tablename__ = "assignment_rules"
    __table_args__ = (
        ForeignKeyConstraint(["org_id", "owner_id"], ["users.org_id", "users.id"]),
        ForeignKeyConstraint(
            ["org_id", "team_id"], ["teams.org_id", "teams.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["org_id", "match_product_id"], ["products.org_id", "products.id"]),
        # A decision reads the matching rules in list order.
        Index("ix_assignment_rules_org_position", "org_id", "position", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(120))
    # 1-based and without gaps: the service renumbers on every insert, move and delete.
    position: Mapped[int] = mapped_column()
    # The region as the admin wrote it, and its case-folded form, which is what matches.
    match_region: Mapped[str | None] = mapped_column(String(120))
    match_region_key: Mapped[str | None] = mapped_column(String(120))
    # A postcode/area-code prefix in compact form (upper case, no spaces or hyphens): it
    # matches a region whose compact form starts with it ("SW1" matches "sw1a 1aa").
    match_region_prefix: Mapped[str | None] = mapped_column(String(20))
    match_source: Mapped[str | None] = mapped_column(String(40))
    match_product_id: Mapped[uuid.UUID | None] = mapped_column()
    match_priority: Mapped[str | None] = mapped_column(String(10))
    owner_id: Mapped[uuid.UUID | None] = mapped_column()
    team_id: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AssignmentRotation(TenantScoped, db.Model):
    """A team's round-robin turn: who was given the last lead, and how many it has given.
    Made by the first decision for the team; decisions read and write it under the
    organisation's change-counter lock, so they take turns (``app.assignment.service``)."""

    __tablename__ = "assignment_rotations"
    __table_args__ = (
        ForeignKeyConstraint(
            ["org_id", "team_id"], ["teams.org_id", "teams.id"], ondelete="CASCADE"
        ),
    )

    team_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    last_user_id: Mapped[uuid.UUID | None] = mapped_column()
    turns: Mapped[int] = mapped_column(BigInteger, default=0)
