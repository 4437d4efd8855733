"""The services the actions share: one knowledge base, search, record store, ticket store and outbox per process."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker

from bot.database import make_engine
from bot.knowledge import KnowledgeBase
from bot.knowledge.records import KnowledgeRecords
from bot.knowledge.search import ArticleSearch
from bot.settings import LANGUAGES, get_settings
from bot.tickets.offline_outbox import TicketOutbox
from bot.tickets.store import TicketStore


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    settings = get_settings()
    return KnowledgeBase(settings.knowledge_dir, settings.deployment)


@lru_cache(maxsize=1)
def article_search() -> ArticleSearch:
    return ArticleSearch(knowledge_base())


@lru_cache(maxsize=1)
def _engine():
    return make_engine(get_settings().database_url)


@lru_cache(maxsize=1)
def ticket_store() -> TicketStore:
    return TicketStore.from_settings(get_settings(), _engine())


@lru_cache(maxsize=1)
def ticket_outbox() -> TicketOutbox:
    return TicketOutbox.from_settings()


@lru_cache(maxsize=1)
def knowledge_records() -> KnowledgeRecords:
    return KnowledgeRecords(_engine())


def language_of(tracker: Tracker) -> str:
    """The partner's language: the `language` slot, else the configured default."""
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else get_settings().default_language
