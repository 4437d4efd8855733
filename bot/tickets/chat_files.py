"""Screenshots and PDFs partners send from the chat widget while they ask for help, kept for staff only.

A file is checked by its bytes and size (the e-mail attachments' rules), stored with them (bot/mail/attachments.py),
and waits a day for its conversation's ticket: the ticket store joins it when the request is confirmed, or at
once when the conversation already has a ticket. The file never enters the conversation store or the partner's
browser storage, so only staff can ever see it. Counts per conversation and per address keep anyone from filling
the disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.database import utcnow
from bot.mail import attachments
from bot.mail.models import TicketAttachment
from bot.tickets.email_answers import AttachmentRules
from bot.tickets.models import Ticket, TicketEvent

WAIT_FOR_TICKET = timedelta(days=1)
FILES_PER_CONVERSATION = 10  # within a day
FILES_PER_ADDRESS_PER_HOUR = 30


@dataclass(frozen=True)
class ChatFile:
    """What became of a file: `state` kept, refused (why: too_big, wrong_type) or limited."""

    state: str
    why: str | None = None
    filename: str = ""
    size: int = 0
    reference: str | None = None  # the ticket it joined at once (a request already sent)


class ChatFiles:
    def __init__(self, sessions: Any, rules: AttachmentRules):
        self.sessions = sessions
        self.rules = rules

    def add(self, conversation_id: str, client_address: str | None, filename: str, data: bytes) -> ChatFile:
        name = attachments.safe_filename(filename)
        if len(data) > self.rules.max_bytes:
            return ChatFile("refused", "too_big", name, len(data))
        verdict = attachments.check(data, self.rules.allowed, self.rules.max_bytes)
        if verdict.refusal:
            return ChatFile("refused", "wrong_type", name, len(data))
        now = utcnow()
        with self.sessions() as session:
            if self._limited(session, conversation_id, client_address, now):
                return ChatFile("limited", None, name, len(data))
            ticket = session.scalars(
                select(Ticket)
                .where(Ticket.conversation_id == conversation_id, Ticket.created_at > now - WAIT_FOR_TICKET)
                .order_by(Ticket.id.desc())
                .limit(1)
            ).first()
            stored = attachments.store_file(self.rules.folder, attachments.CHAT_FOLDER, data)
            session.add(
                TicketAttachment(
                    ticket_id=ticket.id if ticket else None,
                    conversation_id=conversation_id,
                    client_address=client_address,
                    filename=name,
                    content_type=verdict.content_type,
                    size=len(data),
                    stored_name=stored,
                    created_at=now,
                )
            )
            if ticket is not None:
                session.add(
                    TicketEvent(ticket_id=ticket.id, actor="partner (chat)", action="chat_file", at=now, new_value=name)
                )
            session.commit()
            return ChatFile("kept", None, name, len(data), ticket.reference if ticket else None)

    @staticmethod
    def _limited(session: Session, conversation_id: str, address: str | None, now: Any) -> bool:
        count = select(func.count(TicketAttachment.id))
        by_conversation = count.where(
            TicketAttachment.conversation_id == conversation_id, TicketAttachment.created_at > now - WAIT_FOR_TICKET
        )
        if session.scalar(by_conversation) >= FILES_PER_CONVERSATION:
            return True
        by_address = count.where(
            TicketAttachment.client_address == address, TicketAttachment.created_at > now - timedelta(hours=1)
        )
        return bool(address) and session.scalar(by_address) >= FILES_PER_ADDRESS_PER_HOUR


def join_waiting_files(session: Session, ticket: Ticket) -> int:
    """Give the new ticket the files its conversation sent in the last day; in the caller's transaction."""
    if not ticket.conversation_id:
        return 0
    return session.execute(
        update(TicketAttachment)
        .where(
            TicketAttachment.conversation_id == ticket.conversation_id,
            TicketAttachment.ticket_id.is_(None),
            TicketAttachment.created_at > utcnow() - WAIT_FOR_TICKET,
        )
        .values(ticket_id=ticket.id)
        .execution_options(synchronize_session=False)
    ).rowcount
