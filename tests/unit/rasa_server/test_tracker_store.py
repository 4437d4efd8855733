"""A typed password never reaches the stored conversation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server import tracker_store
from bot.rasa_server.tracker_store import MaskingSQLTrackerStore, masked_event


def test_password_is_masked_in_the_stored_conversation(tmp_path: Path) -> None:
    domain = Domain.load("domain.yml")
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = DialogueStateTracker.from_events(
        "partner",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                "mon mot de passe est Soleil2024! et ça ne marche pas",
                {"text": "mon mot de passe est Soleil2024! et ça ne marche pas"},
            ),
            SlotSet("description", "password: Soleil2024! refused"),
            UserUttered("j'ai oublié mon mot de passe"),
        ],
    )
    asyncio.run(store.save(tracker))

    with store.session_scope() as session:
        rows = [
            (row.sender_id, row.type_name, row.timestamp, row.intent_name, row.action_name, json.loads(row.data))
            for row in session.query(store.SQLEvent).order_by(store.SQLEvent.id)
        ]
    stored = json.dumps(rows, ensure_ascii=False)
    assert "Soleil2024" not in stored
    assert "j'ai oublié mon mot de passe" in stored
    retrieved = asyncio.run(store.retrieve("partner"))
    assert retrieved.get_slot("description") == "password: ••••• refused"


def _stored_rows(store: MaskingSQLTrackerStore) -> str:
    with store.session_scope() as session:
        return json.dumps([json.loads(row.data) for row in session.query(store.SQLEvent)], ensure_ascii=False)


def test_structured_slots_and_ordinary_data_are_stored_as_typed(tmp_path: Path) -> None:
    """Finding 3: "Code for Africa 2030" came back "Code for Africa •••••", postal and error codes were lost."""
    store = MaskingSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="sqlite", db=str(tmp_path / "t.db"))
    typed = [
        "Code for Africa 2030",
        "https://www.unpartnerportal.org/profile/4821/overview",
        "code d'erreur 40312 à l'adresse code postal 75001",
        "awa@afk.org",
    ]
    events = []
    for text, slot in zip(typed, ("organization_name", "profile_link", "description", "contact_email"), strict=True):
        events += [ActionExecuted("action_listen"), UserUttered(text, {"text": text}), SlotSet(slot, text)]
    asyncio.run(store.save(DialogueStateTracker.from_events("partner", events)))

    stored = _stored_rows(store)
    assert "•" not in stored
    retrieved = asyncio.run(store.retrieve("partner"))
    assert [
        retrieved.get_slot(s) for s in ("organization_name", "profile_link", "description", "contact_email")
    ] == typed
    assert [e.text for e in retrieved.events if isinstance(e, UserUttered)] == typed


def test_a_slot_that_copied_a_message_with_a_secret_is_masked_with_it(tmp_path: Path) -> None:
    """A from_text slot holds the whole message; when that message held a secret, the copy must not keep it."""
    store = MaskingSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="sqlite", db=str(tmp_path / "t.db"))
    typed = "ONG Lumière, mon mdp c\u2019est Tournesol88"
    events = [ActionExecuted("action_listen"), UserUttered(typed, {"text": typed}), SlotSet("organization_name", typed)]
    asyncio.run(store.save(DialogueStateTracker.from_events("partner", events)))

    assert "Tournesol88" not in _stored_rows(store)
    assert asyncio.run(store.retrieve("partner")).get_slot("organization_name") == "ONG Lumière, mon mdp c'est •••••"


def _two_sessions(store: SQLTrackerStore) -> tuple[list[tuple], DialogueStateTracker, DialogueStateTracker]:
    """The way Rasa uses a store: retrieve, add this turn's events, save; the second turn starts a new session."""
    first = [ActionExecuted("action_session_start", timestamp=1), SessionStarted(timestamp=2)]
    said = UserUttered("bonjour", {"name": "greet", "confidence": 0.9}, timestamp=4)
    first += [ActionExecuted("action_listen", timestamp=3), said]
    asyncio.run(store.save(DialogueStateTracker.from_events("partner", first)))
    tracker = asyncio.run(store.retrieve("partner"))
    tracker.update(ActionExecuted("action_session_start", timestamp=10))
    tracker.update(SessionStarted(timestamp=11))
    tracker.update(UserUttered("second session", timestamp=12))
    asyncio.run(store.save(tracker))
    tracker = asyncio.run(store.retrieve("partner"))
    tracker.update(UserUttered("third turn", timestamp=13))
    asyncio.run(store.save(tracker))
    with store.session_scope() as session:
        rows = [
            (row.sender_id, row.type_name, row.timestamp, row.intent_name, row.action_name, json.loads(row.data))
            for row in session.query(store.SQLEvent).order_by(store.SQLEvent.id)
        ]
    return rows, asyncio.run(store.retrieve("partner")), asyncio.run(store.retrieve_full_tracker("partner"))


