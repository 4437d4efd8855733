"""Article answers: one row per answer the bot gave from an article, counted on the console's article list.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_answers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.String(100), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_article_answers_article_id", "article_answers", ["article_id"])


def downgrade() -> None:
    op.drop_table("article_answers")
