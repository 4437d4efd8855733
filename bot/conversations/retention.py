"""Forget old conversations: delete from Rasa's SQL tracker store every conversation that has been quiet for
longer than the retention period (`TRANSCRIPT_RETENTION_DAYS`, default 90).

A conversation (one `sender_id`) goes whole or stays whole: it is deleted only when its LAST event is older than
the cutoff, so a partner who is still talking never loses the start of the conversation. Everything happens in
one transaction. On PostgreSQL the `events` table is locked against Rasa's own writes for that transaction:
Rasa's save counts the stored events and appends the rest in one transaction, so it runs either wholly before
the purge (the conversation is then recent and kept) or wholly after it (it then writes the whole tracker again).
On SQLite the purge takes the database's write lock first, but Rasa counts outside its write transaction there:
a partner writing into a conversation quiet for the whole period at the very moment of a purge could be left with
only the new messages stored.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import column, create_engine, func, inspect, select, table, text
from sqlalchemy.engine import URL, Engine

SECONDS_PER_DAY = 86_400

# Rasa's `events` table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent): only the columns used here.
events = table("events", column("id"), column("sender_id"), column("timestamp"))


@dataclass(frozen=True)
class PurgeResult:
    conversations: int
    events: int
    cutoff: float  # seconds since the epoch: conversations whose last event is older were (or would be) removed
    dry_run: bool


def _stale_conversations(cutoff: float):
    """The sender ids whose most recent event is older than `cutoff` (conversations without a timestamp stay)."""
    return select(events.c.sender_id).group_by(events.c.sender_id).having(func.max(events.c.timestamp) < cutoff)


def purge_engine(engine: Engine, older_than_days: int, dry_run: bool = False, now: float | None = None) -> PurgeResult:
    """Delete (or with `dry_run` only count) the events of every conversation quiet for `older_than_days`."""
    if older_than_days < 1:
        raise ValueError("the retention period is at least one day")
    cutoff = (time.time() if now is None else now) - older_than_days * SECONDS_PER_DAY
    if not inspect(engine).has_table("events"):
        return PurgeResult(conversations=0, events=0, cutoff=cutoff, dry_run=dry_run)
    stale = _stale_conversations(cutoff).subquery()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql" and not dry_run:
            # Waits for Rasa's save transactions in progress; Rasa's next ones wait for this one.
            connection.execute(text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))
        elif connection.dialect.name == "sqlite" and not dry_run:
            # Take SQLite's write lock now, so the counts and the deletion see the same conversations.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        conversations = connection.execute(select(func.count()).select_from(stale)).scalar_one()
        in_stale = events.c.sender_id.in_(select(stale.c.sender_id))
        if dry_run:
            removed = connection.execute(select(func.count()).select_from(events).where(in_stale)).scalar_one()
        else:
            removed = connection.execute(events.delete().where(in_stale)).rowcount
    return PurgeResult(conversations=conversations, events=removed, cutoff=cutoff, dry_run=dry_run)


def purge_transcripts(url: URL | str, older_than_days: int, dry_run: bool = False) -> PurgeResult:
    engine = create_engine(url, future=True)
    try:
        return purge_engine(engine, older_than_days, dry_run=dry_run)
    finally:
        engine.dispose()
