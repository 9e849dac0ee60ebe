"""organizations may name a default lead source (quick capture starts with it)

Revision ID: 0007_org_default_source
Revises: 0006_stored_wire_changes
Create Date: 2026-11-24 10:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0007_org_default_source"
down_revision = "0006_stored_wire_changes"
branch_labels = None
depends_on = None


# Existing organisations start with none: the person chooses (no silent default).
def upgrade():
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.add_column(sa.Column("default_source", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_column("default_source")
