"""Where a partner's request stands, as the bot tells it in the chat ("où en est ma demande HD-2026-000042 ?").

The partner proves the request is theirs with the contact e-mail given on it, or by asking in the conversation
that opened it. An unknown reference and a wrong e-mail get the same answer, so the chat cannot tell anyone
which references exist; failed tries are counted in the ticket store (every action server sees the same count)
and stop being looked up past a limit per conversation and per client address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.database import utcnow
from bot.mail.models import TicketMessage
from bot.settings import RateLimits
from bot.text.emails import normalise_email
from bot.tickets.models import StatusLookup, Ticket

LOOKUP_WINDOW = timedelta(hours=1)
# After the store's prefix: HD-2026-000042, also typed in lower case or with spaces ("hd 2026 000042").
_NUMBER = r"[- ]?(\d{4})[- ](\d{6,9})\b"
_EDGE_PUNCTUATION = "()<>[]«»\"',;:!?."


def find_reference(text: str, prefix: str = "HD") -> str | None:
    """The first reference with the store's `prefix` in `text`, in its canonical form (HD-2026-000042)."""
    match = re.search(r"\b" + re.escape(prefix) + _NUMBER, text or "", re.IGNORECASE)
    return f"{prefix.upper()}-{match.group(1)}-{match.group(2)}" if match else None


def find_email(text: str) -> str | None:
    """The first valid e-mail address among the words of `text`, normalised."""
    for word in (text or "").split():
        if "@" in word:
            email = normalise_email(word.strip(_EDGE_PUNCTUATION))
            if email:
                return email
    return None


@dataclass(frozen=True)
class TicketStatus:
    """What the partner may learn about their own request."""

    reference: str
    organization_name: str
    status: str
    contact_email: str
    last_reply: str | None
    last_reply_at: datetime | None


@dataclass(frozen=True)
class Lookup:
    status: TicketStatus | None  # None: not found, or not theirs (the same to the partner)
    limited: bool = False  # too many failed tries: nothing was looked up


class StatusLookups:
    def __init__(self, sessions: Any, limits: RateLimits):
        self.sessions = sessions
        self.limits = limits

    def lookup(
        self, reference: str, email: str | None, conversation_id: str | None, client_address: str | None
    ) -> Lookup:
        """The request's status when `email` is its contact e-mail, or when it was opened in `conversation_id`."""
        now = utcnow()
        with self.sessions() as session:
            if self._limited(session, conversation_id, client_address, now):
                return Lookup(None, limited=True)
            ticket = session.scalars(select(Ticket).where(Ticket.reference == reference.strip().upper())).first()
            wanted = normalise_email(email) if email else None
            theirs = ticket is not None and (
                (wanted is not None and wanted.lower() == ticket.contact_email.lower())
                or (wanted is None and conversation_id is not None and ticket.conversation_id == conversation_id)
            )
            session.add(
                StatusLookup(at=now, conversation_id=conversation_id, client_address=client_address, found=theirs)
            )
            status = self._status(session, ticket) if theirs else None
            session.commit()
            return Lookup(status)

    def _limited(self, session: Any, conversation_id: str | None, address: str | None, now: datetime) -> bool:
        if self.limits.is_exempt(address):
            return False
        since = now - LOOKUP_WINDOW
        failed = select(func.count(StatusLookup.id)).where(StatusLookup.at > since, StatusLookup.found.is_(False))
        counted = (
            (StatusLookup.conversation_id, conversation_id, self.limits.status_failures_per_hour_per_sender),
            (StatusLookup.client_address, address, self.limits.status_failures_per_hour_per_address),
        )
        return any(
            value and limit and session.scalar(failed.where(column == value)) >= limit
            for column, value, limit in counted
        )

    @staticmethod
    def _status(session: Any, ticket: Ticket) -> TicketStatus:
        last = session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket.id, TicketMessage.direction == "out")
            .order_by(TicketMessage.id.desc())
            .limit(1)
        ).first()
        return TicketStatus(
            reference=ticket.reference,
            organization_name=ticket.organization_name,
            status=ticket.status,
            contact_email=ticket.contact_email,
            last_reply=last.body if last else None,
            last_reply_at=last.at if last else None,
        )
