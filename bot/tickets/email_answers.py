"""A partner's e-mail answer joins its ticket: the thread, the files, the audit trail; a ticket that waited for
the partner, or was resolved, opens again.

Which ticket: the one whose e-mail it answers (In-Reply-To / References carry a Message-ID only our e-mails have),
else the reference in the subject, but only from the ticket's own contact address, so nobody can write into a
ticket by guessing its reference. An automatic reply (out of office) is accepted and dropped: it never reopens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.database import utcnow
from bot.mail import attachments
from bot.mail.models import OutgoingMail, TicketAttachment, TicketMessage
from bot.mail.reader import Incoming, parse
from bot.settings import MailSettings
from bot.tickets.models import Ticket, TicketEvent
from bot.tickets.replies import MAX_REPLY_LENGTH

Outcome = Literal["added", "unmatched", "ignored", "empty", "bounced"]
# The partner has answered: a ticket waiting for them, or one they were told is done, is for staff again.
OPENED_BY_ANSWER = ("pending", "resolved", "closed")


@dataclass(frozen=True)
class Received:
    outcome: Outcome
    reference: str | None = None
    refused_files: dict[str, str] = field(default_factory=dict)  # file name: why it was not kept


@dataclass(frozen=True)
class AttachmentRules:
    folder: Path
    allowed: tuple[str, ...] = MailSettings.attachment_types
    max_bytes: int = MailSettings.attachment_max_bytes


def receive(sessions: Any, raw: bytes, rules: AttachmentRules) -> Received:
    """Add the e-mail `raw` to its ticket's thread, or say why not."""
    incoming = parse(raw)
    with sessions() as session:
        if incoming.bounce is not None:
            return _bounced(session, incoming)
        if incoming.report:  # a delay or a delivery notice: nothing for staff
            return Received("ignored")
        ticket = _ticket_of(session, incoming)
        if ticket is None:
            return Received("unmatched")
        if incoming.auto_reply:
            return Received("ignored", ticket.reference)
        if not incoming.text and not incoming.attachments:
            return Received("empty", ticket.reference)
        now = utcnow()
        refused: dict[str, str] = {}
        kept: list[tuple[str, str, bytes]] = []
        for file in incoming.attachments:
            name = attachments.safe_filename(file.filename)
            verdict = attachments.check(file.data, rules.allowed, rules.max_bytes)
            if verdict.refusal:
                refused[name] = verdict.refusal
            else:
                kept.append((name, verdict.content_type, file.data))
        body = incoming.text[:MAX_REPLY_LENGTH]
        if refused:
            body += "\n\n" + "\n".join(f"[{name}: not kept, {why}]" for name, why in refused.items())
        message = TicketMessage(ticket_id=ticket.id, direction="in", author=incoming.sender, body=body.strip(), at=now)
        session.add(message)
        session.flush()
        for name, kind, data in kept:
            stored = attachments.store_file(rules.folder, ticket.id, data)
            session.add(
                TicketAttachment(
                    ticket_id=ticket.id,
                    message_id=message.id,
                    filename=name,
                    content_type=kind,
                    size=len(data),
                    stored_name=stored,
                    created_at=now,
                )
            )
        session.add(
            TicketEvent(
                ticket_id=ticket.id, actor=incoming.sender, action="partner_reply", at=now, new_value=body[:500]
            )
        )
        if ticket.status in OPENED_BY_ANSWER:
            session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    actor=incoming.sender,
                    action="changed",
                    at=now,
                    field="status",
                    old_value=ticket.status,
                    new_value="open",
                )
            )
            ticket.status = "open"
        ticket.updated_at = now
        session.commit()
        return Received("added", ticket.reference, refused)


def _bounced(session: Session, incoming: Incoming) -> Received:
    """Our e-mail never reached the partner: it shows as failed on the ticket page, with the server's words."""
    bounce = incoming.bounce
    mail = session.scalars(
        select(OutgoingMail).where(OutgoingMail.message_id == bounce.message_id).with_for_update()
    ).first()
    if mail is None:
        return Received("unmatched")
    ticket = session.get(Ticket, mail.ticket_id)
    mail.status, mail.last_error = "failed", f"bounced: {bounce.diagnostic}"
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            actor=incoming.sender or "mailer-daemon",
            action="mail_bounced",
            at=utcnow(),
            new_value=bounce.diagnostic,
        )
    )
    session.commit()
    return Received("bounced", ticket.reference)


def _ticket_of(session: Session, incoming: Incoming) -> Ticket | None:
    if incoming.answers:
        ticket_id = session.scalars(
            select(OutgoingMail.ticket_id).where(OutgoingMail.message_id.in_(incoming.answers)).limit(1)
        ).first()
        if ticket_id is not None:
            return session.get(Ticket, ticket_id)
    if incoming.reference:
        ticket = session.scalars(select(Ticket).where(Ticket.reference == incoming.reference)).first()
        if ticket is not None and ticket.contact_email.lower() == incoming.sender:
            return ticket
    return None
