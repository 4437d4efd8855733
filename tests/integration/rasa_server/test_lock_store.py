"""The Redis lock store, on the local Redis: one turn of a conversation at a time, in order, on every server."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server.endpoints import lock_store_config
from bot.rasa_server.lock_store import RedisTicketLockStore
from tests.support.services import REDIS_URL, redis_key_prefix

pytestmark = pytest.mark.redis
POLL = 0.02  # seconds between a waiting turn's looks at its ticket (Rasa's own default is 1)


@pytest.fixture
def prefix() -> Iterator[str]:
    yield from redis_key_prefix(f"locktest{uuid.uuid4().hex[:12]}")


def server(prefix: str) -> LockStore:
    """A lock store as one Rasa server (or Sanic worker) builds it from `helpdesk endpoints`' configuration."""
    store = LockStore.create(EndpointConfig.from_dict(lock_store_config(REDIS_URL, prefix)))
    assert isinstance(store, RedisTicketLockStore)
    return store


def keys_left(prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        return list(client.scan_iter(match=f"{prefix}*"))
    finally:
        client.close()


async def turn(store: LockStore, conversation: str, name: str, log: list[str], work: float = 0.05) -> None:
    async with store.lock(conversation, wait_time_in_seconds=POLL):
        log.append(f"{name} starts")
        await asyncio.sleep(work)
        log.append(f"{name} ends")


def test_turns_of_one_conversation_on_two_servers_run_one_at_a_time_in_arrival_order(prefix: str) -> None:
    first, second = server(prefix), server(prefix)
    log: list[str] = []

    async def arrive() -> None:
        tasks = []
        for i, store in enumerate([first, second, first, second]):
            tasks.append(asyncio.create_task(turn(store, "partner-1", f"turn {i}", log)))
            await asyncio.sleep(0.005)  # they arrive in this order
        await asyncio.gather(*tasks)

    asyncio.run(arrive())
    assert log == [f"turn {i} {what}" for i in range(4) for what in ("starts", "ends")]
    assert keys_left(prefix) == [], "nothing is left in Redis once no turn holds or waits"


def test_other_conversations_do_not_wait(prefix: str) -> None:
    store = server(prefix)
    log: list[str] = []

    async def both() -> None:
        await asyncio.gather(turn(store, "partner-a", "a", log, 0.3), turn(store, "partner-b", "b", log, 0.0))

    asyncio.run(both())
    assert log.index("b ends") < log.index("a ends")


def test_a_ticket_whose_holder_died_stops_blocking_after_its_lifetime(prefix: str) -> None:
    store = server(prefix)
    store.issue_ticket("partner-2", lock_lifetime=0.5)  # a server that took the turn, then died
    log: list[str] = []
    started = time.monotonic()
    asyncio.run(turn(store, "partner-2", "next", log, 0.0))
    waited = time.monotonic() - started
    assert log == ["next starts", "next ends"]
    assert 0.4 < waited < 5, waited
    assert keys_left(prefix) == []


def test_a_waiting_turn_whose_own_ticket_expires_is_refused_as_rasa_refuses_it(prefix: str) -> None:
    store = server(prefix)
    held = store.issue_ticket("partner-3", lock_lifetime=30)

    async def waiting() -> None:
        async with store.lock("partner-3", lock_lifetime=0.3, wait_time_in_seconds=POLL):
            pass

    with pytest.raises(LockError):
        asyncio.run(waiting())
    store.cleanup("partner-3", held)
    assert keys_left(prefix) == []


def test_rasas_own_lock_calls_see_the_tickets(prefix: str) -> None:
    """Rasa's LockStore methods other than `lock` (the scale-out test holds a conversation with them)."""
    store = server(prefix)
    first = store.issue_ticket("partner-4")
    second = store.issue_ticket("partner-4")
    lock = store.get_lock("partner-4")
    assert lock is not None and lock.now_serving == first and lock.is_locked(second)
    assert store.is_someone_waiting("partner-4")
    store.cleanup("partner-4", first)
    assert store.get_lock("partner-4").now_serving == second
    store.cleanup("partner-4", second)
    assert store.get_lock("partner-4") is None and keys_left(prefix) == []


def test_an_unreachable_redis_is_a_lock_error() -> None:
    store = RedisTicketLockStore(host="127.0.0.1", port=1, socket_timeout=1)
    with pytest.raises(LockError):
        store.issue_ticket("partner-5")


@pytest.mark.parametrize("cancel_after", [0.0, 0.1], ids=["while-issuing", "while-waiting"])
def test_a_turn_cancelled_when_its_partner_hangs_up_gives_its_ticket_back(prefix: str, cancel_after: float) -> None:
    """Sanic cancels the turn of a partner who closed the connection; the next turn must not wait 60 s for it."""
    store = server(prefix)
    log: list[str] = []

    async def hang_up_then_send_again() -> float:
        holder = asyncio.create_task(turn(store, "partner-6", "holder", log, 0.3))
        await asyncio.sleep(0.05)
        hung_up = asyncio.create_task(turn(store, "partner-6", "hung up", log))
        await asyncio.sleep(cancel_after)
        hung_up.cancel()
        await holder
        started = time.monotonic()
        await turn(store, "partner-6", "again", log, 0.0)
        return time.monotonic() - started

    waited = asyncio.run(hang_up_then_send_again())
    assert "hung up starts" not in log and log[-2:] == ["again starts", "again ends"]
    assert waited < 2, f"the next turn waited {waited:.1f} s for the cancelled turn's ticket"
    assert keys_left(prefix) == []


def test_a_conversation_id_cannot_name_another_conversations_keys(prefix: str) -> None:
    """Sender ids come from the partner (the REST channel's `sender`): none may reach another conversation's lock."""
    store = server(prefix)
    log: list[str] = []

    async def both() -> None:
        await asyncio.gather(*(turn(store, sender, sender, log, 0.1) for sender in ("victim", "victim:issued")))

    asyncio.run(both())
    assert sorted(log) == sorted(f"{s} {w}" for s in ("victim", "victim:issued") for w in ("starts", "ends"))
    assert log.index("victim:issued starts") < log.index("victim ends"), "neither waited for the other"
    assert keys_left(prefix) == []
