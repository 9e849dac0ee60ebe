"""daily tallies of follow-ups, SLA steps and response times per person, and the owner
who closed a lead (the reps and sla reports)

Revision ID: 0012_daily_tallies
Revises: 0011_spend_ledger
Create Date: 2026-11-30 14:10:00

The tallies of the rows already stored are counted here, by each organisation's local day
(as app.tallies does; written out so that this migration stays as it is when the app moves
on). The follow-ups' happened_at index served only the workload figure, which the tally
now gives: it goes. A closed lead's owner and team at its closing come from its stage
history (else its owner now), and ix_leads_org_closed includes them. The few leads overdue
now get a partial index.
"""

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


revision = "0012_daily_tallies"
down_revision = "0011_spend_ledger"
branch_labels = None
depends_on = None

NOBODY = uuid.UUID(int=0)


def _table(name, keys, counts, spanned=False):
    span = [sa.Column("span", sa.String(length=5), nullable=False)] if spanned else []
    op.create_table(
        name,
        sa.Column("org_id", sa.Uuid(), nullable=False),
        *span,
        sa.Column("day", sa.Date(), nullable=False),
        *keys,
        *(sa.Column(c, sa.Integer(), nullable=False) for c in counts),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f(f"fk_{name}_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "org_id", *(c.name for c in span), "day", *(k.name for k in keys),
            name=op.f(f"pk_{name}"),
        ),
    )  # fmt: skip


