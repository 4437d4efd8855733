"""Every version an article has had, and the drafts admins keep before they publish.

The files in `knowledge/` stay the source of truth for what is live; this history, in the ticket store's
database, keeps each version of a file's text. A save from the console is recorded as it is written; a change
made to a file some other way (a git pull, an editor) is recorded the next time the console or a publication
reads the folder (`sync`), with "file" as its author. A revision holds the whole file, so restoring one writes
back exactly what was live then (bot/knowledge/editing.py checks it first, like any save).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, DateTime, Integer, String, Text, UniqueConstraint, delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.database import Base, Database, utcnow
from bot.knowledge.articles import article_paths

KINDS = ("console", "file", "restore", "draft", "example")  # how a revision came about
FILE_AUTHOR = "file"  # the author of a change found in the folder: nobody the console knows
NOTE_CHARS = 300


class ArticleRevision(Base):
    __tablename__ = "article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_article_revisions_number"),)

    id = Column(Integer, primary_key=True)
    article_id = Column(String(100), nullable=False, index=True)
    number = Column(Integer, nullable=False)  # 1, 2, 3... per article
    content = Column(Text, nullable=False)  # the whole file
    content_hash = Column(String(64), nullable=False)
    author = Column(String(320), nullable=False)
    kind = Column(String(16), nullable=False)
    note = Column(String(NOTE_CHARS), nullable=False, default="")
    at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ArticleDraftRecord(Base):
    """One draft per article: the file's text as it will be once published; partners never see it."""

    __tablename__ = "article_drafts"

    article_id = Column(String(100), primary_key=True)
    content = Column(Text, nullable=False)
    base_hash = Column(String(64), nullable=False)  # the live file's hash when the draft was saved
    author = Column(String(320), nullable=False)
    note = Column(String(NOTE_CHARS), nullable=False, default="")
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


def content_hash(content: str) -> str:
    """The same hash `editing.file_version` gives the file holding `content`."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Draft:
    article_id: str
    content: str
    base_hash: str
    author: str
    note: str
    updated_at: datetime


class ArticleHistory:
    def __init__(self, database: Database):
        self.sessions = database.sessions

    # --- revisions ----------------------------------------------------------------------------------------------

    def record(self, article_id: str, content: str, author: str, kind: str, note: str = "") -> ArticleRevision | None:
        """A new revision with this content, unless it is the latest one already (a save that changed nothing)."""
        digest = content_hash(content)
        for _attempt in range(20):  # console processes numbering at once: a loser takes the next number
            with self.sessions() as session:
                latest = session.scalars(
                    select(ArticleRevision)
                    .where(ArticleRevision.article_id == article_id)
                    .order_by(ArticleRevision.number.desc())
                    .limit(1)
                ).first()
                if latest is not None and latest.content_hash == digest:
                    return None
                revision = ArticleRevision(
                    article_id=article_id,
                    number=(latest.number + 1) if latest else 1,
                    content=content,
                    content_hash=digest,
                    author=author,
                    kind=kind,
                    note=" ".join(note.split())[:NOTE_CHARS],
                )
                session.add(revision)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    continue
                return revision
        raise RuntimeError(f"could not number a revision of {article_id}")

    def revisions(self, article_id: str) -> list[ArticleRevision]:
        """The newest first."""
        with self.sessions() as session:
            query = (
                select(ArticleRevision)
                .where(ArticleRevision.article_id == article_id)
                .order_by(ArticleRevision.number.desc())
            )
            return list(session.scalars(query))

    def revision(self, article_id: str, number: int) -> ArticleRevision | None:
        with self.sessions() as session:
            query = select(ArticleRevision).where(
                ArticleRevision.article_id == article_id, ArticleRevision.number == number
            )
            return session.scalars(query).first()

    def sync(self, directory: Path) -> list[ArticleRevision]:
        """Record every article file whose text is not its latest revision: changes made outside the console,
        and, the first time, every article as it is."""
        with self.sessions() as session:
            latest_number = (
                select(ArticleRevision.article_id, func.max(ArticleRevision.number).label("number"))
                .group_by(ArticleRevision.article_id)
                .subquery()
            )
            known = dict(
                session.execute(
                    select(ArticleRevision.article_id, ArticleRevision.content_hash).join(
                        latest_number,
                        (ArticleRevision.article_id == latest_number.c.article_id)
                        & (ArticleRevision.number == latest_number.c.number),
                    )
                ).all()
            )
        recorded = []
        for path in article_paths(directory):
            try:
                content = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if known.get(path.stem) != content_hash(content):
                note = "changed in the knowledge folder" if path.stem in known else "as found in the knowledge folder"
                revision = self.record(path.stem, content, FILE_AUTHOR, "file", note)
                if revision is not None:
                    recorded.append(revision)
        return recorded

    # --- drafts -------------------------------------------------------------------------------------------------

    def save_draft(self, article_id: str, content: str, base_hash: str, author: str, note: str = "") -> Draft:
        with self.sessions() as session:
            row = session.get(ArticleDraftRecord, article_id) or ArticleDraftRecord(article_id=article_id)
            row.content, row.base_hash, row.author = content, base_hash, author
            row.note, row.updated_at = " ".join(note.split())[:NOTE_CHARS], utcnow()
            session.add(row)
            session.commit()
            return _draft(row)

    def draft(self, article_id: str) -> Draft | None:
        with self.sessions() as session:
            row = session.get(ArticleDraftRecord, article_id)
            return _draft(row) if row else None

    def drafts(self) -> dict[str, Draft]:
        with self.sessions() as session:
            return {row.article_id: _draft(row) for row in session.scalars(select(ArticleDraftRecord))}

    def discard_draft(self, article_id: str) -> bool:
        with self.sessions() as session:
            result = session.execute(delete(ArticleDraftRecord).where(ArticleDraftRecord.article_id == article_id))
            session.commit()
            return result.rowcount == 1


def _draft(row: ArticleDraftRecord) -> Draft:
    return Draft(row.article_id, row.content, row.base_hash, row.author, row.note, row.updated_at)
