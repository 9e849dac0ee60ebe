"""business calendars travel to devices: calendars carry a sync version

Revision ID: 0009_calendar_sync
Revises: 0008_invitations
Create Date: 2026-11-30 11:46:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009_calendar_sync"
down_revision = "0008_invitations"
branch_labels = None
depends_on = None

_calendars = sa.table(
    "calendars",
    sa.column("org_id", sa.Uuid()),
    sa.column("id", sa.Uuid()),
    sa.column("created_at", sa.DateTime()),
    sa.column("version", sa.BigInteger()),
)
_counters = sa.table(
    "change_counters", sa.column("org_id", sa.Uuid()), sa.column("value", sa.BigInteger())
)


def upgrade():
    with op.batch_alter_table("calendars") as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_calendars_org_version", ["org_id", "version"], unique=False)
    # Each existing calendar takes its own next version of its organisation's counter, so
    # devices that synced before receive it on their next pull like any other change (a
    # version of 0 is never sent). One version per calendar, not one per organisation: a
    # snapshot page may end between two rows, and continues after the last version it sent.
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(_calendars.c.org_id, _calendars.c.id).order_by(
            _calendars.c.org_id, _calendars.c.created_at, _calendars.c.id
        )
    ).all()
    by_org = {}
    for org_id, calendar_id in rows:
        by_org.setdefault(org_id, []).append(calendar_id)
    for org_id, ids in by_org.items():
        value = bind.execute(
            sa.select(_counters.c.value).where(_counters.c.org_id == org_id)
        ).scalar_one()
        for offset, calendar_id in enumerate(ids, start=1):
            bind.execute(
                sa.update(_calendars)
                .where(_calendars.c.org_id == org_id, _calendars.c.id == calendar_id)
                .values(version=value + offset)
            )
        bind.execute(
            sa.update(_counters).where(_counters.c.org_id == org_id).values(value=value + len(ids))
        )


def downgrade():
    with op.batch_alter_table("calendars") as batch_op:
        batch_op.drop_index("ix_calendars_org_version")
        batch_op.drop_column("version")
