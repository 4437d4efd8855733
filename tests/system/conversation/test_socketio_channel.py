"""The widget's channel: Rasa's socket.io, with a persistent session and the article id beside the answer."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import socketio

from tests.system.conversation.chat import Assistant

pytestmark = pytest.mark.model


async def converse(url: str, session_id: str, messages: list[str], language: str = "fr") -> list[list[dict]]:
    client = socketio.AsyncClient()
    received: list[dict] = []
    confirmed = asyncio.Event()

    @client.on("session_confirm")
    async def on_confirm(data: object) -> None:
        confirmed.set()

    @client.on("bot_uttered")
    async def on_bot(data: dict) -> None:
        received.append(data)

    await client.connect(url, transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 10)
    replies = []
    for message in messages:
        received.clear()
        await client.emit(
            "user_uttered", {"message": message, "session_id": session_id, "metadata": {"language": language}}
        )
        for _ in range(100):  # until the reply has settled
            await asyncio.sleep(0.1)
            if received and len(received) == getattr(converse, "_last", -1):
                break
            converse._last = len(received)
        replies.append(list(received))
    await client.disconnect()
    return replies


def test_widget_gets_the_answer_its_article_and_buttons(assistant: Assistant) -> None:
    [greeting, answer] = asyncio.run(
        converse(assistant.url, uuid.uuid4().hex, ["Bonjour", "je ne reçois pas le code de vérification"])
    )
    assert any("Bonjour" in (m.get("text") or "") for m in greeting)
    assert any("courriers indésirables" in (m.get("text") or "") for m in answer)
    assert {"kb_article": "verification-code"} in [{k: v for k, v in m.items() if k == "kb_article"} for m in answer]
    buttons = [b for m in answer for b in (m.get("quick_replies") or [])]
    assert {"/affirm", "/deny"} <= {b["payload"] for b in buttons}


def test_the_conversation_continues_on_reconnect(assistant: Assistant) -> None:
    session_id = uuid.uuid4().hex
    asyncio.run(converse(assistant.url, session_id, ["/request_support"]))
    [[*replies]] = asyncio.run(converse(assistant.url, session_id, ["ONG Lumière"]))
    assert any("lien" in (m.get("text") or "") for m in replies), "the form resumed after the reconnect"
