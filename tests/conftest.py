"""Shared fixtures (ticket databases on SQLite and on the local PostgreSQL server), and each test's tier.

The folder a test is in is its tier and its marker: `unit` (no server, no database but a file: `pytest tests/unit`
is the quick loop), `integration` (the stores on SQLite and PostgreSQL, Redis), `system` (the real servers:
conversations, faults, load, scale-out, browser, accuracy).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.database import Database, make_engine
from bot.migrations import upgrade
from bot.tickets.store import TicketStore
from tests.support.servers import assistant, console_server, workspace  # noqa: F401  (one set of servers per run)
from tests.support.services import postgres_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A migrated ticket database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tickets.db'}"
        upgrade(url)
        yield url
    else:
        for url in postgres_database():
            upgrade(url)
            yield url


@pytest.fixture
def store(database_url: str) -> Iterator[TicketStore]:
    engine = make_engine(database_url)
    yield TicketStore(Database(engine))
    engine.dispose()


TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "integration", "system")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = item.path.relative_to(TESTS).parts[0]
        if tier in TIERS:
            item.add_marker(tier)
