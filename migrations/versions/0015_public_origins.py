"""organisations may let their own web origins call the public question endpoints (CORS)

Revision ID: 0015_public_origins
Revises: 0014_canned_answers
Create Date: 2026-11-30 15:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015_public_origins"
down_revision = "0014_canned_answers"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.add_column(sa.Column("public_origins", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_column("public_origins")
