"""The guarded REST channel in a real Sanic server on loopback, with a stand-in for the model: what reaches the
model, and what a client gets back for bad input, floods and oversized bodies."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

from bot.rasa_server.channels import GuardedRestInput
from tests.support.settings import settings_with
from tests.support.stand_ins import Agent, serving

URL = "/webhooks/rest/webhook"


def exchange(
    model: Agent, requests: Callable[[aiohttp.ClientSession, str], Awaitable[Any]], max_body: int = 1_000_000
) -> Any:
    """Serve the channel (built with the settings of the environment as it is now) and run `requests` against it."""

    async def main() -> Any:
        app = Sanic(f"guard-test-{uuid.uuid4().hex[:8]}")
        app.config.REQUEST_MAX_SIZE = max_body
        app.ctx.agent = model
        channel = GuardedRestInput(settings=settings_with())
        app.blueprint(channel.blueprint(model.handle), url_prefix="/webhooks/rest")
        async with serving(app) as address, aiohttp.ClientSession() as session:
            return await requests(session, f"{address}{URL}")

    return asyncio.run(main())


async def post(
    session: aiohttp.ClientSession, url: str, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, Any, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **(headers or {})}
    async with session.post(url, data=data, headers=headers) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text), response.headers
        except ValueError:
            return response.status, text, response.headers


@pytest.fixture(autouse=True)
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    # As sanic-testing does: Sanic 21.12 otherwise rewrites its own methods again for each app, and fails.
    monkeypatch.setattr(Sanic, "test_mode", True)
    for name, value in {
        "MAX_MESSAGE_CHARS": "100",
        "MESSAGES_PER_MINUTE_PER_SENDER": "3",
        "MESSAGES_PER_MINUTE_PER_ADDRESS": "5",
        "TRUST_PROXY": "0",
        "RATE_LIMIT_EXEMPT_ADDRESSES": "",
    }.items():
        monkeypatch.setenv(name, value)


def test_a_good_message_reaches_the_model_cleaned_with_the_client_address() -> None:
    model = Agent()
    body = {"sender": "s1", "message": "Bon\x00jour\u202e, mon\tcompte\r\n", "metadata": {"client_address": "6.6.6.6"}}
    status, replies, _ = exchange(model, lambda session, url: post(session, url, body))
    assert (status, replies) == (200, [{"recipient_id": "s1", "text": "ok"}])
    [message] = model.received
    assert message.text == "Bonjour, mon\tcompte"
    assert message.metadata["client_address"] == "127.0.0.1", "the address is the connection's, not the client's"
    assert message.metadata == {"client_address": "127.0.0.1", "intake": {"language": "fr", "masked": True}}
    assert message.input_channel == "rest"


@pytest.mark.parametrize(
    ("text", "language", "warning"),
    [
        ("je n'arrive pas à me connecter, mon mot de passe est Soleil2024!", None, "ne communiquez jamais"),
        ("my verification code is 482913 and it does not work", "fr", "never share a password"),
        ("how do I reset my password? our profile is 4821", "en", None),  # about a password, none given
    ],
)
def test_a_typed_secret_gets_a_warning_before_the_answer(text: str, language: str | None, warning: str | None) -> None:
    model = Agent(language=language)
    status, replies, _ = exchange(model, lambda session, url: post(session, url, {"sender": "s1", "message": text}))
    assert status == 200 and replies[-1]["text"] == "ok", "the message still reaches the model"
    if warning is None:
        assert len(replies) == 1
    else:
        assert len(replies) == 2 and warning in replies[0]["text"], "the warning comes first, in the message's language"
        masked = replies[0]["custom"]["masked_message"]
        assert "•••••" in masked and "Soleil2024" not in masked and "482913" not in masked, "the widget keeps this one"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"sender": "s1", "message": ', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),
        (
            b'{"sender": "s1", "message": "hi", "metadata": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
            "not valid JSON",
        ),
        ([1, 2], "JSON object"),
        ({"sender": "s1"}, "'message'"),
        ({"sender": "s1", "message": 42}, "'message'"),
        ({"sender": "s1", "message": None}, "'message'"),
        ({"message": "hello"}, "'sender'"),
        ({"sender": "", "message": "hello"}, "'sender'"),
        ({"sender": ["s1"], "message": "hello"}, "'sender'"),
        ({"sender": "x" * 256, "message": "hello"}, "'sender'"),
        ({"sender": "s\x001", "message": "hello"}, "'sender'"),
        ({"sender": "s1", "message": "hello", "metadata": "fr"}, "'metadata'"),
        ({"sender": "s1", "message": "hello", "metadata": {"x": "y" * 9000}}, "'metadata'"),
    ],
)
def test_a_malformed_request_gets_a_400_with_a_json_error(body: Any, error: str) -> None:
    model = Agent()
    status, reply, _ = exchange(model, lambda session, url: post(session, url, body))
    assert status == 400 and error in reply["error"]
    assert model.received == []


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        ("   \n\t ", "fr", "Votre message est vide"),
        ("\x00\x1b\u202e", "en", "Your message is empty"),
        ("a" * 101, "en", "too long for me (101 characters; 100 at most)"),
        ("é" * 101, "fr", "trop long pour moi (101 caractères ; 100 au plus)"),
    ],
)
def test_an_empty_or_too_long_message_gets_a_reply_in_the_conversation_language(
    message: str, language: str, expected: str
) -> None:
    model = Agent(language=language)
    status, replies, _ = exchange(model, lambda session, url: post(session, url, {"sender": "s", "message": message}))
    assert status == 200 and expected in replies[0]["text"]
    assert model.received == [], "it never reaches the model"


def test_a_new_conversation_is_refused_in_the_language_of_the_message() -> None:
    long_english = "I cannot log in to my account and the password reset does not work for me. " * 3
    status, replies, _ = exchange(Agent(), lambda s, url: post(s, url, {"sender": "new", "message": long_english}))
    assert "Your message is too long" in replies[0]["text"]


def test_too_many_messages_from_one_sender_get_429_with_a_message_and_retry_after() -> None:
    model = Agent(language="en")

    async def flood(session: aiohttp.ClientSession, url: str) -> list[tuple[int, Any, Any]]:
        return [await post(session, url, {"sender": sender, "message": "hello"}) for sender in ["a"] * 4 + ["b"]]

    results = exchange(model, flood)
    assert [status for status, _, _ in results] == [200, 200, 200, 429, 200]
    _, refused, headers = results[3]
    assert refused["error"] == "too many messages" and "wait about" in refused["message"]
    assert 1 <= int(headers["Retry-After"]) <= 60 and refused["retry_after"] == int(headers["Retry-After"])
    assert [m.sender_id for m in model.received] == ["a", "a", "a", "b"]


def test_too_many_messages_from_one_address_are_refused_whatever_the_sender() -> None:
    results = exchange(
        Agent(),
        lambda s, url: asyncio.gather(*[post(s, url, {"sender": f"s{i}", "message": "hi"}) for i in range(7)]),
    )
    assert sorted(status for status, _, _ in results) == [200] * 5 + [429] * 2


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    def senders_from(addresses: list[str]) -> list[int]:
        async def send(session: aiohttp.ClientSession, url: str) -> list[int]:
            statuses = []
            for i, address in enumerate(addresses):
                body = {"sender": f"s{i}", "message": "hi"}
                statuses.append((await post(session, url, body, headers={"X-Forwarded-For": address}))[0])
            return statuses

        return exchange(Agent(), send)

    # Without a trusted proxy, a forged header changes nothing: all six come from 127.0.0.1.
    assert senders_from([f"198.51.100.{i}" for i in range(6)]) == [200] * 5 + [429]
    monkeypatch.setenv("TRUST_PROXY", "1")
    # Behind one, the proxy's own (last) entry counts, not what the client put before it.
    assert senders_from([f"198.51.100.{i}" for i in range(6)]) == [200] * 6
    assert senders_from([f"10.0.0.{i}, 203.0.113.9" for i in range(6)]) == [200] * 5 + [429]


def test_exempt_addresses_and_zero_limits_are_never_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def flood(session: aiohttp.ClientSession, url: str) -> list[int]:
        return [(await post(session, url, {"sender": "same", "message": "hi"}))[0] for _ in range(8)]

    monkeypatch.setenv("RATE_LIMIT_EXEMPT_ADDRESSES", "127.0.0.0/8")
    assert exchange(Agent(), flood) == [200] * 8
    monkeypatch.setenv("RATE_LIMIT_EXEMPT_ADDRESSES", "")
    monkeypatch.setenv("MESSAGES_PER_MINUTE_PER_SENDER", "0")
    monkeypatch.setenv("MESSAGES_PER_MINUTE_PER_ADDRESS", "0")
    assert exchange(Agent(), flood) == [200] * 8


def test_an_oversized_body_is_refused_by_sanic_with_413() -> None:
    model = Agent()
    body = {"sender": "s", "message": "x" * 5000}
    status, _, _ = exchange(model, lambda session, url: post(session, url, body), max_body=2000)
    assert status == 413 and model.received == []


def test_lone_surrogates_are_removed_before_anything_reads_the_text() -> None:
    """JSON may carry "\\ud800"; the language detector (and the model's) would fail on it."""
    body = b'{"sender": "s", "message": "' + b"zzqx blorp \\ud800 " * 10 + b'"}'
    model = Agent()
    status, replies, _ = exchange(model, lambda session, url: post(session, url, body))
    assert status == 200 and "(120 " in replies[0]["text"] and model.received == [], "130 with the surrogates"
    status, replies, _ = exchange(
        model, lambda s, url: post(s, url, b'{"sender": "s", "message": "mot \\udfff de passe"}')
    )
    assert status == 200 and model.received[0].text == "mot  de passe"
