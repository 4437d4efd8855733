"""The dashboard reads answers, votes, tickets and ratings by period: index their times, and cover what it reads
of tickets and answers (SQLite then reads the index alone, not the rows).

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
    ("ix_article_answers_dashboard", "article_answers", ["at", "conversation_id", "article_id"]),
    ("ix_article_feedback_at", "article_feedback", ["at"]),
    ("ix_tickets_rated_at", "tickets", ["rated_at"]),
    ("ix_tickets_dashboard", "tickets", ["created_at", "issue_type", "conversation_id", "first_response_at",
                                         "resolved_at"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
