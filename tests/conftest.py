"""Shared fixtures: ticket databases on SQLite and on the local PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.migrations import upgrade
from bot.tickets.store import TicketStore, make_engine
from tests.servers import assistant, console_server, workspace  # noqa: F401  (one set of servers per run)
from tests.services import postgres_database


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
    yield TicketStore(engine)
    engine.dispose()
