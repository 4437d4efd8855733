"""What the partner hears from the help desk by e-mail: the acknowledgment of a new ticket, and staff's public replies.

A public reply is one transaction: the message in the ticket's thread, the e-mail in the outbox (bot/mail), the
audit row, the first-response time and, when staff resolve in the same action, the status change. Internal notes
stay in bot/tickets/triage.py and never reach the partner.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.database import utcnow
from bot.mail.models import TicketMessage
from bot.mail.outbox import Addressee, enqueue
from bot.tickets import issue_types, ratings
from bot.tickets.models import STATUSES, Ticket, TicketEvent
from bot.tickets.triage import TriageError, locked_ticket

MAX_REPLY_LENGTH = 10_000


def addressee(ticket: Ticket) -> Addressee:
    return Addressee(ticket.id, ticket.reference, ticket.contact_email, ticket.language)


def acknowledge(session: Session, ticket: Ticket, domain: str) -> None:
    """The acknowledgment e-mail of a new ticket, with its reference and the request as the partner gave it."""
    fields = {
        "organization_name": ticket.organization_name,
        "profile_link": ticket.profile_link,
        "issue_label": issue_types.label(ticket.issue_type, ticket.language),
        "description": ticket.description,
    }
    enqueue(session, addressee(ticket), "acknowledgment", fields, domain)


class Replies:
    def __init__(self, sessions: Any, mail_domain: str, public_url: str):
        self.sessions = sessions
        self.mail_domain = mail_domain
        self.public_url = public_url  # where partners' browsers reach the console: the rating links

    def reply(self, reference: str, body: str, actor: str, status: str | None = None) -> TicketMessage:
        """Send `body` to the partner by e-mail and keep it in the thread; `status` changes it in the same step.

        Resolving sends the resolution e-mail instead of a plain reply: the reply, how to reopen, and the
        satisfaction question (bot/tickets/ratings.py).
        """
        text = (body or "").strip()
        if not text:
            raise TriageError("the reply is empty")
        if len(text) > MAX_REPLY_LENGTH:
            raise TriageError(f"the reply is longer than {MAX_REPLY_LENGTH} characters")
        if status is not None and status not in STATUSES:
            raise TriageError(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
        with self.sessions() as session:
            ticket = locked_ticket(session, reference)
            now = utcnow()
            resolving = status == "resolved" and ticket.status != "resolved"
            fields = {"body": text, **(ratings.ask(session, ticket, self.public_url) if resolving else {})}
            mail = enqueue(session, addressee(ticket), "resolution" if resolving else "reply", fields, self.mail_domain)
            message = TicketMessage(
                ticket_id=ticket.id, direction="out", author=actor, body=text, at=now, mail_id=mail.id
            )
            session.add(message)
            session.add(TicketEvent(ticket_id=ticket.id, actor=actor, action="reply", at=now, new_value=text))
            if ticket.first_response_at is None:
                ticket.first_response_at = now
            if status is not None and status != ticket.status:
                session.add(
                    TicketEvent(
                        ticket_id=ticket.id,
                        actor=actor,
                        action="changed",
                        at=now,
                        field="status",
                        old_value=ticket.status,
                        new_value=status,
                    )
                )
                ticket.status = status
            if resolving:
                ticket.resolved_at = now
            ticket.updated_at = now
            session.commit()
            return message
