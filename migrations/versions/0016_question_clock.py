"""questions run a first-reply clock and sync to the desk's devices; products carry a spec and FAQ;
a device keeps the last_mutation_id a complete pull confirmed to it (a reset repeats it)

Revision ID: 0016_question_clock
Revises: 0015_public_origins
Create Date: 2026-11-30 17:05:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0016_question_clock"
down_revision = "0015_public_origins"
branch_labels = None
depends_on = None


CLOCK = (
    ("sla_metric", sa.String(20)),
    ("sla_state", sa.String(10)),
    ("sla_policy_id", sa.Uuid()),
    ("sla_started_at", sa.DateTime()),
    ("sla_warn_at", sa.DateTime()),
    ("sla_due_at", sa.DateTime()),
    ("sla_breached_at", sa.DateTime()),
    ("sla_met_at", sa.DateTime()),
    ("sla_escalate_at", sa.DateTime()),
    ("sla_escalated_at", sa.DateTime()),
    ("sla_next_at", sa.DateTime()),
)


def upgrade():
    with op.batch_alter_table("questions") as batch_op:
        for name, type_ in CLOCK:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column("team_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("lead_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("token_sealed", sa.String(200), nullable=True))
        batch_op.add_column(
            sa.Column("version", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.create_foreign_key(
            "fk_questions_team", "teams", ["org_id", "team_id"], ["org_id", "id"]
        )
        batch_op.create_foreign_key(
            "fk_questions_lead", "leads", ["org_id", "lead_id"], ["org_id", "id"]
        )
        batch_op.create_index("ix_questions_org_version", ["org_id", "version"])
        batch_op.create_index("ix_questions_sla_next_at", ["sla_next_at"])
        batch_op.create_index("ix_questions_org_lead", ["org_id", "lead_id"])
    with op.batch_alter_table("question_messages") as batch_op:
        batch_op.add_column(
            sa.Column("version", sa.BigInteger(), nullable=False, server_default="0")
        )
        batch_op.create_index("ix_question_messages_org_version", ["org_id", "version"])
    with op.batch_alter_table("canned_answers") as batch_op:
        batch_op.create_index("ix_canned_answers_org_version", ["org_id", "version"])
    with op.batch_alter_table("sync_clients") as batch_op:
        batch_op.add_column(
            sa.Column("confirmed_mutation_id", sa.BigInteger(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("products") as batch_op:
        batch_op.add_column(sa.Column("spec", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("faq", sa.Text(), nullable=True))
    # Questions asked before they had a clock keep none (they are answered or not already);
    # new ones start theirs when asked.


def downgrade():
    with op.batch_alter_table("sync_clients") as batch_op:
        batch_op.drop_column("confirmed_mutation_id")
    with op.batch_alter_table("products") as batch_op:
        batch_op.drop_column("faq")
        batch_op.drop_column("spec")
    with op.batch_alter_table("canned_answers") as batch_op:
        batch_op.drop_index("ix_canned_answers_org_version")
    with op.batch_alter_table("question_messages") as batch_op:
        batch_op.drop_index("ix_question_messages_org_version")
        batch_op.drop_column("version")
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_index("ix_questions_org_lead")
        batch_op.drop_index("ix_questions_sla_next_at")
        batch_op.drop_index("ix_questions_org_version")
        batch_op.drop_constraint("fk_questions_lead", type_="foreignkey")
        batch_op.drop_constraint("fk_questions_team", type_="foreignkey")
        for name in ("version", "token_sealed", "lead_id", "team_id"):
            batch_op.drop_column(name)
        for name, _ in reversed(CLOCK):
            batch_op.drop_column(name)
