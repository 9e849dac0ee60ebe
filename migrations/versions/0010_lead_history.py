"""reports' data: every stage change of a lead with its time and actor, a lead's closed_at
quoted_at and external_ref, an organisation's reporting currency and appraisal weights,
the business minutes a met SLA clock took (older steps keep none), and each SLA step's
owner and team

Revision ID: 0010_lead_history
Revises: 0009_calendar_sync
Create Date: 2026-11-30 12:10:00

"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = "0010_lead_history"
down_revision = "0009_calendar_sync"
branch_labels = None
depends_on = None

BATCH = 5000
# What the reports read of a period's leads, carried by their indexes on PostgreSQL (as in
# app/leads/models.py at this revision).
COHORT_COLUMNS = [
    "stage", "source", "owner_id", "team_id", "last_follow_up_at", "quoted_at", "won_value",
    "currency", "product_id", "priority", "region",
]
CLOSED_COLUMNS = [
    "stage", "lost_reason", "product_id", "product_text", "quantity", "estimated_value",
    "currency", "owner_id", "team_id", "source", "priority", "region",
]


def upgrade():
    op.create_table(
        "lead_stage_changes",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("lead_id", sa.Uuid(), nullable=False),
        sa.Column("from_stage", sa.String(length=12), nullable=True),
        sa.Column("to_stage", sa.String(length=12), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id", "lead_id"], ["leads.org_id", "leads.id"],
            name=op.f("fk_lead_stage_changes_org_id_lead_id_leads"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_lead_stage_changes_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_lead_stage_changes")),
    )
    with op.batch_alter_table("lead_stage_changes") as batch_op:
        batch_op.create_index("ix_lead_stage_changes_org_lead", ["org_id", "lead_id", "at"])
        batch_op.create_index(
            "ix_lead_stage_changes_org_stage_at", ["org_id", "to_stage", "at"]
        )
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="USD")
        )
        batch_op.add_column(sa.Column("appraisal_weights", sa.JSON(), nullable=True))
    with op.batch_alter_table("sla_events") as batch_op:
        batch_op.add_column(sa.Column("business_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("owner_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("team_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            "ix_sla_events_org_at",
            ["org_id", "at"],
            postgresql_include=[
                "item_type", "metric", "event", "due_at", "business_minutes", "owner_id",
                "team_id",
            ],
        )
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("quoted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("external_ref", sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(
            op.f("uq_leads_org_id_external_ref"), ["org_id", "external_ref"]
        )
        batch_op.create_index(
            "ix_leads_org_cohort", ["org_id", "created_at"], postgresql_include=COHORT_COLUMNS
        )
        batch_op.create_index(
            "ix_leads_org_closed", ["org_id", "closed_at"], postgresql_include=CLOSED_COLUMNS
        )
    with op.batch_alter_table("follow_ups") as batch_op:
        batch_op.create_index(
            "ix_follow_ups_org_happened",
            ["org_id", "happened_at"],
            postgresql_include=["author_id", "kind", "owner_id", "team_id"],
        )

    # A best-effort history for the leads already stored: created as "new" by their creator,
    # and, when they have moved on, one step to where they are now — at their last change
    # for a closed lead (also its closed_at), else at their last contact.
    leads = sa.table(
        "leads", sa.column("org_id", sa.Uuid()), sa.column("id", sa.Uuid()),
        sa.column("stage", sa.String()), sa.column("created_at", sa.DateTime()),
        sa.column("created_by", sa.Uuid()), sa.column("updated_at", sa.DateTime()),
        sa.column("last_follow_up_at", sa.DateTime()), sa.column("closed_at", sa.DateTime()),
        sa.column("quoted_at", sa.DateTime()), sa.column("owner_id", sa.Uuid()),
        sa.column("team_id", sa.Uuid()),
        sa.column("wire_version", sa.BigInteger()),
    )
    changes = sa.table(
        "lead_stage_changes", sa.column("org_id", sa.Uuid()), sa.column("id", sa.Uuid()),
        sa.column("lead_id", sa.Uuid()), sa.column("from_stage", sa.String()),
        sa.column("to_stage", sa.String()), sa.column("at", sa.DateTime()),
        sa.column("actor_id", sa.Uuid()), sa.column("owner_id", sa.Uuid()),
        sa.column("team_id", sa.Uuid()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            leads.c.org_id, leads.c.id, leads.c.stage, leads.c.created_at, leads.c.created_by,
            leads.c.updated_at, leads.c.last_follow_up_at, leads.c.owner_id, leads.c.team_id,
        )
    ).all()
    history = []
    for r in rows:
        history.append({
            "org_id": r.org_id, "id": uuid.uuid4(), "lead_id": r.id, "from_stage": None,
            "to_stage": "new", "at": r.created_at, "actor_id": r.created_by,
            "owner_id": r.owner_id, "team_id": r.team_id,
        })
        if r.stage != "new":
            closed = r.stage in ("won", "lost")
            at = r.updated_at if closed else (r.last_follow_up_at or r.updated_at)
            history.append({
                "org_id": r.org_id, "id": uuid.uuid4(), "lead_id": r.id, "from_stage": "new",
                "to_stage": r.stage, "at": max(at, r.created_at), "actor_id": None,
                "owner_id": r.owner_id, "team_id": r.team_id,
            })
    for start in range(0, len(history), BATCH):
        bind.execute(changes.insert(), history[start:start + BATCH])
    op.execute(
        leads.update()
        .where(leads.c.stage.in_(("won", "lost")))
        .values(closed_at=leads.c.updated_at)
    )
    # First quoted: the earliest quote logged, else (in a quoted stage) the step above.
    follow_ups = sa.table(
        "follow_ups", sa.column("org_id", sa.Uuid()), sa.column("lead_id", sa.Uuid()),
        sa.column("kind", sa.String()), sa.column("quoted_amount", sa.Numeric()),
        sa.column("happened_at", sa.DateTime()),
    )
    first_quote = (
        sa.select(sa.func.min(follow_ups.c.happened_at))
        .where(
            follow_ups.c.org_id == leads.c.org_id,
            follow_ups.c.lead_id == leads.c.id,
            sa.or_(follow_ups.c.kind == "quote", follow_ups.c.quoted_amount.is_not(None)),
        )
        .scalar_subquery()
    )
    op.execute(leads.update().values(quoted_at=first_quote))
    step = (
        sa.select(sa.func.min(changes.c.at))
        .where(
            changes.c.org_id == leads.c.org_id,
            changes.c.lead_id == leads.c.id,
            changes.c.to_stage.in_(("quoted", "negotiating", "won")),
        )
        .scalar_subquery()
    )
    op.execute(
        leads.update()
        .where(leads.c.quoted_at.is_(None), leads.c.stage.in_(("quoted", "negotiating", "won")))
        .values(quoted_at=step)
    )
    # Older SLA steps of leads: the lead's owner and team now (who had it then is not kept).
    steps = sa.table(
        "sla_events", sa.column("org_id", sa.Uuid()), sa.column("item_type", sa.String()),
        sa.column("item_id", sa.Uuid()), sa.column("owner_id", sa.Uuid()),
        sa.column("team_id", sa.Uuid()),
    )
    for name in ("owner_id", "team_id"):
        value = (
            sa.select(leads.c[name])
            .where(leads.c.org_id == steps.c.org_id, leads.c.id == steps.c.item_id)
            .scalar_subquery()
        )
        op.execute(steps.update().where(steps.c.item_type == "lead").values({name: value}))
    # The stored sync changes lack closed_at: pull builds them afresh until the scheduler's
    # refresh stores them again (app/changelog/stored.py).
    op.execute(leads.update().values(wire_version=None))


def downgrade():
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_org_closed")
        batch_op.drop_index("ix_leads_org_cohort")
        batch_op.drop_constraint(op.f("uq_leads_org_id_external_ref"), type_="unique")
        batch_op.drop_column("external_ref")
        batch_op.drop_column("quoted_at")
        batch_op.drop_column("closed_at")
    with op.batch_alter_table("follow_ups") as batch_op:
        batch_op.drop_index("ix_follow_ups_org_happened")
    with op.batch_alter_table("sla_events") as batch_op:
        batch_op.drop_index("ix_sla_events_org_at")
        batch_op.drop_column("team_id")
        batch_op.drop_column("owner_id")
        batch_op.drop_column("business_minutes")
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_column("appraisal_weights")
        batch_op.drop_column("currency")
    with op.batch_alter_table("lead_stage_changes") as batch_op:
        batch_op.drop_index("ix_lead_stage_changes_org_stage_at")
        batch_op.drop_index("ix_lead_stage_changes_org_lead")
    op.drop_table("lead_stage_changes")
