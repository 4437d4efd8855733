"""The e-mail outbox and a ticket's public thread (SQLAlchemy 1.4, written in the 2.0 style).

The ticket store writes these rows (bot/tickets): this package knows tickets by their id only, so imports run
from tickets to mail.

Every e-mail is a row here before it is anything else, written in the same transaction as the change that
causes it (a ticket created, a public reply): a crash or an SMTP server that is down loses nothing, and the
worker (bot/mail/worker.py) sends each row once.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.database import Base, utcnow

MAIL_KINDS = ("acknowledgment", "reply", "resolution")
# waiting: to send (now or at next_attempt_at); sending: claimed by a worker until claimed_until;
# sent: accepted by the SMTP server; failed: refused for good, or out of attempts (staff see why).
MAIL_STATES = ("waiting", "sending", "sent", "failed")


class OutgoingMail(Base):
    __tablename__ = "outgoing_mail"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    recipient = Column(String(320), nullable=False)
    subject = Column(String(300), nullable=False)
    body_text = Column(Text, nullable=False)
    body_html = Column(Text, nullable=False)
    language = Column(String(2), nullable=False)
    # Made when the row is written and sent with every attempt: a retry is the same message, never a new one.
    message_id = Column(String(250), nullable=False, unique=True)
    in_reply_to = Column(String(250), nullable=True)
    status = Column(String(16), nullable=False, default="waiting", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    claimed_until = Column(DateTime(timezone=True), nullable=True)
    last_error = Column(Text, nullable=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = Column(DateTime(timezone=True), nullable=True)


class TicketMessage(Base):
    """The public thread: what staff sent the partner and what the partner wrote back (internal notes are not here)."""

    __tablename__ = "ticket_messages"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True)
    direction = Column(String(8), nullable=False)  # "out" (staff → partner) or "in" (partner → staff)
    author = Column(String(320), nullable=False)
    body = Column(Text, nullable=False)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    mail_id = Column(Integer, ForeignKey("outgoing_mail.id"), nullable=True)

    mail = relationship(OutgoingMail, lazy="joined")


class TicketAttachment(Base):
    """A file a partner sent: with an e-mail answer, or from the chat (bot/mail/attachments.py keeps the bytes;
    staff only). A chat file waits for its conversation's ticket (no ticket_id yet) for a day."""

    __tablename__ = "ticket_attachments"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=True, index=True)
    conversation_id = Column(String(255), nullable=True, index=True)  # set for a file sent from the chat
    client_address = Column(String(64), nullable=True)
    message_id = Column(Integer, ForeignKey("ticket_messages.id", ondelete="CASCADE"), nullable=True)
    filename = Column(String(120), nullable=False)  # as the partner named it, made safe
    content_type = Column(String(100), nullable=False)  # as its bytes show
    size = Column(Integer, nullable=False)
    stored_name = Column(String(32), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
