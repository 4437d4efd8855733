"""The work Rasa repeated per message, done once: same results and same errors, less time (`make bench`)."""

from __future__ import annotations

import asyncio
import copy
import json
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import events as sdk_events

from bot.rasa_server import speedups as rasa_speedups
from bot.rasa_server.tracker_store import MaskingSQLTrackerStore

REPLY = {
    "events": [{"event": "slot", "timestamp": None, "name": "last_article", "value": "forgot-password"}],
    "responses": [{"text": "Cliquez sur « Mot de passe oublié ».", "custom": {"kb_article": "forgot-password"}}],
}


@pytest.fixture(autouse=True)
def installed() -> None:
    rasa_speedups.install()


def action() -> RemoteAction:
    return RemoteAction("action_answer_article", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_a_well_formed_action_server_reply_passes() -> None:
    assert action()._validate_action_result(REPLY) is True


@pytest.mark.parametrize(
    "reply",
    [
        {"events": {"event": "slot"}},  # not a list
        {"events": [{"name": "last_article", "value": 1}]},  # an event without its type
        {"events": [{"event": "slot", "value": 1}]},  # a slot without its name
        {"responses": ["just a string"]},
    ],
)
def test_a_malformed_reply_is_refused_with_rasas_explanation(reply: dict) -> None:
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result(reply)


# Replies an action server may send: every kind of event rasa-sdk writes, and the ways a reply can be wrong.
EVERY_KIND = [
    event
    for event in (
        sdk_events.SlotSet("organisation", "ACME"),
        sdk_events.AllSlotsReset(),
        sdk_events.ReminderScheduled("x", datetime(2027, 1, 1)),
        sdk_events.ReminderCancelled(),
        sdk_events.ConversationPaused(),
        sdk_events.ConversationResumed(),
        sdk_events.FollowupAction("utter_x"),
        sdk_events.UserUtteranceReverted(),
        sdk_events.ActionReverted(),
        sdk_events.Restarted(),
        sdk_events.SessionStarted(),
        sdk_events.UserUttered("salut", {"name": "greet"}),
        sdk_events.BotUttered("bonjour"),
        sdk_events.ActiveLoop("ticket_form"),
        sdk_events.ActiveLoop(None),
        sdk_events.ActionExecuted("action_listen"),
        sdk_events.ActionExecutionRejected("ticket_form"),
        sdk_events.LoopInterrupted(True),
        {"event": "entities", "entities": [{"entity": "field", "value": "name"}]},
    )
]
MALFORMED = [
    {"events": [{"event": "slot", "name": 3, "value": 1}]},  # a kind's own property of the wrong type
    {"events": [{"event": "teleport"}]},  # no such kind
    {"events": [{"event": ["slot"], "name": "x", "value": 1}]},
    {"events": [{"event": "action", "confidence": "high"}]},
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "field"}]}}]},
    {"events": [{"event": "entities"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "now"}]},  # common to every kind
    {"events": ["slot"]},
    {"events": [REPLY["events"][0]], "responses": "text"},
    ["events"],
]


def test_the_check_by_event_kind_agrees_with_rasas_full_schema() -> None:
    full = rasa_speedups.action_result_validator()
    good = [{"events": EVERY_KIND, "responses": REPLY["responses"]}, REPLY, {}, {"events": []}]
    good += [{"events": [event]} for event in EVERY_KIND]
    assert all(full.is_valid(reply) for reply in good), "the corpus of good replies is good"
    assert all(rasa_speedups.valid_by_event_kind(reply) for reply in good)
    assert not any(full.is_valid(reply) for reply in MALFORMED), "the corpus of bad replies is bad"
    assert not any(rasa_speedups.valid_by_event_kind(reply) for reply in MALFORMED)
    for reply in MALFORMED[:-1]:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            action()._validate_action_result(reply)


