"""What every console area shares, made once per app and reached through `current_app.extensions`.

`init_app` puts them there (tests may replace one afterwards, e.g. a publication job with fake steps); the
accessors below are what views call, so no view reaches into `current_app.extensions` by name.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from bot.console.auth.redis_throttle import RedisLoginThrottle
from bot.console.auth.throttle import LoginThrottle
from bot.knowledge.history import ArticleHistory
from bot.knowledge.publishing import PublishJob
from bot.knowledge.records import KnowledgeRecords
from bot.settings import ConsoleSettings, Settings
from bot.tickets.store import TicketStore

_publisher_lock = threading.Lock()


def init_app(app: Flask, settings: Settings, ticket_store: TicketStore) -> None:
    app.extensions["settings"] = settings
    app.extensions["ticket_store"] = ticket_store
    app.extensions["login_throttle"] = make_login_throttle(settings.console)


def make_login_throttle(settings: ConsoleSettings) -> LoginThrottle:
    """In this process's memory, or shared by every console process through Redis when `REDIS_URL` is set."""
    if not settings.redis_url:
        return LoginThrottle(settings.login_max_failures, settings.login_window_seconds)
    return RedisLoginThrottle(
        settings.redis_url,
        settings.login_max_failures,
        settings.login_window_seconds,
        prefix=settings.login_throttle_prefix,
    )


def settings() -> Settings:
    return current_app.extensions["settings"]


def store() -> TicketStore:
    return current_app.extensions["ticket_store"]


def login_throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]


def knowledge_dir() -> Path:
    return settings().knowledge_dir


def knowledge_records() -> KnowledgeRecords:
    """The knowledge records (votes, answers, unanswered questions), on the ticket store's database."""
    extensions = current_app.extensions
    if "knowledge_records" not in extensions:
        extensions["knowledge_records"] = KnowledgeRecords(store().engine)
    return extensions["knowledge_records"]


def article_history() -> ArticleHistory:
    """Every article's revisions and drafts, on the ticket store's database."""
    extensions = current_app.extensions
    if "article_history" not in extensions:
        extensions["article_history"] = ArticleHistory(store().engine)
    return extensions["article_history"]


def publisher() -> PublishJob:
    """The app's one publication job, made on first use (tests put one with fake steps there first)."""
    with _publisher_lock:
        job = current_app.extensions.get("knowledge_publisher")
        if job is None:
            job = current_app.extensions["knowledge_publisher"] = PublishJob(knowledge_dir=settings().knowledge_dir)
        return job
