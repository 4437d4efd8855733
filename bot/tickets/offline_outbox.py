"""Tickets confirmed while the ticket database was unreachable: kept on disk, then delivered to the store once.

When storing a confirmed ticket fails because the database cannot be reached (PostgreSQL stopped or refusing
connections, an SQLite file that cannot be written), the confirmation writes the ticket here instead and gives
the partner its reference at once. A drain (every OUTBOX_DRAIN_SECONDS in the action server, and
`helpdesk outbox drain`) moves the entries to the store when the database is back.

- **Durable**: one SQLite file, `$HELPDESK_VAR_DIR/ticket-outbox.db`, committed with `synchronous=FULL` (the
  commit is on disk, fsynced, before the partner sees the reference). It is a local file on purpose: it must
  work exactly when the ticket database does not. Keep HELPDESK_VAR_DIR on a persistent disk.
- **One entry per submission key** (the primary key): a repeated confirmation finds the entry written the first
  time and its reference.
- **Exactly once**: delivering is `TicketStore.create`, which stores one ticket per submission key (a unique
  column), so a drain that is retried, or two drains racing (two action-server workers, the CLI), store one
  ticket; an entry leaves the outbox only after its ticket is in the store with the partner's reference.
- **The reference is final**: the store numbers tickets as it inserts them, which an outbox entry cannot wait
  for. Its reference is derived from the submission key instead: the year of the confirmation and a 12-digit
  number from the key's SHA-256 (`HD-2026-482913650217`). Stored tickets count from 1 (`HD-2026-000042`), so
  the two never meet; delivery stores the ticket, then gives it the derived reference and the confirmation
  time. Two outbox tickets of one year share a number with a probability of about n² / 1.8e12 (5e-5 for
  10,000 outbox tickets); should it happen, the second cannot take its reference, stays in the outbox and the
  drain names it (`helpdesk outbox drain`) for staff to settle by hand.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from bot.settings import Settings
from bot.tickets.models import ISSUE_TYPES, Ticket
from bot.tickets.reference import make_reference
from bot.tickets.store import NewTicket, TicketStore

logger = logging.getLogger(__name__)

OUTBOX_FILE = "ticket-outbox.db"
# The ticket database cannot be reached (refused, dropped, not accepting connections, file not writable, pool
# exhausted): the ticket waits in the outbox. Other errors (a bug, invalid data) are not hidden this way.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError, PoolTimeoutError)
DERIVED_DIGITS = 12

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    submission_key TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    confirmed_at TEXT NOT NULL,
    ticket TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
)
"""


def derived_reference(prefix: str, confirmed_at: datetime, submission_key: str) -> str:
    """The reference of an outbox ticket: the confirmation's year and a 12-digit number from the key's hash."""
    digest = int.from_bytes(hashlib.sha256(submission_key.encode("utf-8")).digest(), "big")
    low = 10 ** (DERIVED_DIGITS - 1)
    return make_reference(prefix, confirmed_at, low + digest % (10**DERIVED_DIGITS - low))


@dataclass(frozen=True)
class OutboxEntry:
    submission_key: str
    reference: str
    confirmed_at: datetime
    ticket: NewTicket
    attempts: int = 0
    last_error: str | None = None


