"""What the Rasa-server tests put in place of Rasa's agent, and a Sanic app served on loopback for them."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Sanic


@dataclass
class Agent:
    """Rasa's agent as our channels use it: records each message that reaches it and answers "ok"; its tracker
    store holds every conversation with `language` in its slot."""

    language: str | None = None
    received: list[UserMessage] = field(default_factory=list)

    async def handle(self, message: UserMessage) -> None:
        self.received.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    @property
    def tracker_store(self) -> Agent:
        return self

    async def retrieve(self, sender: str) -> Any:
        language = self.language
        return type("Tracker", (), {"get_slot": staticmethod(lambda name: language)})()


@asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[str]:
    """`app` served on a free loopback port, and its address; closed afterwards.

    The socket is bound here and handed to Sanic: Sanic 21.12 takes port 0 for its default, 8000.
    """
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    listening.listen(100)
    server = await app.create_server(sock=listening, return_asyncio_server=True, access_log=False)
    await server.startup()
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        await server.close()
        listening.close()
