"""Keep Python's cyclic garbage collector off the loaded model, so no full collection stalls every conversation.

A loaded Rasa server holds about half a million objects that the collector tracks (Rasa, TensorFlow, the model).
A full collection walks them all: about 200 ms measured on 2 cores, during which no message is answered, so it
lands in the p99 of every partner in flight. The model lives as long as the server (or until Publish replaces it),
so once it is loaded its objects are moved out of the collector's sight (`gc.freeze()`); collections then walk
only what each message makes. When a new model is loaded, the old one's objects are handed back to the collector
first (`gc.unfreeze()`), once the server no longer refers to them, so a Publish does not leak the old model.
"""

from __future__ import annotations

import asyncio
import gc
from functools import wraps
from typing import Any

import rasa.core.agent

_INSTALLED = "_helpdesk_heap"
SETTLE_DELAY_SECONDS = 2.0  # the server swaps the new agent in right after loading it; settle once it has


def settle() -> None:
    """Collect what is garbage now (the replaced model included), then freeze what is left."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def install() -> None:
    """Settle the heap after every model load (at start and on `PUT /model`); safe to call more than once."""
    load_agent = rasa.core.agent.load_agent
    if getattr(load_agent, _INSTALLED, False):
        return

    @wraps(load_agent)
    async def load_agent_then_settle(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent(*args, **kwargs)
        asyncio.get_running_loop().call_later(SETTLE_DELAY_SECONDS, settle)
        return agent

    setattr(load_agent_then_settle, _INSTALLED, True)
    rasa.core.agent.load_agent = load_agent_then_settle
