"""invitations: an admin invites a person by email (placeholder, filled by the invitations work)

Revision ID: 0008_invitations
Revises: 0007_org_default_source
Create Date: 2026-11-30 11:45:00

"""

revision = "0008_invitations"
down_revision = "0007_org_default_source"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
