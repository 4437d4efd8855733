"""Console fixtures: a migrated SQLite ticket store and the console app with one staff account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bot.accounts.users import create_staff_user
from bot.console import create_app
from bot.migrations import upgrade
from bot.tickets.store import TicketStore, make_engine
from tests.integration.console.support import PASSWORD
from tests.support.settings import console_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Settings a developer's `.env` may hold that would change what the console tests see (a shared Redis)."""
    names = ("REDIS_URL", "LOGIN_THROTTLE_PREFIX", "CONSOLE_HTTPS", "TRUST_PROXY")
    names += ("LOGIN_MAX_FAILURES", "LOGIN_WINDOW_SECONDS")
    for name in names:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield TicketStore(engine)
    engine.dispose()


@pytest.fixture
def app(store: TicketStore) -> Flask:
    settings = console_settings()
    app = create_app(settings, store)
    app.config.update(TESTING=True)
    create_staff_user(store, "agent@helpdesk.org", PASSWORD, role="staff")
    return app
