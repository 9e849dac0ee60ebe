"""leads and follow-ups keep their sync change as stored JSON (pull sends it as it is)

Revision ID: 0006_stored_wire_changes
Revises: 0005_organization_version
Create Date: 2026-11-23 16:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_stored_wire_changes'
down_revision = '0005_organization_version'
branch_labels = None
depends_on = None


# Existing rows start without a stored change: a pull builds theirs in SQL, as before, and
# the scheduler's refresh_stored_changes job stores them.
def upgrade():
    for table in ('leads', 'follow_ups'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column('wire_change', sa.Text(), nullable=True))
            batch_op.add_column(sa.Column('wire_version', sa.BigInteger(), nullable=True))


def downgrade():
    for table in ('leads', 'follow_ups'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column('wire_version')
            batch_op.drop_column('wire_change')
