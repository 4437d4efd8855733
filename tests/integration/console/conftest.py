"""Console fixtures: a migrated SQLite ticket store and the console app with one staff account; or with an admin
too, on a copy of the knowledge base."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bot.accounts.users import create_staff_user
from bot.console import create_app
from bot.database import Database, make_engine
from bot.migrations import upgrade
from bot.settings import PROJECT_ROOT
from bot.tickets.store import TicketStore
from tests.integration.console.support import ADMIN, PASSWORD, STAFF
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
    yield TicketStore(Database(engine))
    engine.dispose()


@pytest.fixture
def kb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the knowledge base the console edits, so a test may change articles as an admin would."""
    directory = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", directory)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(directory))
    return directory


@pytest.fixture
def admin_app(store: TicketStore, kb_dir: Path) -> Flask:
    """The console on that copy, with a staff member (STAFF) and an admin (ADMIN)."""
    app = create_app(console_settings(), store)
    app.config.update(TESTING=True)
    create_staff_user(store.database, STAFF, PASSWORD, role="staff")
    create_staff_user(store.database, ADMIN, PASSWORD, role="admin")
    return app


@pytest.fixture
def app(store: TicketStore) -> Flask:
    settings = console_settings()
    app = create_app(settings, store)
    app.config.update(TESTING=True)
    create_staff_user(store.database, "agent@helpdesk.org", PASSWORD, role="staff")
    return app