def test_the_store_keeps_and_returns_exactly_what_rasas_own_sql_store_does(tmp_path: Path) -> None:
    domain = Domain.load("domain.yml")
    ours = _two_sessions(MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db")))
    rasas = _two_sessions(SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db")))
    rows, latest, full = ours
    assert len(rows) == 8 and rows == rasas[0]
    assert rows[3][3] == "greet" and rows[2][4] == "action_listen", "the intent and action columns are filled"
    assert [e.timestamp for e in latest.events] == [11, 12, 13] == [e.timestamp for e in rasas[1].events]
    assert latest.latest_message.text == "third turn"
    assert len(full.events) == len(rasas[2].events) == 8
    store = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    assert asyncio.run(store.retrieve("nobody")) is None


def test_a_bot_message_quoting_a_secret_is_masked_in_every_conversation_that_stores_it(tmp_path: Path) -> None:
    """Bot messages are masked once and remembered: the second conversation gets the same masked text."""
    store = MaskingSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="sqlite", db=str(tmp_path / "t.db"))
    quoted = "Vous avez écrit : « mon mot de passe est Soleil2024! ». Ne partagez jamais votre mot de passe."
    for sender in ("first", "second"):
        events = [ActionExecuted("action_listen"), UserUttered("bonjour", {"text": "bonjour"}), BotUttered(quoted)]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))

    stored = _stored_rows(store)
    assert "Soleil2024" not in stored
    bot_texts = [
        e.text for s in ("first", "second") for e in asyncio.run(store.retrieve(s)).events if isinstance(e, BotUttered)
    ]
    assert bot_texts == [bot_texts[0]] * 2 and "Ne partagez jamais votre mot de passe." in bot_texts[0]


def test_events_rasas_own_store_wrote_are_read_back(tmp_path: Path) -> None:
    """Rows written by the standard library's JSON (Rasa's SQL store, an older release of ours) read back the same,
    NaN and integers past 64 bits included."""
    domain = Domain.load("domain.yml")
    rasa_store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    odd = {"confidence": float("nan"), "big": 2**70, "text": "réinitialiser « mot de passe »"}
    events = [ActionExecuted("action_listen"), UserUttered(odd["text"], {"name": "faq"}, parse_data=odd)]
    asyncio.run(rasa_store.save(DialogueStateTracker.from_events("partner", events)))
    ours = MaskingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    said = [e for e in asyncio.run(ours.retrieve("partner")).events if isinstance(e, UserUttered)][0]
    assert said.text == odd["text"] and said.parse_data["big"] == 2**70
    assert said.parse_data["confidence"] != said.parse_data["confidence"], "NaN"


def _statements(store: MaskingSQLTrackerStore) -> list[str]:
    seen: list[str] = []
    sa.event.listen(store.engine, "before_cursor_execute", lambda _c, _cur, statement, *_: seen.append(statement))
    return seen


