"""Alembic environment: runs migrations against the URL set by bot.migrations."""

from alembic import context
from sqlalchemy import engine_from_config, pool

import bot.accounts.models  # noqa: F401  (registers its tables)
import bot.knowledge.history  # noqa: F401
import bot.knowledge.records  # noqa: F401
import bot.mail.models  # noqa: F401
import bot.tickets.models  # noqa: F401
from bot.database import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool, future=True
    )
    with connectable.connect() as connection:
        # render_as_batch lets ALTER-style migrations run on SQLite too.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
