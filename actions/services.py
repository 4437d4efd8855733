"""The bot services the actions share: one knowledge base and one ticket store per action server."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker

from bot.knowledge import KnowledgeBase
from bot.settings import get_settings
from bot.tickets.store import TicketStore, make_engine


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return KnowledgeBase(get_settings().knowledge_dir)


@lru_cache(maxsize=1)
def ticket_store() -> TicketStore:
    settings = get_settings()
    return TicketStore(make_engine(settings.database_url), settings.reference_prefix)


def language_of(tracker: Tracker) -> str:
    """The partner's language: the `language` slot, else the configured default."""
    language = tracker.get_slot("language")
    return language if language in ("fr", "en") else get_settings().default_language
