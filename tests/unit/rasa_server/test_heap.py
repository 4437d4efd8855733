"""The loaded model is kept out of the garbage collector's walks, and a replaced model is still freed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest
import rasa.core.agent

from bot.rasa_server import heap


class Node:
    """Something with a reference cycle, as much of a loaded model is: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.itself = self


@pytest.fixture(autouse=True)
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_settling_frees_garbage_that_an_earlier_freeze_kept() -> None:
    old_model = Node()
    gone = weakref.ref(old_model)
    gc.freeze()  # as after the first model load
    del old_model  # as when Publish swaps the new model in
    gc.collect()
    assert gone() is not None, "a frozen cycle is out of the collector's reach"

    heap.settle()

    assert gone() is None
    assert gc.get_freeze_count() > 0, "what is still alive is frozen again"


def test_every_model_load_is_followed_by_a_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    async def load_agent(**kwargs: object) -> str:
        return f"agent for {kwargs['model_path']}"

    monkeypatch.setattr(rasa.core.agent, "load_agent", load_agent)
    monkeypatch.setattr(heap, "SETTLE_DELAY_SECONDS", 0.01)
    heap.install()
    heap.install()  # every class Rasa loads from us calls it: wrapped once

    async def start() -> str:
        agent = await rasa.core.agent.load_agent(model_path="models/current.tar.gz")
        assert gc.get_freeze_count() == 0, "settled after the caller has swapped the agent in, not before"
        await asyncio.sleep(0.1)
        return agent

    assert asyncio.run(start()) == "agent for models/current.tar.gz"
    assert gc.get_freeze_count() > 0
    assert rasa.core.agent.load_agent.__wrapped__ is load_agent
