"""canned answers: the service desk's knowledge at hand

Revision ID: 0014_canned_answers
Revises: 0013_questions
Create Date: 2026-12-01 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = "0014_canned_answers"
down_revision = "0013_questions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "canned_answers",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_canned_answers_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "product_id"], ["products.org_id", "products.id"],
            name=op.f("fk_canned_answers_org_id_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "created_by"], ["users.org_id", "users.id"],
            name=op.f("fk_canned_answers_org_id_created_by_users"),
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_canned_answers")),
    )  # fmt: skip
    with op.batch_alter_table("canned_answers") as batch_op:
        batch_op.create_index("ix_canned_answers_org_title", ["org_id", "title"])


def downgrade():
    with op.batch_alter_table("canned_answers") as batch_op:
        batch_op.drop_index("ix_canned_answers_org_title")
    op.drop_table("canned_answers")
