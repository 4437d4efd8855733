"""Rate limits through the real servers, with the limits tests/support/servers.py sets for the run (25 messages a minute
per sender, 40 per address; 2 tickets an hour per sender, 3 per address; 127.0.0.1 exempt, X-Forwarded-For
trusted). Each test writes from its own addresses, unique to the run."""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import uuid

import pytest
import requests
import socketio

from tests.system.conversation.chat import Assistant, buttons, texts

pytestmark = pytest.mark.model

PROFILE = "https://www.unpartnerportal.org/profile/4821/overview"
_addresses = random.Random(uuid.uuid4().int)


@pytest.fixture
def address() -> str:
    """An address from the documentation range in a /64 of its own (the limits count an IPv6 client per /64)."""
    network = f"2001:db8:{_addresses.randrange(1, 0xFFFF):x}:{_addresses.randrange(1, 0xFFFF):x}"
    return f"{network}::{_addresses.randrange(1, 0xFFFF):x}"


def post(assistant: Assistant, sender: str, message: str, address: str, language: str = "en") -> requests.Response:
    body = {"sender": sender, "message": message, "metadata": {"language": language}}
    headers = {"X-Forwarded-For": address}
    return requests.post(f"{assistant.url}/webhooks/rest/webhook", json=body, headers=headers, timeout=60)


def test_a_flooding_sender_gets_429_in_its_language_and_others_go_on(assistant: Assistant, address: str) -> None:
    sender = f"flood-{uuid.uuid4().hex[:8]}"
    assert post(assistant, sender, "Bonjour, je ne reçois pas le code de vérification", address).status_code == 200
    # Empty messages count too, and cost the server nothing: they never reach the model.
    assert {post(assistant, sender, " ", address).status_code for _ in range(24)} == {200}
    refused = post(assistant, sender, "encore une question", address)
    assert refused.status_code == 429
    assert "Vous envoyez beaucoup de messages" in refused.json()["message"], "the conversation is in French"
    assert int(refused.headers["Retry-After"]) >= 1
    assert post(assistant, f"other-{sender}", "hello", address).status_code == 200


def test_many_senders_from_one_address_are_limited_together(assistant: Assistant, address: str) -> None:
    statuses = [post(assistant, f"nat-{i}-{uuid.uuid4().hex[:6]}", " ", address).status_code for i in range(41)]
    assert statuses == [200] * 40 + [429]
    network = address.partition("::")[0]
    assert post(assistant, "same-64", " ", f"{network}::abcd").status_code == 429, "the same /64 is the same client"
    other = f"{network.rpartition(':')[0]}:{int(network.rpartition(':')[2], 16) ^ 1:x}::1"
    assert post(assistant, "someone-else", " ", other).status_code == 200


def test_the_connection_address_counts_when_no_proxy_says_otherwise(assistant: Assistant) -> None:
    """From 127.0.0.2 (loopback, not exempt), without X-Forwarded-For: the peer address is the client's."""
    host, port = assistant.url.removeprefix("http://").split(":")
    statuses = []
    for i in range(41):
        connection = http.client.HTTPConnection(host, int(port), timeout=60, source_address=("127.0.0.2", 0))
        body = json.dumps({"sender": f"peer-{i}-{uuid.uuid4().hex[:6]}", "message": " "})
        connection.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        statuses.append(connection.getresponse().status)
        connection.close()
    assert statuses[-1] == 429 and statuses.count(200) == 40


def open_request(assistant: Assistant, sender: str, address: str) -> str:
    """A whole English support request from `address`, confirmed; what the bot says at the end."""
    post(assistant, sender, "/request_support", address)
    post(assistant, sender, "Bamako Youth Network", address)
    issue = post(assistant, sender, PROFILE, address).json()
    post(assistant, sender, next(b["payload"] for b in buttons(issue) if "other" in b["payload"]), address)
    post(assistant, sender, "Our only administrator left and nobody can add users.", address)
    post(assistant, sender, "it@byn.org", address)
    return texts(post(assistant, sender, "/affirm", address).json())


def test_a_conversation_cannot_fill_the_queue(assistant: Assistant, address: str) -> None:
    sender = f"spam-{uuid.uuid4().hex[:8]}"
    assert all("HD-" in open_request(assistant, sender, address) for _ in range(2))
    before = assistant.store.count()
    refused = open_request(assistant, sender, address)
    assert "already sent several requests to the help desk in the last hour" in refused and "HD-" not in refused
    assert assistant.store.count() == before


def test_an_address_cannot_fill_the_queue_with_new_conversations(assistant: Assistant, address: str) -> None:
    senders = [f"bot-{i}-{uuid.uuid4().hex[:6]}" for i in range(4)]
    assert all("HD-" in open_request(assistant, sender, address) for sender in senders[:3])
    before = assistant.store.count()
    assert "already sent several requests" in open_request(assistant, senders[3], address)
    assert assistant.store.count() == before
    stored = [t for t in assistant.store.newest(1000) if t.conversation_id in senders]
    network = address.partition("::")[0] + "::/64"  # an IPv6 client is stored and counted as its /64
    assert len(stored) == 3 and {t.client_address for t in stored} == {network}


async def flood_socket(url: str, address: str, count: int) -> list[dict]:
    client = socketio.AsyncClient()
    received: list[dict] = []
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda data: confirmed.set())
    client.on("bot_uttered", lambda data: received.append(data))
    await client.connect(url, transports=["polling"], headers={"X-Forwarded-For": address})
    session_id = uuid.uuid4().hex
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 10)
    for sent in range(1, count + 1):
        # One at a time: engine.io itself refuses a polling request carrying more than 16 queued messages.
        await client.emit("user_uttered", {"message": " ", "session_id": session_id, "metadata": {"language": "en"}})
        for _ in range(100):
            if len(received) >= sent:
                break
            await asyncio.sleep(0.1)
    await client.disconnect()
    return received


def test_the_widget_is_told_to_slow_down(assistant: Assistant, address: str) -> None:
    replies = [m.get("text") or "" for m in asyncio.run(flood_socket(assistant.url, address, 26))]
    assert replies.count("Your message is empty. Type your question and I will answer it.") == 25
    assert any("You are sending many messages in a short time" in text for text in replies)


def test_guessing_ticket_references_meets_the_limits(assistant: Assistant, address: str) -> None:
    """5 wrong tries per conversation, 20 per address an hour (the defaults); then the bot stops looking."""
    guesser = f"guess-{uuid.uuid4().hex[:8]}"

    def ask(sender: str, number: int) -> str:
        message = f"status of HD-2026-{number:06d} guess@elsewhere.example"
        return texts(post(assistant, sender, message, address).json())

    assert all("I find no request" in ask(guesser, number) for number in range(5))
    assert "Too many requests could not be found" in ask(guesser, 5)
    for other in range(3):  # 15 more from fresh conversations on the same address
        assert all("I find no request" in ask(f"{guesser}-{other}", number) for number in range(5))
    assert "Too many requests could not be found" in ask(f"{guesser}-new", 99), "the address is limited too"
