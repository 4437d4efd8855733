"""The migrations build the database the models describe, on SQLite and PostgreSQL: a column or index added to
a model without its migration (or the other way round) fails here, not on a user's upgrade."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import bot.accounts.models  # noqa: F401  (every table the migrations make)
import bot.knowledge.history  # noqa: F401
import bot.knowledge.records  # noqa: F401
import bot.mail.models  # noqa: F401
import bot.tickets.models  # noqa: F401
from bot.database import Base, make_engine
from bot.migrations import downgrade, upgrade
from tests.support.services import postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
    else:
        yield from postgres_database("helpdesk_migrations")


def differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            found = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    return [
        change
        for change in found
        if not (isinstance(change, tuple) and change[0] == "remove_table" and change[1].name == "alembic_version")
    ]


def test_the_migrated_database_is_the_one_the_models_describe(database_url: str) -> None:
    upgrade(database_url)
    assert differences(database_url) == []


def test_the_latest_migrations_go_down_and_up_again(database_url: str) -> None:
    upgrade(database_url)
    downgrade(database_url, "0011")
    upgrade(database_url)
    assert differences(database_url) == []
