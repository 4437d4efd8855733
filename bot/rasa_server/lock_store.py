"""Rasa's Redis lock store with Rasa's ticket semantics, each step one atomic Redis script.

Configured in the endpoints as `type: bot.rasa_server.lock_store.RedisTicketLockStore` (LOCK_STORE_URL) with the
keys of Rasa's `redis` lock store. Rasa's own reads a conversation's lock, changes it in Python and writes it back:
seven round trips to Redis per message, each blocking the worker's event loop, and two servers issuing tickets
for one conversation at the same instant could both read the same lock and each believe it holds it. Here the
tickets of a conversation are a sorted set (ticket number -> expiry, on Redis's clock) and a counter; issuing a
ticket, asking whether it is being served and giving it back are each one script: two round trips per message,
awaited (Redis's asyncio client) so the worker answers other partners meanwhile. Rasa's blocking calls held the
event loop: a tenth of a worker's time under 20 partners went to waiting for Redis.

What Rasa's lock promises holds: the turns of one conversation are handled one at a time, in the order they
arrived, on every server sharing the Redis; a ticket whose holder died stops blocking once its lifetime (Rasa's
TICKET_LOCK_LIFETIME, 60 s by default) has passed; nothing is left in Redis once no turn holds or waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import DEFAULT_SOCKET_TIMEOUT_IN_SECONDS, LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server.install import install

logger = logging.getLogger(__name__)

# KEYS: the conversation's tickets (sorted set: number -> expiry in ms) and its ticket counter.
# Redis's own clock, so servers whose clocks differ agree on what has expired.
_NOW = "local clock = redis.call('TIME') local now = clock[1] * 1000 + math.floor(clock[2] / 1000) "
_DROP_EXPIRED = "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
_LOWEST = (
    "local lowest = nil "
    "for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do "
    "  local number = tonumber(member) if lowest == nil or number < lowest then lowest = number end "
    "end "
)
# ARGV[1]: lifetime in ms. Returns the new ticket and 1 when it is served at once.
ISSUE = (
    _NOW + _DROP_EXPIRED + "local ticket = redis.call('INCR', KEYS[2]) "
    "redis.call('ZADD', KEYS[1], now + ARGV[1], ticket) "
    "redis.call('PEXPIRE', KEYS[1], ARGV[1]) redis.call('PEXPIRE', KEYS[2], ARGV[1]) "
    + _LOWEST
    + "if lowest == ticket then return {ticket, 1} end return {ticket, 0}"
)
# ARGV[1]: the ticket. Returns 1 when it is served now, 0 while an earlier one is, -1 once it has expired.
SERVED = (
    _NOW
    + _DROP_EXPIRED
    + "if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end "
    + _LOWEST
    + "if lowest == tonumber(ARGV[1]) then return 1 end return 0"
)
# ARGV[1]: the ticket. Both keys go once no ticket is left.
RELEASE = (
    _NOW
    + "redis.call('ZREM', KEYS[1], ARGV[1]) "
    + _DROP_EXPIRED
    + "if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end return 1"
)


# Lock-store calls that must finish even when their turn is cancelled: the event loop keeps only weak references
# to tasks.
_GIVING_BACK: set[asyncio.Future] = set()


def _in_background(work: Any) -> asyncio.Future:
    task = asyncio.ensure_future(work)
    _GIVING_BACK.add(task)
    task.add_done_callback(_GIVING_BACK.discard)
    return task


def _milliseconds(lock_lifetime: float) -> int:
    """A ticket's lifetime as the scripts take it: whole milliseconds, at least one."""
    return max(1, int(lock_lifetime * 1000))


def _give_back(issuing: asyncio.Future, release: Any, keys: list[str]) -> None:
    """Give back a ticket issued for a turn cancelled while it was being issued."""
    if not issuing.cancelled() and issuing.exception() is None:
        _in_background(release(keys=keys, args=[issuing.result()[0]]))


