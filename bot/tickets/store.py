"""The ticket repository: create tickets exactly once, read them back, record every change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.database import Database
from bot.mail.models import OutgoingMail
from bot.settings import RateLimits, Settings
from bot.tickets.chat_files import join_waiting_files
from bot.tickets.models import ISSUE_TYPES, Ticket, TicketEvent
from bot.tickets.queue import TicketQueue
from bot.tickets.ratings import Ratings
from bot.tickets.reference import make_reference
from bot.tickets.replies import Replies, acknowledge
from bot.tickets.saved_replies import SavedReplies
from bot.tickets.status import StatusLookups
from bot.tickets.triage import Triage
from bot.tickets.validation import parse_profile_id


@dataclass(frozen=True)
class NewTicket:
    """What the bot collected; the store adds the reference, status and times."""

    organization_name: str
    profile_link: str
    issue_type: str
    description: str
    contact_email: str
    language: str
    conversation_id: str | None = None
    client_address: str | None = None
    profile_id: str | None = None  # from the profile link, once the submission checked it


class TicketStore:
    """The tickets and what staff do with them, on the process's one database (`Database`)."""

    def __init__(
        self,
        database: Database,
        reference_prefix: str = "HD",
        mail_domain: str = "localhost",
        public_url: str = "http://localhost:8000",
        limits: RateLimits | None = None,
    ):
        self.database = database
        self.reference_prefix = reference_prefix
        self.mail_domain = mail_domain  # ends the Message-ID of every e-mail about a ticket
        self.sessions = database.sessions
        self.queue = TicketQueue(self.sessions)  # filtered, paged reads for the console and the API
        self.triage = Triage(self.sessions)  # staff changes, each with its audit row
        self.replies = Replies(self.sessions, mail_domain, public_url)  # public replies, e-mailed to the partner
        self.ratings = Ratings(self.sessions)  # the partners' answers to the satisfaction question
        self.status = StatusLookups(self.sessions, limits or RateLimits())  # "where does my request stand?"
        self.saved_replies = SavedReplies(self.sessions)  # managed by admins, inserted by staff

    @classmethod
    def from_settings(cls, settings: Settings, database: Database) -> TicketStore:
        """The store on `database` with the settings' reference prefix, mail domain, console address and limits."""
        return cls(
            database,
            settings.reference_prefix,
            settings.mail.domain,
            settings.console.public_url,
            settings.limits,
        )

    def create(self, new: NewTicket, submission_key: str, actor: str = "bot") -> tuple[Ticket, bool]:
        """Store the ticket once per submission key; return it and whether it is new.

        `new` is a checked ticket (bot/tickets/submission.py: trimmed, e-mail normalised, secrets masked), stored
        as it is. A repeated or concurrent confirmation of the same form returns the ticket stored the first time:
        the key is unique, so the second insert fails and the first ticket is read back.
        """
        if new.issue_type not in ISSUE_TYPES:
            raise ValueError(f"unknown issue type {new.issue_type!r}")
        with self.sessions() as session:
            ticket = Ticket(
                submission_key=submission_key,
                organization_name=new.organization_name,
                profile_link=new.profile_link,
                profile_id=new.profile_id or parse_profile_id(new.profile_link),
                issue_type=new.issue_type,
                description=new.description,
                contact_email=new.contact_email,
                language=new.language,
                conversation_id=new.conversation_id,
                client_address=new.client_address,
            )
            session.add(ticket)
            try:
                session.flush()
                ticket.reference = make_reference(self.reference_prefix, ticket.created_at, ticket.id)
                session.add(TicketEvent(ticket_id=ticket.id, actor=actor, action="created"))
                acknowledge(session, ticket, self.mail_domain)  # the e-mail exists exactly when the ticket does
                join_waiting_files(session, ticket)  # screenshots sent from the chat before the confirmation
                session.commit()
            except IntegrityError:
                session.rollback()
                existing = self.by_submission_key(submission_key)
                if existing is None:
                    raise
                return existing, False
            return ticket, True

    def set_reference(self, ticket_id: int, reference: str, created_at: datetime) -> None:
        """An offline-outbox ticket (bot/tickets/offline_outbox.py) gets the reference its partner was told."""
        with self.sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            old = ticket.reference
            ticket.reference, ticket.created_at = reference, created_at
            for mail in session.scalars(select(OutgoingMail).where(OutgoingMail.ticket_id == ticket_id)):
                mail.subject = mail.subject.replace(old, reference)
                mail.body_text = mail.body_text.replace(old, reference)
                mail.body_html = mail.body_html.replace(old, reference)
            session.commit()

    def by_submission_key(self, submission_key: str) -> Ticket | None:
        with self.sessions() as session:
            return session.scalars(select(Ticket).where(Ticket.submission_key == submission_key)).first()

    def by_reference(self, reference: str) -> Ticket | None:
        with self.sessions() as session:
            return session.scalars(select(Ticket).where(Ticket.reference == reference.strip().upper())).first()

    def get(self, ticket_id: int) -> Ticket | None:
        with self.sessions() as session:
            return session.get(Ticket, ticket_id)

    def events(self, ticket_id: int) -> list[TicketEvent]:
        with self.sessions() as session:
            query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
            return list(session.scalars(query))

    def newest(self, limit: int = 50, offset: int = 0) -> list[Ticket]:
        """Tickets newest first (by id, which follows creation order and is indexed)."""
        with self.sessions() as session:
            query = select(Ticket).order_by(Ticket.id.desc()).limit(limit).offset(offset)
            return list(session.scalars(query))

    def created_since(
        self, since: datetime, conversation_id: str | None = None, client_address: str | None = None
    ) -> int:
        """Tickets created after `since` by one conversation or from one client address (the rate limits)."""
        query = select(func.count(Ticket.id)).where(Ticket.created_at > since)
        if conversation_id is not None:
            query = query.where(Ticket.conversation_id == conversation_id)
        if client_address is not None:
            query = query.where(Ticket.client_address == client_address)
        with self.sessions() as session:
            return session.scalar(query) or 0

    def count(self) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count(Ticket.id))) or 0
