"""The dashboard reads answers, votes and ratings by period: index their times.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_article_answers_at", "article_answers", "at"),
    ("ix_article_feedback_at", "article_feedback", "at"),
    ("ix_tickets_rated_at", "tickets", "rated_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in INDEXES:
        op.drop_index(name, table_name=table)