class TicketOutbox:
    def __init__(self, path: Path, reference_prefix: str = "HD"):
        self.path = Path(path)
        self.reference_prefix = reference_prefix

    @classmethod
    def from_settings(cls, settings: Settings) -> TicketOutbox:
        return cls(settings.var_dir / OUTBOX_FILE, settings.reference_prefix)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode: each write is its own `BEGIN IMMEDIATE ... COMMIT`."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists()
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            if new:
                os.chmod(self.path, 0o600)  # partners' e-mails and descriptions, as in the ticket store
            connection.execute("PRAGMA synchronous=FULL")  # a commit returns once it is on the disk
            connection.execute(_SCHEMA)
            yield connection
        finally:
            connection.close()

    def put(self, new: NewTicket, submission_key: str, now: datetime | None = None) -> OutboxEntry:
        """Keep the ticket until the store takes it; a key already here returns the entry kept the first time.

        `new` is a ticket the submission checked (bot/tickets/submission.py), as the store takes it.
        """
        if new.issue_type not in ISSUE_TYPES:
            raise ValueError(f"unknown issue type {new.issue_type!r}")
        confirmed_at = now or datetime.now(timezone.utc)
        reference = derived_reference(self.reference_prefix, confirmed_at, submission_key)
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute(
                    "INSERT OR IGNORE INTO outbox (submission_key, reference, confirmed_at, ticket) "
                    "VALUES (?, ?, ?, ?)",
                    (submission_key, reference, confirmed_at.isoformat(), json.dumps(asdict(new))),
                )
                row = connection.execute("SELECT * FROM outbox WHERE submission_key = ?", (submission_key,)).fetchone()
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return _entry(row)

    def get(self, submission_key: str) -> OutboxEntry | None:
        if not self.path.exists():  # the usual case: no outage yet, no file, nothing to open
            return None
        with self._connection() as connection:
            row = connection.execute("SELECT * FROM outbox WHERE submission_key = ?", (submission_key,)).fetchone()
        return _entry(row) if row else None

    def pending(self) -> list[OutboxEntry]:
        """The entries, oldest confirmation first."""
        if not self.path.exists():
            return []
        with self._connection() as connection:
            rows = connection.execute("SELECT * FROM outbox ORDER BY confirmed_at, submission_key").fetchall()
        return [_entry(row) for row in rows]

    def remove(self, submission_key: str) -> None:
        with self._connection() as connection:
            connection.execute("DELETE FROM outbox WHERE submission_key = ?", (submission_key,))

    def record_failure(self, submission_key: str, error: str) -> None:
        with self._connection() as connection:
            connection.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE submission_key = ?",
                (error[:500], submission_key),
            )

    def created_since(
        self, since: datetime, conversation_id: str | None = None, client_address: str | None = None
    ) -> int:
        """Entries confirmed after `since` by one conversation or address: the ticket limits while the store is away.

        Same signature as TicketStore.created_since, so bot/rasa_server/message_limits.py counts either.
        """
        return sum(
            1
            for entry in self.pending()
            if entry.confirmed_at > since
            and (conversation_id is None or entry.ticket.conversation_id == conversation_id)
            and (client_address is None or entry.ticket.client_address == client_address)
        )


def _entry(row: tuple[Any, ...]) -> OutboxEntry:
    key, reference, confirmed_at, ticket, attempts, last_error = row
    ticket_fields = NewTicket(**json.loads(ticket))
    return OutboxEntry(key, reference, datetime.fromisoformat(confirmed_at), ticket_fields, attempts, last_error)


def deliver(store: TicketStore, entry: OutboxEntry) -> Ticket:
    """Put the entry's ticket in the store (once per submission key) under the reference the partner was given."""
    ticket, created = store.create(entry.ticket, submission_key=entry.submission_key)
    if ticket.reference != entry.reference:
        if not created:
            # An earlier drain stopped between the two steps, or the direct write did reach the database although
            # the confirmation saw it fail (the partner was then only ever told the outbox reference).
            logger.warning("ticket %s stored as %s takes its outbox reference", entry.reference, ticket.reference)
        store.set_reference(ticket.id, entry.reference, entry.confirmed_at)  # its acknowledgment's too
        ticket = store.get(ticket.id) or ticket
    return ticket


@dataclass
class DrainResult:
    delivered: list[str] = field(default_factory=list)  # references now in the store
    waiting: dict[str, str] = field(default_factory=dict)  # reference: why it is still in the outbox

    @property
    def database_unreachable(self) -> bool:
        return any(reason.startswith("database unreachable") for reason in self.waiting.values())


def drain(outbox: TicketOutbox, store: TicketStore) -> DrainResult:
    """Move every entry to the store; stop at the first sign that the database is still away."""
    result = DrainResult()
    entries = outbox.pending()
    for position, entry in enumerate(entries):
        try:
            deliver(store, entry)
        except DATABASE_UNREACHABLE as error:
            reason = f"database unreachable: {type(error).__name__}"
            outbox.record_failure(entry.submission_key, f"{reason}: {error}")
            result.waiting.update({e.reference: reason for e in entries[position:]})
            break
        except (IntegrityError, ValueError) as error:
            # Cannot succeed by retrying (the derived reference is taken, the data is refused): staff decide.
            logger.error("outbox ticket %s cannot be delivered: %s", entry.reference, error)
            outbox.record_failure(entry.submission_key, f"{type(error).__name__}: {error}")
            result.waiting[entry.reference] = f"{type(error).__name__}: {error}"
            continue
        outbox.remove(entry.submission_key)
        result.delivered.append(entry.reference)
    if result.delivered:
        logger.info("outbox: %d ticket(s) delivered to the store: %s", len(result.delivered), result.delivered)
    if result.waiting:
        logger.warning("outbox: %d ticket(s) still waiting: %s", len(result.waiting), result.waiting)
    return result


async def drain_forever(seconds: float, outbox: TicketOutbox, store: TicketStore) -> None:
    """Drain now, then every `seconds`; the work runs in a thread, as a database that is away can take its time."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            if outbox.path.exists():
                await loop.run_in_executor(None, drain, outbox, store)
        except Exception:
            logger.exception("outbox drain failed; next try in %s s", seconds)
        await asyncio.sleep(seconds)
