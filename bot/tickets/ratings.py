"""The satisfaction question of a resolution e-mail: two links (good, bad) that work once, then a comment.

A link carries a random token; the store keeps only its SHA-256, so the links cannot be forged, and reading the
database does not give them away. The first click records the score (one click, no login, no form); the page it
opens offers an optional comment, accepted once. A later click on either link of the same e-mail changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.database import utcnow
from bot.text.masking import mask_secrets
from bot.tickets.models import SCORES, Ticket, TicketEvent, TicketRating

LINK_LIFETIME = timedelta(days=60)
MAX_COMMENT_LENGTH = 2000


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def ask(session: Session, ticket: Ticket, public_url: str) -> dict[str, str]:
    """A new question for `ticket`, added to `session`; the two links, as the resolution e-mail's fields."""
    token = secrets.token_urlsafe(24)
    session.add(TicketRating(ticket_id=ticket.id, token_hash=_hash(token), asked_at=utcnow()))
    base = public_url.rstrip("/")
    return {f"rating_{score}": f"{base}/rate/{token}/{score}" for score in SCORES}


@dataclass(frozen=True)
class RatingOutcome:
    """What the partner's click did: `state` is recorded, already (used before), expired or unknown."""

    state: str
    language: str = "en"
    reference: str = ""
    score: str | None = None
    can_comment: bool = False


class Ratings:
    def __init__(self, sessions: Any):
        self.sessions = sessions

    def _find(self, session: Session, token: str) -> tuple[TicketRating, Ticket] | None:
        if not token or len(token) > 100:
            return None
        rating = session.scalars(select(TicketRating).where(TicketRating.token_hash == _hash(token))).first()
        return (rating, session.get(Ticket, rating.ticket_id)) if rating else None

    def rate(self, token: str, score: str) -> RatingOutcome:
        """Record `score` for the question behind `token`, the first time only."""
        if score not in SCORES:
            return RatingOutcome("unknown")
        with self.sessions() as session:
            found = self._find(session, token)
            if found is None:
                return RatingOutcome("unknown")
            rating, ticket = found
            now = utcnow()
            # One UPDATE that only an unanswered, unexpired question matches: two clicks at once record one score.
            recorded = session.execute(
                update(TicketRating)
                .where(
                    TicketRating.id == rating.id,
                    TicketRating.score.is_(None),
                    TicketRating.asked_at > now - LINK_LIFETIME,
                )
                .values(score=score, rated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if not recorded:
                session.rollback()
                rating = session.get(TicketRating, rating.id)
                if rating.score is None:
                    return RatingOutcome("expired", ticket.language, ticket.reference)
                return RatingOutcome(
                    "already", ticket.language, ticket.reference, rating.score, can_comment=rating.comment is None
                )
            ticket.rating, ticket.rated_at = score, now
            session.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    actor=ticket.contact_email,
                    action="rated",
                    at=now,
                    field="rating",
                    new_value=score,
                )
            )
            session.commit()
            return RatingOutcome("recorded", ticket.language, ticket.reference, score, can_comment=True)

    def comment(self, token: str, text: str) -> RatingOutcome:
        """Keep the partner's comment on a recorded score, once; secrets typed in it are masked."""
        comment = mask_secrets((text or "").strip())[:MAX_COMMENT_LENGTH]
        with self.sessions() as session:
            found = self._find(session, token)
            if found is None:
                return RatingOutcome("unknown")
            rating, ticket = found
            if rating.score is None or rating.comment is not None or not comment:
                return RatingOutcome(
                    "already",
                    ticket.language,
                    ticket.reference,
                    rating.score,
                    can_comment=rating.score is not None and rating.comment is None,
                )
            now = utcnow()
            saved = session.execute(
                update(TicketRating)
                .where(TicketRating.id == rating.id, TicketRating.comment.is_(None))
                .values(comment=comment, commented_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
            if saved:
                session.add(
                    TicketEvent(
                        ticket_id=ticket.id,
                        actor=ticket.contact_email,
                        action="rating_comment",
                        at=now,
                        new_value=comment,
                    )
                )
            session.commit()
            return RatingOutcome("recorded" if saved else "already", ticket.language, ticket.reference, rating.score)

    def for_ticket(self, ticket_id: int) -> list[TicketRating]:
        """Every question asked about a ticket, answered or not, oldest first."""
        with self.sessions() as session:
            query = select(TicketRating).where(TicketRating.ticket_id == ticket_id).order_by(TicketRating.id)
            return list(session.scalars(query))
