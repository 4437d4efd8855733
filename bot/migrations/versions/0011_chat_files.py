"""Files partners send from the chat: an attachment may wait for its conversation's ticket.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ticket_attachments") as batch:
        batch.alter_column("ticket_id", existing_type=sa.Integer, nullable=True)
        batch.add_column(sa.Column("conversation_id", sa.String(255), nullable=True))
        batch.add_column(sa.Column("client_address", sa.String(64), nullable=True))
        batch.create_index("ix_ticket_attachments_conversation_id", ["conversation_id"])


def downgrade() -> None:
    op.execute("DELETE FROM ticket_attachments WHERE ticket_id IS NULL")
    with op.batch_alter_table("ticket_attachments") as batch:
        batch.drop_index("ix_ticket_attachments_conversation_id")
        batch.drop_column("client_address")
        batch.drop_column("conversation_id")
        batch.alter_column("ticket_id", existing_type=sa.Integer, nullable=False)
