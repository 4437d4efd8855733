"""What the knowledge base learns from partners: answers given, helpful votes, questions it could not answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Text, func, insert, select, update

from bot.database import Base, Database, utcnow
from bot.text.masking import mask_secrets


class ArticleFeedback(Base):
    __tablename__ = "article_feedback"

    id = Column(Integer, primary_key=True)
    article_id = Column(String(100), nullable=False, index=True)
    helpful = Column(Boolean, nullable=False)
    language = Column(String(2), nullable=False)
    conversation_id = Column(String(255), nullable=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class UnansweredQuestion(Base):
    """A question the bot was not sure about, what it offered instead, and what the partner chose."""

    __tablename__ = "unanswered_questions"

    id = Column(Integer, primary_key=True)
    text = Column(Text, nullable=False)
    language = Column(String(2), nullable=False)
    offered = Column(Text, nullable=False, default="[]")  # JSON list of article ids
    chosen = Column(String(100), nullable=True)  # an article id, or "support"
    conversation_id = Column(String(255), nullable=True, index=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)


class ArticleAnswer(Base):
    """One answer the bot gave from an article, so admins see which articles carry the load."""

    __tablename__ = "article_answers"
    # The dashboard counts answers and answered conversations per day from this index alone (migration 0012).
    __table_args__ = (Index("ix_article_answers_dashboard", "at", "conversation_id", "article_id"),)

    id = Column(Integer, primary_key=True)
    article_id = Column(String(100), nullable=False, index=True)
    language = Column(String(2), nullable=False)
    conversation_id = Column(String(255), nullable=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


@dataclass(frozen=True)
class FrequentQuestion:
    """Unanswered questions with the same text (case and spaces aside): the latest one, and how many."""

    latest: UnansweredQuestion
    count: int
    last_at: datetime


def question_key(text: str) -> str:
    """The text as the frequency view groups it: case and spaces do not make a different question."""
    return " ".join(text.casefold().split())


class KnowledgeRecords:
    def __init__(self, database: Database):
        self.engine = database.engine
        self.sessions = database.sessions

    def _add(self, model: type[Base], **values: Any) -> None:
        """One row in one transaction, without the ORM: the action server records every answer it gives, and the
        session's unit of work cost more than the insert (its column defaults still apply)."""
        with self.engine.begin() as connection:
            connection.execute(insert(model), values)

    def record_feedback(self, article_id: str, helpful: bool, language: str, conversation_id: str | None) -> None:
        self._add(
            ArticleFeedback, article_id=article_id, helpful=helpful, language=language, conversation_id=conversation_id
        )

    def feedback_counts(self) -> dict[str, tuple[int, int]]:
        """(helpful, not helpful) votes per article id."""
        with self.sessions() as session:
            rows = session.execute(
                select(ArticleFeedback.article_id, ArticleFeedback.helpful, func.count()).group_by(
                    ArticleFeedback.article_id, ArticleFeedback.helpful
                )
            )
            counts: dict[str, list[int]] = {}
            for article_id, helpful, n in rows:
                counts.setdefault(article_id, [0, 0])[0 if helpful else 1] += n
            return {article_id: (yes, no) for article_id, (yes, no) in counts.items()}

    def record_answer(self, article_id: str, language: str, conversation_id: str | None) -> None:
        self._add(ArticleAnswer, article_id=article_id, language=language, conversation_id=conversation_id)

    def answer_counts(self) -> dict[str, int]:
        """How many times each article answered."""
        with self.sessions() as session:
            rows = session.execute(select(ArticleAnswer.article_id, func.count()).group_by(ArticleAnswer.article_id))
            return {article_id: n for article_id, n in rows}

    def record_unanswered(self, text: str, language: str, offered: list[str], conversation_id: str | None) -> int:
        with self.sessions() as session:
            row = UnansweredQuestion(
                text=mask_secrets(text)[:2000],
                language=language,
                offered=json.dumps(offered),
                conversation_id=conversation_id,
            )
            session.add(row)
            session.commit()
            return row.id

    def record_choice(self, conversation_id: str, chosen: str) -> bool:
        """Note what the partner picked after the latest unsure answer of this conversation, once."""
        with self.sessions() as session:
            latest = session.scalar(
                select(func.max(UnansweredQuestion.id)).where(UnansweredQuestion.conversation_id == conversation_id)
            )
            if latest is None:
                return False
            result = session.execute(
                update(UnansweredQuestion)
                .where(UnansweredQuestion.id == latest, UnansweredQuestion.chosen.is_(None))
                .values(chosen=chosen)
            )
            session.commit()
            return result.rowcount == 1

    def unanswered(self, limit: int = 100) -> list[UnansweredQuestion]:
        with self.sessions() as session:
            query = select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(limit)
            return list(session.scalars(query))

    def unanswered_question(self, question_id: int) -> UnansweredQuestion | None:
        with self.sessions() as session:
            return session.get(UnansweredQuestion, question_id)

    def frequent_unanswered(self, limit: int = 100, scan: int = 5000) -> list[FrequentQuestion]:
        """The most asked unanswered questions among the latest `scan`, grouped by `question_key`.

        Grouped here rather than in SQL: the normalisation (Unicode case folding, inner spaces) is the same on
        SQLite and PostgreSQL this way, and `scan` keeps the work bounded.
        """
        with self.sessions() as session:
            query = select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(scan)
            groups: dict[str, list[UnansweredQuestion]] = {}
            for row in session.scalars(query):
                groups.setdefault(question_key(row.text), []).append(row)
        found = [FrequentQuestion(latest=rows[0], count=len(rows), last_at=rows[0].at) for rows in groups.values()]
        found.sort(key=lambda q: (q.count, q.latest.id), reverse=True)
        return found[:limit]