class RedisTicketLockStore(RedisLockStore):
    """Rasa's RedisLockStore (same settings, several Sanic workers and servers allowed), atomic and lean."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        install()  # as every class Rasa loads from us: the server is patched whichever of them its configuration names
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)
        self._issue = self.red.register_script(ISSUE)
        self._release = self.red.register_script(RELEASE)
        self._options = kwargs  # the same connection settings for the asyncio client of each event loop
        self._async: dict[int, tuple[Any, ...]] = {}  # id of the loop -> (loop, client, scripts...)

    def _scripts(self) -> tuple[Any, ...]:
        """The issue, served and release scripts on this event loop's asyncio client (one loop per Sanic worker)."""
        loop = asyncio.get_running_loop()
        if self._async.get(id(loop), (None,))[0] is not loop:  # a loop not seen (or a new one with an old id)
            options = self._options
            client = redis.asyncio.Redis(
                host=options.get("host", "localhost"),
                port=int(options.get("port", 6379)),
                db=int(options.get("db", 1)),  # Rasa's default
                username=options.get("username"),
                password=options.get("password"),
                ssl=bool(options.get("use_ssl", False)),
                ssl_certfile=options.get("ssl_certfile"),
                ssl_keyfile=options.get("ssl_keyfile"),
                ssl_ca_certs=options.get("ssl_ca_certs"),
                socket_timeout=options.get("socket_timeout", DEFAULT_SOCKET_TIMEOUT_IN_SECONDS),
            )
            scripts = (client.register_script(code) for code in (ISSUE, SERVED, RELEASE))
            self._async[id(loop)] = (loop, client, *scripts)
        return self._async[id(loop)][2:]

    def _keys(self, conversation_id: str) -> list[str]:
        """The conversation's tickets and counter: the id comes last, so no conversation id names another's key."""
        return [f"{self.key_prefix}tickets:{conversation_id}", f"{self.key_prefix}issued:{conversation_id}"]

    def _issue_ticket(self, conversation_id: str, lock_lifetime: float) -> tuple[int, bool]:
        try:
            ticket, served = self._issue(keys=self._keys(conversation_id), args=[_milliseconds(lock_lifetime)])
        except Exception as error:  # Rasa's own lock stores say LockError whatever Redis raised
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return int(ticket), bool(served)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        return self._issue_ticket(conversation_id, lock_lifetime)[0]

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        self._release(keys=self._keys(conversation_id), args=[ticket_number])

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncGenerator[TicketLock, None]:
        """Rasa's `LockStore.lock`: wait (polling every `wait_time_in_seconds`) until this turn's ticket is served.

        Sanic cancels a turn whose partner hung up: the ticket is still given back (Rasa's blocking calls could
        not be interrupted), else the conversation would wait for its lifetime.
        """
        issue, served_now, release = self._scripts()
        keys = self._keys(conversation_id)
        issuing = _in_background(issue(keys=keys, args=[_milliseconds(lock_lifetime)]))
        try:
            ticket, served = await asyncio.shield(issuing)
        except asyncio.CancelledError:
            issuing.add_done_callback(lambda done: _give_back(done, release, keys))
            raise
        except Exception as error:  # Rasa's own lock stores say LockError whatever Redis raised
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        try:
            while not served:
                await asyncio.sleep(wait_time_in_seconds)
                state = int(await served_now(keys=keys, args=[ticket]))
                if state < 0:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                served = state == 1
            yield TicketLock(conversation_id)
        finally:
            await asyncio.shield(_in_background(release(keys=keys, args=[ticket])))

    # Rasa's other LockStore readers, in this store's layout (its writers go through the scripts above).

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        tickets = self.red.zrange(self._keys(conversation_id)[0], 0, -1, withscores=True)
        if not tickets:
            return None
        ordered = sorted((int(number), expires / 1000) for number, expires in tickets)
        return TicketLock(conversation_id, deque(Ticket(number, expires) for number, expires in ordered))

    def delete_lock(self, conversation_id: str) -> None:
        self._log_deletion(conversation_id, bool(self.red.delete(*self._keys(conversation_id))))
