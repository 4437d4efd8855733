"""Both channels in a real Sanic server on loopback, with a stand-in for the model: the socket.io channel's transport
(origins, sessions, refusals, the secret warning), and a Rasa server's per-message path parsing no settings."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
import socketio
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from sanic import Sanic

import bot.settings
from bot.rasa_server.channels import GuardedRestInput, WidgetSocketIOInput
from bot.rasa_server.nlu.language_detector import LanguageDetectorComponent
from bot.rasa_server.tracker_store import masked_event
from bot.settings import Settings, process_settings
from tests.support.settings import settings_with
from tests.support.stand_ins import Agent, serving

PARTNER_SITE = "https://partner.example.org"
SECRET = "je n'arrive pas à me connecter, mon mot de passe est Soleil2024!"
MASKED = "je n'arrive pas à me connecter, mon mot de passe est •••••"
TOO_LONG = "I cannot log in to my account and the password reset does not work for me. " * 2  # 150 > 100


def server_settings() -> Settings:
    return settings_with(
        MAX_MESSAGE_CHARS="100",
        MESSAGES_PER_MINUTE_PER_SENDER="3",
        MESSAGES_PER_MINUTE_PER_ADDRESS="0",
        TRUST_PROXY="0",
        RATE_LIMIT_EXEMPT_ADDRESSES="",
        CONSOLE_PORT="8000",
        WIDGET_ORIGINS=PARTNER_SITE,
        DEFAULT_LANGUAGE="fr",
    )


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    # As sanic-testing does: Sanic 21.12 otherwise rewrites its own methods again for each app, and fails.
    monkeypatch.setattr(Sanic, "test_mode", True)


def serve(model: Agent, settings: Settings, then: Callable[[str], Awaitable[Any]], before: Callable[[], None]) -> Any:
    """Both channels, built as the Rasa server builds them but with `settings`; `before` runs once they are
    built and serving, then `then` gets the server's address."""

    async def main() -> Any:
        app = Sanic(f"intake-test-{uuid.uuid4().hex[:8]}")
        app.ctx.agent = model
        rest = GuardedRestInput(settings=settings)
        widget = WidgetSocketIOInput("user_uttered", "bot_uttered", None, True, settings=settings)
        app.blueprint(rest.blueprint(model.handle), url_prefix="/webhooks/rest")
        app.blueprint(widget.blueprint(model.handle), url_prefix="/webhooks/socketio")
        async with serving(app) as address:
            before()
            return await then(address)

    return asyncio.run(main())


async def rest(url: str, sender: str, message: str) -> tuple[int, Any]:
    body = {"sender": sender, "message": message, "metadata": {"language": "fr"}}
    async with aiohttp.ClientSession() as session, session.post(f"{url}/webhooks/rest/webhook", json=body) as response:
        return response.status, json.loads(await response.text())