def _step_keys():
    return [
        sa.Column("item_type", sa.String(length=10), nullable=False),
        sa.Column("metric", sa.String(length=20), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
    ]


def upgrade():
    _table(
        "follow_up_tallies",
        [sa.Column(c, sa.Uuid(), nullable=False) for c in ("author_id", "owner_id", "team_id")],
        ("follow_ups", "quotes"),
    )
    _table("sla_step_tallies", _step_keys(), ("met", "breached"))
    _table(
        "sla_minutes_tallies",
        [*_step_keys(), sa.Column("minutes", sa.Integer(), nullable=False)],
        ("met",),
        spanned=True,
    )
    with op.batch_alter_table("sla_minutes_tallies") as batch_op:
        batch_op.create_index(
            "ix_sla_minutes_tallies_read", ["org_id", "span", "item_type", "metric", "day"],
            postgresql_include=["owner_id", "team_id", "minutes", "met"],
        )  # fmt: skip
    with op.batch_alter_table("follow_ups") as batch_op:
        batch_op.drop_index("ix_follow_ups_org_happened")
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("closed_owner_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("closed_team_id", sa.Uuid(), nullable=True))
    _closing_owners()
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_org_closed")
        batch_op.create_index(
            "ix_leads_org_closed", ["org_id", "closed_at"],
            postgresql_include=CLOSED_COLUMNS + ["won_value", "closed_owner_id", "closed_team_id"],
        )  # fmt: skip
        batch_op.create_index(
            "ix_leads_org_overdue", ["org_id", "owner_id", "team_id"],
            postgresql_where=sa.text(OVERDUE), sqlite_where=sa.text(OVERDUE),
        )  # fmt: skip
    _count_stored_rows()


OVERDUE = "sla_state = 'breached'"
CLOSED_COLUMNS = [
    "stage", "lost_reason", "product_id", "product_text", "quantity", "estimated_value",
    "currency", "owner_id", "team_id", "source", "priority", "region",
]  # fmt: skip


def _closing_owners():
    closing = (
        "SELECT c.{column} FROM lead_stage_changes c WHERE c.org_id = leads.org_id"
        " AND c.lead_id = leads.id AND c.to_stage = leads.stage AND c.at = leads.closed_at"
    )
    for column in ("owner_id", "team_id"):
        op.execute(
            f"UPDATE leads SET closed_{column} = CASE WHEN EXISTS ({closing.format(column=column)})"
            f" THEN ({closing.format(column=column)} LIMIT 1) ELSE {column} END"
            " WHERE closed_at IS NOT NULL"
        )


def _count_stored_rows():
    """One INSERT … SELECT per tally and span, grouped by the database; SQLite is lent a
    local-day function for it (PostgreSQL has time zones)."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.connection.driver_connection.create_function(
            "tally_local_start", 3, _sqlite_local_start, deterministic=True
        )

    def day(column, span="day"):
        zone = "COALESCE(o.timezone, 'UTC')"
        if bind.dialect.name == "sqlite":
            return f"tally_local_start({column}, {zone}, '{span}')"
        return f"CAST(date_trunc('{span}', timezone({zone}, timezone('UTC', {column}))) AS DATE)"

    nobody = sa.bindparam("nobody", NOBODY, type_=sa.Uuid())

    def run(sql):
        bind.execute(sa.text(sql).bindparams(nobody))

    run(
        "INSERT INTO follow_up_tallies"
        " (org_id, day, author_id, owner_id, team_id, follow_ups, quotes)"
        f" SELECT f.org_id, {day('f.happened_at')}, f.author_id,"
        " COALESCE(f.owner_id, :nobody), COALESCE(f.team_id, :nobody), count(*),"
        " sum(CASE WHEN f.kind = 'quote' THEN 1 ELSE 0 END)"
        " FROM follow_ups f JOIN organizations o ON o.id = f.org_id"
        " GROUP BY 1, 2, 3, 4, 5"
    )
    run(
        "INSERT INTO sla_step_tallies"
        " (org_id, day, item_type, metric, owner_id, team_id, met, breached)"
        f" SELECT e.org_id, {day('e.at')}, e.item_type, e.metric,"
        " COALESCE(e.owner_id, :nobody), COALESCE(e.team_id, :nobody),"
        " sum(CASE WHEN e.event = 'met' THEN 1 ELSE 0 END),"
        " sum(CASE WHEN e.event = 'breached' THEN 1 ELSE 0 END)"
        " FROM sla_events e JOIN organizations o ON o.id = e.org_id"
        " WHERE e.event = 'breached'"
        " OR (e.event = 'met' AND (e.due_at IS NULL OR e.at <= e.due_at))"
        " GROUP BY 1, 2, 3, 4, 5, 6"
    )
    for span in ("day", "month", "year"):
        run(
            "INSERT INTO sla_minutes_tallies"
            " (org_id, span, day, item_type, metric, owner_id, team_id, minutes, met)"
            f" SELECT e.org_id, '{span}', {day('e.at', span)}, e.item_type, e.metric,"
            " COALESCE(e.owner_id, :nobody), COALESCE(e.team_id, :nobody),"
            " e.business_minutes, count(*)"
            " FROM sla_events e JOIN organizations o ON o.id = e.org_id"
            " WHERE e.event = 'met' AND e.business_minutes IS NOT NULL"
            " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8"
        )


def _sqlite_local_start(stored, zone, span):
    if stored is None:
        return None
    local = datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
    day = local.date()
    if span == "year":
        return day.replace(month=1, day=1).isoformat()
    if span == "month":
        return day.replace(day=1).isoformat()
    return day.isoformat()


def downgrade():
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_org_overdue")
        batch_op.drop_index("ix_leads_org_closed")
        batch_op.create_index(
            "ix_leads_org_closed", ["org_id", "closed_at"], postgresql_include=CLOSED_COLUMNS
        )
        batch_op.drop_column("closed_team_id")
        batch_op.drop_column("closed_owner_id")
    with op.batch_alter_table("follow_ups") as batch_op:
        batch_op.create_index(
            "ix_follow_ups_org_happened", ["org_id", "happened_at"],
            postgresql_include=["author_id", "kind", "owner_id", "team_id"],
        )  # fmt: skip
    op.drop_table("sla_minutes_tallies")
    op.drop_table("sla_step_tallies")
    op.drop_table("follow_up_tallies")
