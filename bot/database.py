"""The one SQLAlchemy metadata and engine factory shared by the ticket store and the knowledge records."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        return create_engine(database_url, future=True, connect_args={"check_same_thread": False})
    return create_engine(database_url, future=True, pool_pre_ping=True)
