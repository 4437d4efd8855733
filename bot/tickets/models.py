"""SQLAlchemy models of the ticket store (SQLAlchemy 1.4, written in the 2.0 style)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.accounts.models import StaffUser
from bot.database import Base, utcnow

ISSUE_TYPES = ("account_access", "non_editable_info", "duplicate_profile", "other")
STATUSES = ("new", "open", "pending", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
SCORES = ("good", "bad")  # the two answers of the satisfaction question


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # The queue's filters in id order (migration 0003), the per-address ticket limit (0005).
        Index("ix_tickets_status_id", "status", "id"),
        Index("ix_tickets_issue_type_id", "issue_type", "id"),
        Index("ix_tickets_language_id", "language", "id"),
        Index("ix_tickets_client_address_created_at", "client_address", "created_at"),
        # What the dashboard reads of the tickets opened in a period, readable from the index alone (0012).
        Index(
            "ix_tickets_dashboard", "created_at", "issue_type", "conversation_id", "first_response_at", "resolved_at"
        ),
    )

    id = Column(Integer, primary_key=True)
    reference = Column(String(32), unique=True, index=True)
    # One key per confirmed form: a second confirmation of the same form finds this ticket instead.
    submission_key = Column(String(128), nullable=False, unique=True)
    organization_name = Column(String(300), nullable=False)
    profile_link = Column(String(1000), nullable=False)
    profile_id = Column(String(20), nullable=True, index=True)
    issue_type = Column(String(32), nullable=False)
    description = Column(Text, nullable=False)
    contact_email = Column(String(320), nullable=False, index=True)
    language = Column(String(2), nullable=False, default="fr")
    conversation_id = Column(String(255), nullable=True, index=True)
    # Where the partner wrote from (IP address), for the per-address ticket limit (bot/rasa_server/message_limits.py).
    client_address = Column(String(64), nullable=True)
    status = Column(String(16), nullable=False, default="new", index=True)
    priority = Column(String(16), nullable=False, default="normal")
    assignee_id = Column(Integer, ForeignKey("staff_users.id"), nullable=True, index=True)
    duplicate_of_id = Column(Integer, ForeignKey("tickets.id"), nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)
    first_response_at = Column(DateTime(timezone=True), nullable=True)  # the first public reply to the partner
    resolved_at = Column(DateTime(timezone=True), nullable=True)  # the last time it was resolved
    # The partner's last answer to the satisfaction question (bot/tickets/ratings.py), for the queue filter.
    rating = Column(String(8), nullable=True, index=True)
    rated_at = Column(DateTime(timezone=True), nullable=True, index=True)

    assignee = relationship(StaffUser, lazy="joined")
    duplicate_of = relationship("Ticket", remote_side=[id], lazy="joined", join_depth=1)
    events = relationship("TicketEvent", order_by="TicketEvent.id", back_populates="ticket")


class TicketEvent(Base):
    """The audit trail: one row per change to a ticket, who made it and when."""

    __tablename__ = "ticket_events"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    actor = Column(String(320), nullable=False)
    action = Column(String(32), nullable=False)
    field = Column(String(64), nullable=True)
    old_value = Column(Text, nullable=True)
    new_value = Column(Text, nullable=True)

    ticket = relationship(Ticket, back_populates="events")


class SavedReply(Base):
    """A reply staff reuse, in one language, managed by admins (bot/tickets/saved_replies.py)."""

    __tablename__ = "saved_replies"

    id = Column(Integer, primary_key=True)
    language = Column(String(2), nullable=False, index=True)
    title = Column(String(120), nullable=False)
    body = Column(Text, nullable=False)
    updated_by = Column(String(320), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class TicketRating(Base):
    """One satisfaction question, asked in one resolution e-mail: its links work once (bot/tickets/ratings.py)."""

    __tablename__ = "ticket_ratings"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # SHA-256 of the link's token; the token is not kept
    asked_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    score = Column(String(8), nullable=True)
    rated_at = Column(DateTime(timezone=True), nullable=True)
    comment = Column(Text, nullable=True)
    commented_at = Column(DateTime(timezone=True), nullable=True)


class StatusLookup(Base):
    """A partner asked the bot where a request stands: counted so that guessing references meets a limit."""

    __tablename__ = "status_lookups"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    conversation_id = Column(String(255), nullable=True, index=True)
    client_address = Column(String(64), nullable=True, index=True)
    found = Column(Boolean, nullable=False)
