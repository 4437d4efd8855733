"""Triage: duplicate links between tickets, API tokens for the JSON API, indexes for the filtered queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("duplicate_of_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_tickets_duplicate_of", "tickets", ["duplicate_of_id"], ["id"])
    op.create_index("ix_tickets_issue_type_id", "tickets", ["issue_type", "id"])
    op.create_index("ix_tickets_language_id", "tickets", ["language", "id"])
    op.create_index("ix_tickets_status_id", "tickets", ["status", "id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_index("ix_tickets_status_id", "tickets")
    op.drop_index("ix_tickets_language_id", "tickets")
    op.drop_index("ix_tickets_issue_type_id", "tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_constraint("fk_tickets_duplicate_of", type_="foreignkey")
        batch.drop_column("duplicate_of_id")