class Widget:
    """A socket.io client as the widget is one: a session, then messages, each with the events it got back."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient()
        self.received: list[dict[str, Any]] = []
        self.confirmed: asyncio.Queue[str] = asyncio.Queue()
        self.client.on("bot_uttered", self.received.append)
        self.client.on("session_confirm", self.confirmed.put_nowait)

    async def open(self, url: str, session_id: Any, origin: str | None = None) -> str:
        await self.client.connect(url, transports=["polling"], headers={"Origin": origin} if origin else {})
        await self.client.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.confirmed.get(), 10)

    async def say(self, event: Any, replies: int) -> list[dict[str, Any]]:
        """Send one event and return the `replies` events that answer it (none: wait a little, expect none)."""
        before = len(self.received)
        await self.client.emit("user_uttered", event)
        for _ in range(100 if replies else 5):
            await asyncio.sleep(0.1)
            if replies and len(self.received) >= before + replies:
                break
        return self.received[before:]

    async def close(self) -> None:
        await self.client.disconnect()


def message(text: str, session_id: str, **metadata: Any) -> dict[str, Any]:
    return {"message": text, "session_id": session_id, "metadata": {"language": "fr", **metadata}}


def test_the_widget_channel_refuses_other_sites_and_keeps_sessions_metadata_and_replies() -> None:
    model = Agent()

    async def chat(url: str) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        stranger = Widget()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await stranger.open(url, "s", origin="https://evil.example")
        widget = Widget()
        seen["bad session"] = await widget.open(url, "x" * 300, origin=PARTNER_SITE)
        await widget.close()
        widget = Widget()
        session = uuid.uuid4().hex
        seen["session"] = await widget.open(url, session, origin="http://localhost:8000")
        seen["normal"] = await widget.say(message("Bonjour\x00", session, client_address="6.6.6.6"), 1)
        seen["secret"] = await widget.say(message(SECRET, session), 2)
        seen["too long"] = await widget.say(message(TOO_LONG, session), 1)
        seen["flood"] = await widget.say(message("bonjour", session), 1)
        seen["not an object"] = await widget.say(42, 0)
        seen["no session"] = await widget.say({"message": "hello"}, 0)
        seen["bad metadata"] = await widget.say({"message": "hello", "session_id": session, "metadata": "{"}, 0)
        await widget.close()
        seen["id"] = session
        return seen

    seen = serve(model, server_settings(), chat, lambda: None)
    assert len(seen["bad session"]) == 32 and seen["bad session"] != "x" * 300, "a usable id is made instead"
    assert seen["session"] == seen["id"]
    assert seen["normal"] == [{"text": "ok"}]
    assert seen["secret"] == [{"text": seen["secret"][0]["text"], "custom": {"masked_message": MASKED}}, {"text": "ok"}]
    assert "ne communiquez jamais" in seen["secret"][0]["text"], "the warning comes first, in the message's language"
    assert "Your message is too long" in seen["too long"][0]["text"], "a new conversation: the text's language"
    assert "Vous envoyez beaucoup de messages" in seen["flood"][0]["text"]
    assert seen["not an object"] == seen["no session"] == seen["bad metadata"] == []
    assert [(m.text, m.sender_id, m.input_channel) for m in model.received] == [
        ("Bonjour", seen["id"], "socketio"),
        (MASKED, seen["id"], "socketio"),
    ]
    assert [m.metadata for m in model.received] == [
        {"language": "fr", "client_address": "127.0.0.1", "intake": {"language": "fr", "masked": True}}
    ] * 2


@pytest.fixture
def settings_unreadable(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call it to make every reading of the settings fail from then on (the process's included)."""

    def refuse(_environment: Any) -> Settings:
        raise AssertionError("the settings were read on the per-message path")

    def now() -> None:
        process_settings.cache_clear()
        monkeypatch.setattr(bot.settings, "_read", refuse)

    yield now
    monkeypatch.undo()
    process_settings.cache_clear()  # the next caller reads this environment's


def test_the_per_message_path_reads_no_settings(settings_unreadable: Callable[[], None]) -> None:
    """Built with their settings, the channels, the intake, the NLU component and the tracker store's masking
    handle normal messages, secrets, too long messages and floods without reading the settings again."""
    model, settings = Agent(), server_settings()
    component = LanguageDetectorComponent({"min_confidence": 0.6})

    async def chat(url: str) -> dict[str, Any]:
        with pytest.raises(AssertionError, match="per-message path"):
            bot.settings.get_settings()  # the trap is set
        said: dict[str, Any] = {}
        for name, text in [("normal", "my account is locked"), ("secret", SECRET), ("too long", TOO_LONG)]:
            said[f"rest {name}"] = await rest(url, "rest-partner", text)
        said["rest flood"] = await rest(url, "rest-partner", "hello")
        widget = Widget()
        session = await widget.open(url, uuid.uuid4().hex, origin=PARTNER_SITE)
        said["socket normal"] = await widget.say(message("my account is locked", session), 1)
        said["socket secret"] = await widget.say(message(SECRET, session), 2)
        said["socket too long"] = await widget.say(message(TOO_LONG, session), 1)
        said["socket flood"] = await widget.say(message("hello", session), 1)
        await widget.close()
        return said

    said = serve(model, settings, chat, settings_unreadable)
    assert said["rest normal"] == (200, [{"recipient_id": "rest-partner", "text": "ok"}])
    status, replies = said["rest secret"]
    assert status == 200 and replies[0]["custom"] == {"masked_message": MASKED} and replies[1]["text"] == "ok"
    assert said["rest too long"][0] == 200 and "Your message is too long" in said["rest too long"][1][0]["text"]
    assert said["rest flood"][0] == 429 and said["rest flood"][1]["error"] == "too many messages"
    assert [len(said[f"socket {name}"]) for name in ("normal", "secret", "too long", "flood")] == [1, 2, 1, 1]
    assert [m.text for m in model.received] == ["my account is locked", MASKED] * 2

    parsed = component.process(
        [Message(data={TEXT: m.text, "metadata": m.metadata}) for m in model.received]
    )  # as Rasa's NLUMessageConverter builds them
    assert [[e["value"] for e in m.get(ENTITIES, [])] for m in parsed] == [["en"], ["fr"]] * 2
    for received in model.received:
        event = UserUttered(received.text, {"name": "faq"}, [], {"text": received.text}, metadata=received.metadata)
        assert masked_event(event, {}) is event
    bot_said = BotUttered(f"Vous avez écrit : « {SECRET} »")
    assert "Soleil2024" not in masked_event(bot_said).text
