"""Rasa's SQL tracker store, with passwords and verification codes masked in free text before events are written.

Configured in endpoints.yml as `type: bot.rasa_server.tracker_store.MaskingSQLTrackerStore` with the usual
SQL tracker-store settings (SQLite by default, PostgreSQL in the scale-out profile).

A partner's message that came through our channels was masked once by the intake (bot/rasa_server/intake.py)
before Rasa read it: its user event carries the intake's record in its metadata and is stored as it is. The rest
is masked here: what the bot said, the free-text slots, and messages that did not come through a channel (Rasa's
HTTP API).
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
from collections.abc import Iterator
from typing import Any

import orjson
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.rasa_server.install import install
from bot.rasa_server.intake import IntakeRecord
from bot.text.masking import mask_secrets

logger = logging.getLogger(__name__)

# Slots that hold free text the partner wrote: masked like a message. The structured slots (organisation, profile
# link, e-mail, issue type) are never rewritten: "Code for Africa 2030" stays as it is, unless the slot is a copy
# of a message that held a secret (a from_text mapping copies the whole message).
FREE_TEXT_SLOTS = frozenset({"description"})
# What the NLU computed from the partner's words (labels and confidences), never the words themselves: the
# largest part of every message's event, and nothing in it to mask.
NLU_OUTPUTS = frozenset({"intent_ranking", "response_selector", "thresholds"})


def _masked_parse(value: Any) -> Any:
    """The parse data with the secrets masked in every string the message gave it (its text, entity values)."""
    if isinstance(value, str):
        return mask_secrets(value)
    if isinstance(value, dict):
        return {key: item if key in NLU_OUTPUTS else _masked_parse(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked_parse(item) for item in value]
    return value


def masked_event(event: Event, secrets_typed: dict[str, str] | None = None) -> Event:
    """The event, or a copy of it with the secrets in its free text masked.

    Free text is what a partner typed (a user message and its parse data's text), what the bot said (it may
    quote the partner), and the free-text slots. A user message the intake masked is already so, and so is
    every slot Rasa copied from it. `secrets_typed` maps each other message of this save that held a secret to
    its masked text, for the slots that copied it.
    """
    kind = event.type_name
    if kind not in ("user", "bot", "slot"):
        return event
    if kind == "user" and IntakeRecord.of(getattr(event, "metadata", None)) is not None:
        return event
    data = event.as_dict()
    if kind == "slot":
        value = data.get("value")
        if not isinstance(value, str):
            return event
        if data.get("name") in FREE_TEXT_SLOTS:
            masked_value = mask_secrets(value)
        else:
            masked_value = (secrets_typed or {}).get(value, value)
        return event if masked_value == value else Event.from_parameters({**data, "value": masked_value})
    text = data.get("text")
    mask = _masked_bot_text if kind == "bot" else mask_secrets
    masked_text = mask(text) if isinstance(text, str) else text
    if masked_text == text:
        return event
    masked = {**data, "text": masked_text}
    if isinstance(data.get("parse_data"), dict):
        masked["parse_data"] = _masked_parse(data["parse_data"])
    if secrets_typed is not None and kind == "user":
        secrets_typed[text] = masked["text"]
    return Event.from_parameters(masked)


_STORED = "_helpdesk_stored"  # on a tracker this store read or saved: (rows stored, the events they hold)


def _event_data(stored: str) -> dict[str, Any]:
    """A stored event read back with orjson (several times faster: Rasa reads the whole session every message);
    the standard library for what orjson refuses and `json.dumps` may have written (NaN, integers past 64 bits)."""
    try:
        return orjson.loads(stored)
    except orjson.JSONDecodeError:
        return json.loads(stored)


@functools.lru_cache(maxsize=512)
def _masked_bot_text(text: str) -> str:
    """A bot message masked, remembered: the bot repeats its answers, each a long text (0.8 ms to mask).

    A partner's message is masked afresh each time: a partner rarely sends the same words twice.
    """
    return mask_secrets(text)


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
        install()
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
        self._index_by_time()
        # Reads and writes go through plain connections (the ORM session's bookkeeping was a tenth of the time
        # of each); Rasa's session runs once, for its check that a configured PostgreSQL schema exists.
        with self.session_scope():
            pass
        self._insert = self.SQLEvent.__table__.insert()

    # The console's dashboard counts conversations by day (bot/dashboard/conversations.py): messages and slot
    # events by time, without reading the whole table. Rasa's own table indexes only the sender.
    TIME_INDEX = "CREATE INDEX IF NOT EXISTS ix_events_type_time ON {table} (type_name, timestamp, sender_id)"

    def _index_by_time(self) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(sa.text(self.TIME_INDEX.format(table=self.SQLEvent.__table__.name)))
        except sa.exc.SQLAlchemyError as error:
            # Two servers starting at once on PostgreSQL may race to create it: the other one did.
            logger.warning("could not index the tracker store's events by time (the dashboard is slower): %s", error)

    # Rasa builds these two queries as new ORM objects for every message, and SQLAlchemy 1.4 then computes a
    # cache key by walking each one, a visible share of the server's time under load. The same SQL as text
    # statements (the latest conversation session: events from its `session_started` on, or all when none).
    _SESSION = (
        "FROM {table} WHERE sender_id = :sender_id AND timestamp >= COALESCE("
        "(SELECT MAX(timestamp) FROM {table} WHERE sender_id = :sender_id AND type_name = :session_started), "
        "timestamp)"
    )

    def _session_statement(self, select: str, order: str = "") -> sa.sql.elements.TextClause:
        """The statement for this store's table, built once."""
        key = f"_statement_{select}{order}"
        if key not in self.__dict__:
            table = self.SQLEvent.__table__.name
            self.__dict__[key] = sa.text(f"SELECT {select} {self._SESSION.format(table=table)}{order}")
        return self.__dict__[key]

    def _session_parameters(self, sender_id: str) -> dict[str, str]:
        return {"sender_id": sender_id, "session_started": SessionStarted.type_name}

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        if fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        with self.engine.connect() as connection:
            statement = self._session_statement("data", " ORDER BY id")
            rows = connection.execute(statement, self._session_parameters(sender_id)).all()
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [_event_data(row.data) for row in rows], self.domain.slots)
        tracker.__dict__[_STORED] = (len(rows), tuple(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's `save`, its rows written in one multi-row insert instead of one ORM object each.

        The ORM's unit of work (identity map, per-object flush, attribute events) cost as much as the insert
        itself; the rows and their columns are the ones Rasa writes, in one transaction on a plain connection.
        """
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            rows = [self._row(tracker.sender_id, event) for event in self._additional_events(connection, tracker)]
            if rows:
                connection.execute(self._insert, rows)
        tracker.__dict__[_STORED] = (len(tracker.events), tuple(tracker.events))  # committed: all of them

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def _additional_events(self, connection: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        stored = self._stored_count(connection, tracker)
        new = itertools.islice(tracker.events, stored, len(tracker.events))
        secrets_typed: dict[str, str] = {}
        return (masked_event(event, secrets_typed) for event in new)

    def _stored_count(self, connection: Any, tracker: DialogueStateTracker) -> int:
        """How many of the tracker's events the store holds (Rasa counts the rows of the latest session).

        A tracker this store read (or saved) knows it: the rows it was read from, as long as the events it was
        read with are still its first ones. Rasa reads, extends and saves each conversation under its lock, so
        this saves a query per message; any other tracker (built anew, its events replaced) is counted.
        """
        known = tracker.__dict__.get(_STORED)
        if known is not None:
            rows, events = known
            current = tracker.events
            if len(current) >= len(events) and all(a is b for a, b in zip(events, current, strict=False)):
                return rows
        statement = self._session_statement("COUNT(*)")
        return connection.execute(statement, self._session_parameters(tracker.sender_id)).scalar_one()
