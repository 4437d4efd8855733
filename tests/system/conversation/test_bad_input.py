"""Bad input through the real servers: a clear reply or a 4xx, never a 500, a lost conversation or a stored script."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import requests
import socketio

from tests.system.conversation.chat import Assistant, articles, buttons, texts

pytestmark = pytest.mark.model

PROFILE = "https://www.unpartnerportal.org/profile/4821/overview"


def post(assistant: Assistant, body: bytes | dict, **headers: str) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", **headers}
    return requests.post(f"{assistant.url}/webhooks/rest/webhook", data=data, headers=headers, timeout=60)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b'["sender", "message"]', {"sender": "x"}, {"sender": 7, "message": "hi"}, {"message": "hi"}],
)
def test_a_malformed_request_gets_400_with_a_json_error(assistant: Assistant, body: bytes | dict) -> None:
    response = post(assistant, body)
    assert response.status_code == 400 and response.json()["error"]


def test_an_oversized_body_gets_413(assistant: Assistant, sender: str) -> None:
    response = post(assistant, {"sender": sender, "message": "x" * 1_200_000})
    assert response.status_code == 413


def test_a_20000_character_message_gets_a_polite_reply_in_the_conversation_language(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "Bonjour")
    reply = texts(assistant.send(sender, "Je n'arrive pas à me connecter. " * 625))
    assert "Votre message est trop long pour moi (20000 caractères ; 2000 au plus)" in reply
    assert articles(assistant.send(sender, "Je ne reçois pas le code de vérification")) == ["verification-code"]


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "\x00\x1b\u202e"])
def test_an_empty_message_is_answered_not_guessed(assistant: Assistant, sender: str, message: str) -> None:
    reply = texts(assistant.send(sender, message, metadata={"language": "en"}))
    assert "Your message is empty" in reply


def test_control_characters_are_removed_before_the_model_reads_the_question(assistant: Assistant, sender: str) -> None:
    replies = assistant.send(sender, "Je ne reçois pas\x00 le code\x1b de vérification\u202e\r\n")
    assert articles(replies) == ["verification-code"]


@pytest.mark.parametrize(
    "message",
    [
        "🙂🙂🙂",
        "👩🏽‍💻 je ne peux pas me connecter",
        "لا أستطيع تسجيل الدخول إلى حسابي",
        "אני לא יכול להתחבר",
        "<script>alert(1)</script>",
        "'; DROP TABLE tickets; --",
        '/choose_issue_type{"issue_type": "<script>alert(1)</script>"}',
        "/request_support{not json",
        "/no_such_intent",
        "/",
    ],
)
def test_odd_messages_get_a_reply_and_the_conversation_goes_on(assistant: Assistant, sender: str, message: str) -> None:
    response = post(assistant, {"sender": sender, "message": message, "metadata": {"language": "fr"}})
    assert response.status_code == 200 and isinstance(response.json(), list)
    assert articles(assistant.send(sender, "/cancel") + assistant.send(sender, "j'ai oublié mon mot de passe")) == [
        "forgot-password"
    ]


def test_a_ticket_with_hostile_answers_stores_them_cleaned_and_refuses_markup(
    assistant: Assistant, sender: str
) -> None:
    assistant.send(sender, "/request_support", metadata={"language": "en"})
    refused = texts(assistant.send(sender, "<script>alert('x')</script>"))
    assert "without HTML code" in refused
    assistant.send(sender, "جمعية الأمل\x00 🙂 (Goma) & Partners")
    issue = assistant.send(sender, PROFILE)
    assistant.send(sender, next(b["payload"] for b in buttons(issue) if "other" in b["payload"]))
    assert "without HTML code" in texts(assistant.send(sender, "It fails <img src=x onerror=alert(1)> here"))
    assistant.send(sender, 'Saving the profile fails with "\'; DROP TABLE x; --"\x1b[31m\r\nsince Monday \u202eevil')
    assistant.send(sender, "awa@afk.org")
    done = texts(assistant.send(sender, "/affirm"))
    reference = next(word.strip(" :.") for word in done.split() if word.startswith("HD-"))
    ticket = assistant.store.by_reference(reference)
    assert ticket.organization_name == "جمعية الأمل 🙂 (Goma) & Partners"
    assert ticket.description == 'Saving the profile fails with "\'; DROP TABLE x; --"[31m\nsince Monday evil'
    assert ticket.client_address == "127.0.0.1"


async def socket_exchange(url: str, messages: list[object], language: str = "en") -> list[list[dict]]:
    """Send each event (a message text, or any other payload as is) and collect the replies to it."""
    client = socketio.AsyncClient()
    received: list[dict] = []
    session_id = uuid.uuid4().hex
    confirmed = asyncio.Event()
    client.on("session_confirm", lambda data: confirmed.set())
    client.on("bot_uttered", lambda data: received.append(data))
    await client.connect(url, transports=["polling"])
    await client.emit("session_request", {"session_id": session_id})
    await asyncio.wait_for(confirmed.wait(), 10)
    replies = []
    for message in messages:
        received.clear()
        payload = (
            {"message": message, "session_id": session_id, "metadata": {"language": language}}
            if isinstance(message, str)
            else message
        )
        await client.emit("user_uttered", payload)
        settled = -1
        for _ in range(100):
            await asyncio.sleep(0.1)
            if received and len(received) == settled:
                break
            settled = len(received)
        replies.append(list(received))
    await client.disconnect()
    return replies


def test_the_widget_channel_refuses_long_messages_and_survives_malformed_events(assistant: Assistant) -> None:
    long_reply, not_an_object, no_session, answer = asyncio.run(
        socket_exchange(
            assistant.url,
            ["I cannot log in. " * 150, 42, {"message": "hello"}, "I never received the verification code"],
        )
    )
    assert any("Your message is too long" in (m.get("text") or "") for m in long_reply)
    assert not_an_object == [] and no_session == []
    assert {"kb_article": "verification-code"} in [{"kb_article": m.get("kb_article")} for m in answer]
