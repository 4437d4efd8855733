"""The conversation that led to a ticket, read from Rasa's SQL tracker store (already masked when written).

The store's address comes from the same `endpoints.yml` Rasa reads (`RASA_ENDPOINTS`, default the project's),
so the console shows what Rasa stored without a second setting to keep in step.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)
MAX_LINES = 400
_ENV_VARIABLE = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Line:
    speaker: str  # "partner" or "bot"
    text: str
    at: float  # seconds since the epoch, as Rasa stores it


def endpoints_path() -> Path:
    path = Path(os.environ.get("RASA_ENDPOINTS") or PROJECT_ROOT / "endpoints.yml")
    return path if path.is_absolute() else PROJECT_ROOT / path


def tracker_store_url(endpoints: Path) -> URL | None:
    """The SQLAlchemy URL of the tracker store configured in `endpoints`, or None when it is not SQL."""
    try:
        raw = endpoints.read_text(encoding="utf-8")
    except OSError:
        return None
    config = yaml.safe_load(_ENV_VARIABLE.sub(lambda m: os.environ.get(m.group(1), ""), raw)) or {}
    store = config.get("tracker_store") or {}
    if not str(store.get("type", "")).lower().endswith(("sql", "sqltrackerstore")):
        return None
    dialect = store.get("dialect", "sqlite")
    database = store.get("db", "rasa.db")
    if dialect == "sqlite":
        path = Path(database)
        return URL.create("sqlite", database=str(path if path.is_absolute() else PROJECT_ROOT / path))
    return URL.create(
        dialect if "+" in dialect or dialect != "postgresql" else "postgresql+psycopg2",
        username=store.get("username"),
        password=store.get("password"),
        host=store.get("url"),
        port=store.get("port"),
        database=database,
    )


@lru_cache(maxsize=4)
def _engine(url: URL) -> Engine:
    return create_engine(url, future=True)


def transcript(conversation_id: str | None, endpoints: Path | None = None) -> list[Line] | None:
    """What the partner and the bot said, oldest first; None when the tracker store cannot be read."""
    if not conversation_id:
        return []
    url = tracker_store_url(endpoints or endpoints_path())
    if url is None:
        return None
    if url.drivername == "sqlite" and not Path(url.database or "").exists():
        return None
    query = text(
        "SELECT type_name, data FROM events WHERE sender_id = :sender "
        "AND type_name IN ('user', 'bot') ORDER BY id LIMIT :limit"
    )
    try:
        with _engine(url).connect() as connection:
            rows = connection.execute(query, {"sender": conversation_id, "limit": MAX_LINES}).all()
    except SQLAlchemyError as error:
        logger.warning("cannot read the conversation %s from the tracker store: %s", conversation_id, error)
        return None
    lines = []
    for type_name, data in rows:
        event = json.loads(data) if isinstance(data, str) else data or {}
        said = event.get("text")
        if said:
            lines.append(Line("partner" if type_name == "user" else "bot", said, event.get("timestamp", 0.0)))
    return lines
