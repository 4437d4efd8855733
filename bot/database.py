"""The one SQLAlchemy metadata, and the one database handle of a process: its engine and its sessions.

A process makes its `Database` once (`Database.connect(settings.database_url)`) and hands it to the ticket store,
the staff accounts, the knowledge records and the article history, which all live in that one database.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite in write-ahead-log mode, each commit still synced to disk before it returns.

    With SQLite's default rollback journal, every commit (one per answer the bot gives, for the dashboard)
    wrote, synced and deleted a journal beside the database: two thirds of the action server's time under 20
    partners was spent there, in its only event loop. A WAL commit is one append and one sync; the console
    reads while the action server writes. `synchronous=FULL` keeps a ticket on disk once it is committed.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, future=True, pool_pre_ping=True)
    if make_url(database_url).database in (None, "", ":memory:"):
        return create_engine(database_url, future=True, connect_args={"check_same_thread": False})
    # SQLAlchemy 1.4 opens a SQLite file anew for every session (NullPool) and reads its schema each time:
    # the connections are kept open instead.
    engine = create_engine(database_url, future=True, poolclass=QueuePool, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _write_ahead_log)
    return engine


class Database:
    """The engine and the session factory every store of a process shares (one pool of connections)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        # Objects stay readable after their session commits: stores hand them to views and actions.
        self.sessions: sessionmaker[Session] = sessionmaker(engine, future=True, expire_on_commit=False)

    @classmethod
    def connect(cls, database_url: str) -> Database:
        return cls(make_engine(database_url))

    @property
    def url(self) -> str:
        """The address without its password, for messages to operators."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()
