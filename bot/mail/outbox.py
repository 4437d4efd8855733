"""The mail outbox: e-mails written with the change that causes them, claimed by one worker at a time, sent once.

- **Written first**: `enqueue` adds the row to the caller's session, so the e-mail exists exactly when the
  ticket or the reply it tells about does (one transaction).
- **One worker per e-mail**: a worker claims a row with one conditional UPDATE (due, and not claimed by a live
  worker); on PostgreSQL a second worker's UPDATE of the same row waits for the first to commit, then finds the
  condition false and claims nothing; SQLite has one writer at a time. So two action servers or consoles running
  the worker never send the same row twice.
- **A claim is a lease**: a worker that dies while sending leaves its rows claimed until `claimed_until`; another
  worker then takes them over. Only then can an e-mail go out twice (the server took it, the worker died before
  marking it sent), and it goes out with the same Message-ID, so mail clients show it once.
- **Retries with backoff** while the server cannot be reached or answers 4xx; a 5xx refusal, or the last
  attempt, makes the row `failed`, with the reason, for staff to see on the ticket page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.database import Database, utcnow
from bot.mail.compose import compose, new_message_id
from bot.mail.models import OutgoingMail, TicketAttachment, TicketMessage

# Seconds before each retry: about a day and a half in all, then the e-mail is failed.
RETRY_DELAYS = (30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
LEASE = timedelta(minutes=5)
MAX_ERROR = 1000


@dataclass(frozen=True)
class Claimed:
    mail_id: int
    lease: datetime  # the claim's own mark: marking the row sent or failed needs it


@dataclass(frozen=True)
class Addressee:
    """Who an e-mail about a ticket goes to, and in which language."""

    ticket_id: int
    reference: str
    recipient: str
    language: str


def enqueue(session: Session, to: Addressee, kind: str, fields: dict[str, str], domain: str) -> OutgoingMail:
    """The e-mail of `kind`, added to `session`: the caller commits it with the change it tells about.

    `fields` fill the template (bot/mail/compose.py); `domain` ends the Message-ID (the sender's domain).
    """
    composed = compose(kind, to.language, {"reference": to.reference, **fields})
    first = session.scalars(
        select(OutgoingMail.message_id).where(OutgoingMail.ticket_id == to.ticket_id).order_by(OutgoingMail.id).limit(1)
    ).first()
    mail = OutgoingMail(
        ticket_id=to.ticket_id,
        kind=kind,
        recipient=to.recipient,
        subject=composed.subject,
        body_text=composed.text,
        body_html=composed.html,
        language=to.language,
        message_id=new_message_id(to.reference, kind, domain),
        in_reply_to=first,  # every e-mail of a ticket answers its first one: one thread in the partner's mailbox
        status="waiting",
        attempts=0,
        next_attempt_at=utcnow(),
    )
    session.add(mail)
    session.flush()
    return mail


def _due(now: datetime) -> Any:
    waiting = and_(OutgoingMail.status == "waiting", OutgoingMail.next_attempt_at <= now)
    abandoned = and_(OutgoingMail.status == "sending", OutgoingMail.claimed_until < now)
    return or_(waiting, abandoned)


class MailOutbox:
    def __init__(self, database: Database):
        self.sessions = database.sessions

    def claim(self, limit: int = 20, now: datetime | None = None) -> list[Claimed]:
        """Claim up to `limit` due e-mails for this worker, oldest first."""
        now = now or utcnow()
        lease = now + LEASE
        claimed = []
        with self.sessions() as session:
            candidates = session.scalars(
                select(OutgoingMail.id).where(_due(now)).order_by(OutgoingMail.id).limit(limit)
            ).all()
            for mail_id in candidates:
                written = session.execute(
                    update(OutgoingMail)
                    .where(OutgoingMail.id == mail_id, _due(now))
                    .values(status="sending", claimed_until=lease, attempts=OutgoingMail.attempts + 1)
                    .execution_options(synchronize_session=False)
                )
                session.commit()  # each claim on its own: a slow send never holds the others' rows
                if written.rowcount == 1:
                    claimed.append(Claimed(mail_id, lease))
        return claimed

    def get(self, mail_id: int) -> OutgoingMail | None:
        with self.sessions() as session:
            return session.get(OutgoingMail, mail_id)

    def mark_sent(self, claim: Claimed, now: datetime | None = None) -> bool:
        return self._finish(claim, status="sent", sent_at=now or utcnow(), last_error=None, claimed_until=None)

    def mark_failed(self, claim: Claimed, error: str) -> bool:
        return self._finish(claim, status="failed", last_error=error[:MAX_ERROR], claimed_until=None)

    def mark_retry(self, claim: Claimed, error: str, now: datetime | None = None) -> bool:
        """Back to waiting until the next delay, or failed when the attempts are used up."""
        mail = self.get(claim.mail_id)
        if mail is None:
            return False
        if mail.attempts > len(RETRY_DELAYS):
            return self.mark_failed(claim, f"gave up after {mail.attempts} attempts: {error}")
        next_at = (now or utcnow()) + timedelta(seconds=RETRY_DELAYS[mail.attempts - 1])
        return self._finish(
            claim, status="waiting", next_attempt_at=next_at, last_error=error[:MAX_ERROR], claimed_until=None
        )

    def release(self, claim: Claimed, until: datetime, why: str) -> bool:
        """Give a claimed e-mail back untried, to wait until `until`; its attempt is not counted."""
        return self._finish(
            claim,
            status="waiting",
            next_attempt_at=until,
            last_error=why[:MAX_ERROR],
            attempts=OutgoingMail.attempts - 1,
            claimed_until=None,
        )

    def _finish(self, claim: Claimed, **values: Any) -> bool:
        """Write the outcome, only while this worker's claim still holds (another may have taken it over)."""
        with self.sessions() as session:
            written = session.execute(
                update(OutgoingMail)
                .where(
                    OutgoingMail.id == claim.mail_id,
                    OutgoingMail.status == "sending",
                    OutgoingMail.claimed_until == claim.lease,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            session.commit()
            return written.rowcount == 1

    def for_ticket(self, ticket_id: int) -> list[OutgoingMail]:
        """Every e-mail about the ticket, oldest first, for its page."""
        with self.sessions() as session:
            query = select(OutgoingMail).where(OutgoingMail.ticket_id == ticket_id).order_by(OutgoingMail.id)
            return list(session.scalars(query))

    def thread(self, ticket_id: int) -> list[TicketMessage]:
        with self.sessions() as session:
            query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id)
            return list(session.scalars(query))

    def attachments(self, ticket_id: int) -> list[TicketAttachment]:
        with self.sessions() as session:
            query = (
                select(TicketAttachment).where(TicketAttachment.ticket_id == ticket_id).order_by(TicketAttachment.id)
            )
            return list(session.scalars(query))
