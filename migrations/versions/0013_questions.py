"""consumer questions and their messages; the organisation's public slug

Revision ID: 0013_questions
Revises: 0012_daily_tallies
Create Date: 2026-12-01 10:00:00

Every organisation stored before gets a slug made from its name as signup makes one
(lowercase ASCII words joined by '-', "-2", "-3"… on a clash, oldest first), written out
here so that this migration stays as it is when the app moves on.
"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = "0013_questions"
down_revision = "0012_daily_tallies"
branch_labels = None
depends_on = None


def _stem(name):
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:54].strip("-")
    if len(stem) < 3:
        stem = f"{stem}-org" if stem else "org"
    return stem


def _give_slugs():
    orgs = sa.table(
        "organizations",
        sa.column("id", sa.Uuid()),
        sa.column("name", sa.String()),
        sa.column("created_at", sa.DateTime()),
        sa.column("slug", sa.String()),
    )
    bind = op.get_bind()
    taken = set()
    rows = bind.execute(
        sa.select(orgs.c.id, orgs.c.name).order_by(orgs.c.created_at, orgs.c.id)
    ).all()
    for org_id, name in rows:
        stem = slug = _stem(name)
        n = 2
        while slug in taken:
            slug = f"{stem}-{n}"
            n += 1
        taken.add(slug)
        bind.execute(orgs.update().where(orgs.c.id == org_id).values(slug=slug))


def upgrade():
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.add_column(sa.Column("slug", sa.String(length=60), nullable=True))
    _give_slugs()
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.alter_column("slug", existing_type=sa.String(length=60), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_organizations_slug"), ["slug"])

    op.create_table(
        "questions",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("product_id", sa.Uuid(), nullable=True),
        sa.Column("product_text", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("claimed_by", sa.Uuid(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_consumer_message_at", sa.DateTime(), nullable=True),
        sa.Column("first_replied_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_questions_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "product_id"], ["products.org_id", "products.id"],
            name=op.f("fk_questions_org_id_product_id_products"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "claimed_by"], ["users.org_id", "users.id"],
            name=op.f("fk_questions_org_id_claimed_by_users"),
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_questions")),
        sa.UniqueConstraint("org_id", "token_hash", name=op.f("uq_questions_org_id_token_hash")),
    )  # fmt: skip
    with op.batch_alter_table("questions") as batch_op:
        batch_op.create_index("ix_questions_token_hash", ["token_hash"])
        batch_op.create_index(
            "ix_questions_org_status_created", ["org_id", "status", "created_at"]
        )
        batch_op.create_index("ix_questions_org_created", ["org_id", "created_at"])

    op.create_table(
        "question_messages",
        sa.Column("org_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"],
            name=op.f("fk_question_messages_org_id_organizations"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "question_id"], ["questions.org_id", "questions.id"],
            name=op.f("fk_question_messages_org_id_question_id_questions"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id", "author_id"], ["users.org_id", "users.id"],
            name=op.f("fk_question_messages_org_id_author_id_users"),
        ),
        sa.PrimaryKeyConstraint("org_id", "id", name=op.f("pk_question_messages")),
        sa.UniqueConstraint(
            "org_id", "question_id", "position", name=op.f("uq_question_messages_org_id_question_id_position")
        ),
    )  # fmt: skip


def downgrade():
    op.drop_table("question_messages")
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_index("ix_questions_org_created")
        batch_op.drop_index("ix_questions_org_status_created")
        batch_op.drop_index("ix_questions_token_hash")
    op.drop_table("questions")
    with op.batch_alter_table("organizations") as batch_op:
        batch_op.drop_constraint(op.f("uq_organizations_slug"), type_="unique")
        batch_op.drop_column("slug")
