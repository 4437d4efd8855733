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
from bot.database import Database
from bot.knowledge.history import ArticleHistory
from bot.knowledge.records import KnowledgeRecords
from bot.mail.outbox import MailOutbox
from bot.settings import ConsoleSettings, Settings
from bot.tickets.store import TicketStore
from bot.training.publishing import PublishJob

_publisher_lock = threading.Lock()


def init_app(app: Flask, settings: Settings, ticket_store: TicketStore) -> None:
    """Every store on the ticket store's database: the console holds one database handle."""
    database = ticket_store.database
    app.extensions["settings"] = settings
    app.extensions["database"] = database
    app.extensions["ticket_store"] = ticket_store
    app.extensions["mail_outbox"] = MailOutbox(database)
    app.extensions["knowledge_records"] = KnowledgeRecords(database)
    app.extensions["article_history"] = ArticleHistory(database)
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


def database() -> Database:
    """The console's one database handle (staff accounts, dashboard queries)."""
    return current_app.extensions["database"]


def store() -> TicketStore:
    return current_app.extensions["ticket_store"]


def mail_outbox() -> MailOutbox:
    return current_app.extensions["mail_outbox"]


def login_throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]


def knowledge_dir() -> Path:
    return settings().knowledge_dir


def knowledge_records() -> KnowledgeRecords:
    """The knowledge records (votes, answers, unanswered questions)."""
    return current_app.extensions["knowledge_records"]


def article_history() -> ArticleHistory:
    """Every article's revisions and drafts."""
    return current_app.extensions["article_history"]


def publisher() -> PublishJob:
    """The app's one publication job, made on first use (tests put one with fake steps there first)."""
    with _publisher_lock:
        job = current_app.extensions.get("knowledge_publisher")
        if job is None:
            job = current_app.extensions["knowledge_publisher"] = PublishJob.from_settings(settings())
        return job
