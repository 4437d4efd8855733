"""What the actions share, made once per action-server process from its settings: the knowledge base and its
search, the one database handle and the stores on it, the offline outbox.

`actions/server.py` builds them at start with the settings it was handed (`configure`); rasa-sdk builds the
actions themselves without arguments, so an action reaches them through `services()`. Nothing here reads the
environment on the per-message path: the settings were read once, when the process started.
"""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Tracker

from bot.database import Database
from bot.knowledge import KnowledgeBase
from bot.knowledge.records import KnowledgeRecords
from bot.knowledge.search import ArticleSearch
from bot.mail.outbox import MailOutbox
from bot.settings import LANGUAGES, Settings, process_settings
from bot.tickets.offline_outbox import TicketOutbox
from bot.tickets.store import TicketStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    knowledge_base: KnowledgeBase
    search: ArticleSearch
    tickets: TicketStore
    offline_outbox: TicketOutbox  # tickets confirmed while the database is unreachable
    mail_outbox: MailOutbox
    records: KnowledgeRecords  # answers given, votes, questions the bot could not answer

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        database = Database.connect(settings.database_url)
        knowledge_base = KnowledgeBase(settings.knowledge_dir, settings.deployment)
        return cls(
            settings=settings,
            database=database,
            knowledge_base=knowledge_base,
            search=ArticleSearch(knowledge_base),
            tickets=TicketStore.from_settings(settings, database),
            offline_outbox=TicketOutbox.from_settings(settings),
            mail_outbox=MailOutbox(database),
            records=KnowledgeRecords(database),
        )

    def language_of(self, tracker: Tracker) -> str:
        """The partner's language: the `language` slot, else the configured default."""
        language = tracker.get_slot("language")
        return language if language in LANGUAGES else self.settings.default_language


_current: Services | None = None


def configure(settings: Settings) -> Services:
    """Make this process's services from `settings` (the action server at start; tests with their own)."""
    global _current
    _current = Services.from_settings(settings)
    return _current


def use(services: Services | None) -> None:
    """Put these services in place (tests: a store on their database); None forgets them."""
    global _current
    _current = services


def services() -> Services:
    """This process's services: those configured, else made once from the process's settings (an action run
    in-process, outside the server)."""
    return _current or configure(process_settings())
