"""business calendars travel to devices (placeholder, filled by the calendar sync work)

Revision ID: 0009_calendar_sync
Revises: 0008_invitations
Create Date: 2026-11-30 11:46:00

"""

revision = "0009_calendar_sync"
down_revision = "0008_invitations"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