def test_each_event_is_stored_once_and_a_read_conversation_is_saved_without_counting_its_rows(tmp_path: Path) -> None:
    store = MaskingSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="sqlite", db=str(tmp_path / "t.db"))
    first = [ActionExecuted("action_listen"), UserUttered("bonjour", {"name": "greet"})]
    asyncio.run(store.save(DialogueStateTracker.from_events("partner", first)))
    statements = _statements(store)

    tracker = asyncio.run(store.retrieve("partner"))
    for text in ("mot de passe oublié", "merci"):  # two turns on the object read, as Rasa saves them
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered(text, {"name": "faq"}))
        asyncio.run(store.save(tracker))
    rebuilt = DialogueStateTracker.from_events("partner", [*tracker.events, BotUttered("Voici la réponse.")])
    asyncio.run(store.save(rebuilt))  # not read from the store: its stored rows are counted

    said = asyncio.run(store.retrieve("partner")).events
    texts = [e.text for e in said if isinstance(e, UserUttered | BotUttered)]
    assert texts == ["bonjour", "mot de passe oublié", "merci", "Voici la réponse."]
    assert len([s for s in statements if "COUNT(*)" in s]) == 1, "only the rebuilt tracker's save counted"


INTAKE = {"client_address": "127.0.0.1", "intake": {"language": "fr", "masked": True}}


def test_a_message_the_intake_masked_is_stored_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Masked once, by the intake (bot/rasa_server/intake.py): text, parse data and the slot copying it stay as they
    are, and the store does not look for secrets in them again."""
    store = MaskingSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="sqlite", db=str(tmp_path / "t.db"))
    masked = "ONG Lumière, mon mdp c'est •••••"
    parse = {"text": masked, "intent": {"name": "inform"}, "entities": [{"entity": "x", "value": "mdp c'est •••••"}]}
    said = UserUttered(masked, {"name": "inform"}, parse_data=parse, metadata=INTAKE)
    looked_at: list[str] = []
    monkeypatch.setattr(tracker_store, "mask_secrets", lambda text: looked_at.append(text) or text)
    typed: dict[str, str] = {}
    assert masked_event(said, typed) is said and typed == {} and looked_at == []

    events = [ActionExecuted("action_listen"), said, SlotSet("organization_name", masked)]
    asyncio.run(store.save(DialogueStateTracker.from_events("partner", events)))
    retrieved = asyncio.run(store.retrieve("partner"))
    [stored] = [e for e in retrieved.events if isinstance(e, UserUttered)]
    assert (stored.text, stored.parse_data["entities"], stored.metadata) == (masked, parse["entities"], INTAKE)
    assert retrieved.get_slot("organization_name") == masked
    assert looked_at == [], "neither the message nor the slot that copied it was masked again"


@pytest.mark.parametrize(
    "metadata",
    [None, {"client_address": "127.0.0.1"}, {"intake": {"language": "fr", "masked": "true"}}, {"intake": "masked"}],
    ids=["api", "no-record", "not-a-record", "a-string"],
)
def test_everything_else_is_still_masked(tmp_path: Path, metadata: dict | None) -> None:
    """A user event without the intake's record (Rasa's HTTP API), the bot's messages and the free-text slots."""
    store = MaskingSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="sqlite", db=str(tmp_path / "t.db"))
    typed = "ONG Lumière, mon mdp c'est Tournesol88"
    events = [
        ActionExecuted("action_listen"),
        UserUttered(typed, {"name": "inform"}, parse_data={"text": typed}, metadata=metadata),
        SlotSet("organization_name", typed),
        ActionExecuted("action_listen"),
        UserUttered("je décris", {"name": "inform"}, parse_data={"text": "je décris"}, metadata=INTAKE),
        SlotSet("description", "le portail refuse mon mot de passe: Tournesol88"),
        BotUttered("Vous avez écrit : « mot de passe : Tournesol88 »."),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events("partner", events)))
    assert "Tournesol88" not in _stored_rows(store)
    retrieved = asyncio.run(store.retrieve("partner"))
    assert retrieved.get_slot("organization_name") == "ONG Lumière, mon mdp c'est •••••"
    assert retrieved.get_slot("description") == "le portail refuse mon mot de passe: •••••"
