"""Satisfaction ratings asked in resolution e-mails, and the partners' status questions in the chat (counted).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("rating", sa.String(8), nullable=True))
        batch.add_column(sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_tickets_rating", ["rating"])
    op.create_table(
        "ticket_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.String(8), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("commented_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_ticket_ratings_ticket_id", "ticket_ratings", ["ticket_id"])
    op.create_table(
        "status_lookups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.Column("found", sa.Boolean, nullable=False),
    )
    op.create_index("ix_status_lookups_at", "status_lookups", ["at"])
    op.create_index("ix_status_lookups_conversation_id", "status_lookups", ["conversation_id"])
    op.create_index("ix_status_lookups_client_address", "status_lookups", ["client_address"])


def downgrade() -> None:
    op.drop_table("status_lookups")
    op.drop_table("ticket_ratings")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_index("ix_tickets_rating")
        batch.drop_column("rated_at")
        batch.drop_column("rating")
