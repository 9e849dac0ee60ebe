"""invitations: an admin invites a person by email; the link sets their password once

Revision ID: 0008_invitations
Revises: 0007_org_default_source
Create Date: 2026-11-30 11:45:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0008_invitations"
down_revision = "0007_org_default_source"
branch_labels = None
depends_on = None


# Invited people get a placeholder password hash ("!invited", which no password matches)
# until they accept, so users.password_hash stays NOT NULL and no existing row changes.
def upgrade():
    op.create_table(
        "invitations",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("accepted_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id", "user_id"],
            ["users.org_id", "users.id"],
            name=op.f("fk_invitations_org_id_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_invitations_org_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_invitations")),
        sa.UniqueConstraint(
            "org_id", "token_hash", name=op.f("uq_invitations_org_id_token_hash")
        ),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index("ix_invitations_token_hash", ["token_hash"], unique=False)
        batch_op.create_index("ix_invitations_org_user", ["org_id", "user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_org_user")
        batch_op.drop_index("ix_invitations_token_hash")
    op.drop_table("invitations")
