"""Saved replies: what admins write once for staff to insert in their replies, per language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.database import utcnow
from bot.settings import LANGUAGES
from bot.tickets.models import SavedReply
from bot.tickets.replies import MAX_REPLY_LENGTH
from bot.tickets.triage import TriageError

MAX_TITLE = 120


class SavedReplies:
    def __init__(self, sessions: Any):
        self.sessions = sessions

    def all(self, language: str | None = None) -> list[SavedReply]:
        """By language, then title; only one language's when `language` is given (a ticket's)."""
        query = select(SavedReply).order_by(SavedReply.language, SavedReply.title, SavedReply.id)
        if language is not None:
            query = query.where(SavedReply.language == language)
        with self.sessions() as session:
            return list(session.scalars(query))

    def get(self, reply_id: int) -> SavedReply | None:
        with self.sessions() as session:
            return session.get(SavedReply, reply_id)

    def save(self, reply_id: int | None, language: str, title: str, body: str, actor: str) -> SavedReply:
        """Create (no id) or change a saved reply; TriageError says what is wrong."""
        title, body = " ".join((title or "").split()), (body or "").strip()
        if language not in LANGUAGES:
            raise TriageError(f"the language must be one of {', '.join(LANGUAGES)}")
        if not title or len(title) > MAX_TITLE:
            raise TriageError(f"the title must have 1 to {MAX_TITLE} characters")
        if not body or len(body) > MAX_REPLY_LENGTH:
            raise TriageError(f"the text must have 1 to {MAX_REPLY_LENGTH} characters")
        with self.sessions() as session:
            reply = SavedReply() if reply_id is None else session.get(SavedReply, reply_id)
            if reply is None:
                raise TriageError(f"no saved reply {reply_id}")
            reply.language, reply.title, reply.body, reply.updated_by = language, title, body, actor
            reply.updated_at = utcnow()
            session.add(reply)
            session.commit()
            return reply

    def delete(self, reply_id: int) -> None:
        with self.sessions() as session:
            reply = session.get(SavedReply, reply_id)
            if reply is None:
                raise TriageError(f"no saved reply {reply_id}")
            session.delete(reply)
            session.commit()
