"""the spend ledger: marketing spend per source channel and day

Revision ID: 0011_spend_ledger
Revises: 0010_lead_history
Create Date: 2026-11-30 12:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0011_spend_ledger"
down_revision = "0010_lead_history"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "spend_entries",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("spent_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_spend_entries_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_spend_entries")),
    )
    with op.batch_alter_table("spend_entries") as batch_op:
        batch_op.create_index("ix_spend_entries_org_day", ["org_id", "spent_on", "source"])


def downgrade():
    with op.batch_alter_table("spend_entries") as batch_op:
        batch_op.drop_index("ix_spend_entries_org_day")
    op.drop_table("spend_entries")
