"""organizations carry a sync version: their settings travel to devices as the `org` entity

Revision ID: 0005_organization_version
Revises: 0004_sla_and_scheduler
Create Date: 2026-11-23 14:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005_organization_version'
down_revision = '0004_sla_and_scheduler'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations') as batch_op:
        batch_op.add_column(
            sa.Column('version', sa.BigInteger(), nullable=False, server_default='0')
        )
    # Each existing organisation takes the next version of its own counter, so devices that
    # already synced receive it on their next pull like any other change.
    op.execute(
        "UPDATE organizations SET version = ("
        " SELECT c.value + 1 FROM change_counters c WHERE c.org_id = organizations.id)"
    )
    op.execute("UPDATE change_counters SET value = value + 1")


def downgrade():
    with op.batch_alter_table('organizations') as batch_op:
        batch_op.drop_column('version')
