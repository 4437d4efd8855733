"""What the knowledge base learns from partners: "was this helpful?" votes and questions it could not answer."""

from __future__ import annotations

import json

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from bot.database import Base, utcnow
from bot.privacy import mask_secrets


class ArticleFeedback(Base):
    __tablename__ = "article_feedback"

    id = Column(Integer, primary_key=True)
    article_id = Column(String(100), nullable=False, index=True)
    helpful = Column(Boolean, nullable=False)
    language = Column(String(2), nullable=False)
    conversation_id = Column(String(255), nullable=True)
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


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


class KnowledgeRecords:
    def __init__(self, engine: Engine):
        self.sessions = sessionmaker(engine, future=True, expire_on_commit=False)

    def record_feedback(self, article_id: str, helpful: bool, language: str, conversation_id: str | None) -> None:
        with self.sessions() as session:
            session.add(
                ArticleFeedback(
                    article_id=article_id, helpful=helpful, language=language, conversation_id=conversation_id
                )
            )
            session.commit()

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
