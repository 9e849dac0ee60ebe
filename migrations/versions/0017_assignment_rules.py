"""assignment rules route leads without an owner

Revision ID: 0017_assignment_rules
Revises: 0016_question_clock
Create Date: 2026-11-30 17:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017_assignment_rules"
down_revision = "0016_question_clock"
branch_labels = None
depends_on = None

# A lead that is open (as app.assignment.models writes it): the index holds only those.
OPEN_LOAD = "stage IN ('new', 'contacted', 'quoted', 'negotiating')"


def upgrade():
    op.create_table(
        "assignment_rules",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("match_region", sa.String(length=120), nullable=True),
        sa.Column("match_region_key", sa.String(length=120), nullable=True),
        sa.Column("match_region_prefix", sa.String(length=20), nullable=True),
        sa.Column("match_source", sa.String(length=40), nullable=True),
        sa.Column("match_product_id", sa.Uuid(), nullable=True),
        sa.Column("match_priority", sa.String(length=10), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_assignment_rules_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "owner_id"], ["users.org_id", "users.id"],
            name=op.f("fk_assignment_rules_org_id_owner_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "team_id"], ["teams.org_id", "teams.id"],
            name=op.f("fk_assignment_rules_org_id_team_id_teams"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "match_product_id"], ["products.org_id", "products.id"],
            name=op.f("fk_assignment_rules_org_id_match_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_assignment_rules")),
    )  # fmt: skip
    with op.batch_alter_table("assignment_rules") as batch_op:
        batch_op.create_index("ix_assignment_rules_org_position", ["org_id", "position", "id"])
    op.create_table(
        "assignment_rotations",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("last_user_id", sa.Uuid(), nullable=True),
        sa.Column("turns", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_assignment_rotations_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "team_id"], ["teams.org_id", "teams.id"],
            name=op.f("fk_assignment_rotations_org_id_team_id_teams"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("org_id", "team_id", name=op.f("pk_assignment_rotations")),
    )  # fmt: skip
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.add_column(sa.Column("default_owner_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "route_out_of_territory", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column(
                "route_questions_to_sales",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(
            sa.Column("on_leave", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("max_open_leads", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("regions", sa.JSON(), nullable=True))
    with op.batch_alter_table("leads") as batch_op:
        batch_op.add_column(sa.Column("assigned_by_rule", sa.Uuid(), nullable=True))
        batch_op.create_index(
            "ix_leads_org_owner_open", ["org_id", "owner_id"],
            postgresql_where=sa.text(OPEN_LOAD), sqlite_where=sa.text(OPEN_LOAD),
        )  # fmt: skip
    with op.batch_alter_table("lead_stage_changes") as batch_op:
        batch_op.add_column(sa.Column("assigned_by_rule", sa.Uuid(), nullable=True))


def downgrade():
    with op.batch_alter_table("lead_stage_changes") as batch_op:
        batch_op.drop_column("assigned_by_rule")
    with op.batch_alter_table("leads") as batch_op:
        batch_op.drop_index("ix_leads_org_owner_open")
        batch_op.drop_column("assigned_by_rule")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("regions")
        batch_op.drop_column("max_open_leads")
        batch_op.drop_column("on_leave")
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_column("route_questions_to_sales")
        batch_op.drop_column("route_out_of_territory")
        batch_op.drop_column("default_owner_id")
    op.drop_table("assignment_rotations")
    with op.batch_alter_table("assignment_rules") as batch_op:
        batch_op.drop_index("ix_assignment_rules_org_position")
    op.drop_table("assignment_rules")
