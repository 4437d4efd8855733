"""Ticket client address: where a request came from, so the ticket limit per address holds across servers.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("client_address", sa.String(64), nullable=True))
    op.create_index("ix_tickets_client_address_created_at", "tickets", ["client_address", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_client_address_created_at", "tickets")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("client_address")