def test_event_classes_are_found_as_rasa_finds_them() -> None:
    for cls in all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is rasa_speedups.RESOLVE_BY_TYPE(cls.type_name)
    assert Event.resolve_by_type("session_started") is SessionStarted
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("teleport", default=UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'teleport'"):
        Event.resolve_by_type("teleport")


@asynccontextmanager
async def action_server(webhook: Callable[[web.Request], Awaitable[web.Response]]) -> AsyncIterator[str]:
    """A stand-in action server on loopback answering `webhook`; its URL."""
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/webhook"
    finally:
        await runner.cleanup()


def test_calls_to_the_action_server_share_one_connection_and_keep_the_endpoints_headers() -> None:
    seen: list[tuple[str | None, object]] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.headers.get("X-Helpdesk"), request.transport))
        return web.json_response(REPLY)

    async def scenario() -> list[object]:
        async with action_server(webhook) as url:
            endpoint = EndpointConfig(url, headers={"X-Helpdesk": "yes"})
            return [await endpoint.request(json={"next_action": "x"}, method="post") for _ in range(3)]

    replies = asyncio.run(scenario())
    assert replies == [REPLY] * 3
    assert [header for header, _ in seen] == ["yes"] * 3
    assert len({id(transport) for _, transport in seen}) == 1, "one kept connection, not one per call"


def test_the_sqlite_tracker_store_writes_ahead_and_others_read_while_it_writes(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    store = MaskingSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(database))
    tracker = DialogueStateTracker.from_events(
        "partner-1",
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            ActionExecuted("action_listen"),
            UserUttered("mon mot de passe est Soleil2024!"),
        ],
    )
    asyncio.run(store.save(tracker))
    with sqlite3.connect(database) as reader:  # the console, reading while Rasa keeps its connection open
        assert reader.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = [row[0] for row in reader.execute("select data from events where sender_id = 'partner-1'")]
    assert len(stored) == 4 and not any("Soleil2024" in data for data in stored)
    again = asyncio.run(store.retrieve("partner-1"))
    assert again is not None and again.latest_message.text == "mon mot de passe est •••••"


def test_a_domain_is_empty_as_rasa_says_it_is() -> None:
    for domain in (Domain.empty(), Domain.load("domain.yml"), Domain.from_dict({"intents": ["greet"]})):
        assert domain.is_empty() is rasa_speedups.DOMAIN_IS_EMPTY(domain)
        assert domain.is_empty() is rasa_speedups.DOMAIN_IS_EMPTY(domain), "asked again"
    assert Domain.empty().is_empty() and not Domain.load("domain.yml").is_empty()


def test_a_slot_copies_as_the_generic_copy_does() -> None:
    for slot in Domain.load("domain.yml").slots:
        slot.value = slot.initial_value
        copied = copy.copy(slot)
        del Slot.__copy__
        try:
            generic = copy.copy(slot)
        finally:
            Slot.__copy__ = rasa_speedups._copy_slot
        assert type(copied) is type(generic) is type(slot) and copied is not slot
        assert copied.__dict__ == generic.__dict__ == slot.__dict__
        copied.value = "changed"
        assert slot.value == slot.initial_value, "the copy is a new slot"


def conversation_state() -> dict:
    """An action call's payload as Rasa builds it: a conversation with French text and the NLU's NumPy numbers."""
    tracker = DialogueStateTracker.from_events(
        "partner-é",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "J'ai oublié mon mot de passe « UNPP »",
                {"name": "faq", "confidence": np.float64(0.87)},
                parse_data={"intent_ranking": [{"name": "faq", "confidence": np.float32(0.5)}], "n": np.int64(3)},
            ),
        ],
    )
    return {"next_action": "action_answer_article", "tracker": tracker.current_state(), "version": "3.6.21", 1: "x"}


def test_the_action_calls_json_reads_back_as_the_standard_librarys() -> None:
    payload = conversation_state()
    assert json.loads(rasa_speedups.conversation_json(payload)) == json.loads(json.dumps(payload, default=float))
    assert "oublié" in rasa_speedups.conversation_json(payload)
    with pytest.raises(TypeError):
        rasa_speedups.conversation_json({"when": object()})


def test_the_action_server_receives_the_conversation_as_rasa_would_send_it() -> None:
    received: list[object] = []
    sent = conversation_state()

    async def webhook(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.json_response(REPLY)

    async def scenario() -> None:
        async with action_server(webhook) as url:
            await EndpointConfig(url).request(json=sent, method="post")

    asyncio.run(scenario())
    assert received == [json.loads(json.dumps(sent, default=float))]
