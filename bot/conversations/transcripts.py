"""The conversation that led to a ticket, read from Rasa's SQL tracker store (already masked when written).

The store's address comes from the same settings Rasa gets: the environment (`TRACKER_STORE_URL`, see
bot/rasa_server/endpoints.py, which `helpdesk endpoints` writes for `rasa run`), or the endpoints file named by
`RASA_ENDPOINTS` for those who start Rasa with their own file; no second setting to keep in step.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from bot.rasa_server.endpoints import EndpointsError, sql_url_of
from bot.rasa_server.endpoints import tracker_store_url as configured_tracker_store_url
from bot.settings import Settings, expand_variables

logger = logging.getLogger(__name__)
MAX_LINES = 400


@dataclass(frozen=True)
class Line:
    speaker: str  # "partner" or "bot"
    text: str
    at: float  # seconds since the epoch, as Rasa stores it


def tracker_store_url(settings: Settings) -> URL | None:
    """The SQLAlchemy URL of Rasa's tracker store, or None when it is not SQL or cannot be read.

    From the endpoints file RASA_ENDPOINTS names, else from the settings as `helpdesk endpoints` builds it.
    """
    endpoints = settings.rasa.endpoints
    if endpoints is None:
        try:
            return configured_tracker_store_url(settings)
        except EndpointsError as error:
            logger.warning("cannot locate the tracker store: %s", error)
            return None
    try:
        raw = endpoints.read_text(encoding="utf-8")
    except OSError:
        return None
    config = yaml.safe_load(expand_variables(raw)) or {}
    try:
        return sql_url_of(config.get("tracker_store") or {})
    except (ArgumentError, ValueError) as error:
        logger.warning("cannot read the tracker store of %s: %s", endpoints, error)
        return None


@lru_cache(maxsize=4)
def _engine(url: URL) -> Engine:
    return create_engine(url, future=True)


def tracker_engine(settings: Settings) -> Engine | None:
    """An engine on Rasa's SQL tracker store, or None when it is not SQL or its SQLite file does not exist yet."""
    url = tracker_store_url(settings)
    if url is None:
        return None
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").exists():
        return None
    return _engine(url)


def transcript(conversation_id: str | None, settings: Settings) -> list[Line] | None:
    """What the partner and the bot said, oldest first; None when the tracker store cannot be read."""
    if not conversation_id:
        return []
    engine = tracker_engine(settings)
    if engine is None:
        return None
    query = text(
        "SELECT type_name, data FROM events WHERE sender_id = :sender "
        "AND type_name IN ('user', 'bot') ORDER BY id LIMIT :limit"
    )
    try:
        with engine.connect() as connection:
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
