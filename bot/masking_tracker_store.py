"""Rasa's SQL tracker store, with passwords and verification codes masked before events are written.

Configured in endpoints.yml as `type: bot.masking_tracker_store.MaskingSQLTrackerStore` with the usual
SQL tracker-store settings (SQLite by default, PostgreSQL in the scale-out profile).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import mask_secrets


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def masked_event(event: Event) -> Event:
    """The event, or a copy of it with every secret in its text, parse data or slot value masked."""
    data = event.as_dict()
    masked = _masked(data)
    return event if masked == data else Event.from_parameters(masked)


def _sqlite_write_ahead_log(connection: Any, _record: Any) -> None:
    """SQLite in write-ahead-log mode, synced at checkpoints rather than at every commit.

    Rasa commits once per message on its only event loop, so with SQLite's defaults every partner waits for two
    disk syncs of every other partner's message. A commit still survives the Rasa process crashing; only an
    operating-system crash or power cut can lose the last ones. The console reads while Rasa writes.
    """
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class MaskingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens and closes a SQLite file for every session (NullPool), and the last close of
            # a WAL database checkpoints it: keep the connections open instead. Rasa runs one event loop, so
            # one connection serves it; the pool lets it move between threads.
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.QueuePool, pool_size=2, connect_args={"check_same_thread": False}
            )
            sa.event.listen(self.engine, "connect", _sqlite_write_ahead_log)
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        return (masked_event(event) for event in super()._additional_events(session, tracker))
