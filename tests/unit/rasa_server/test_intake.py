"""The intake (bot/rasa_server/intake.py): one screening, one masking, one language detection per message, and what
the NLU component and the tracker store do with its record."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from rasa.shared.core.events import UserUttered
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

import bot.rasa_server.guard
import bot.rasa_server.intake
import bot.rasa_server.nlu.language_detector
import bot.rasa_server.tracker_store
from bot.rasa_server.intake import LANGUAGE_MIN_CONFIDENCE, Accepted, Intake, IntakeRecord, Refused
from bot.rasa_server.nlu.language_detector import LanguageDetectorComponent
from bot.rasa_server.tracker_store import masked_event
from bot.settings import PROJECT_ROOT, Settings
from tests.support.settings import settings_with
from tests.support.stand_ins import Agent

SECRET_FR = "je n'arrive pas à me connecter, mon mot de passe est Soleil2024!"
SECRET_NO_LANGUAGE = "mdp: Tournesol88"  # neither French nor English to the detector
LONG_ENGLISH = "I cannot log in to my account and the password reset does not work for me. " * 2  # over 100


def intake_settings(**variables: str) -> Settings:
    limits = {"MESSAGES_PER_MINUTE_PER_SENDER": "3", "MESSAGES_PER_MINUTE_PER_ADDRESS": "0"}
    return settings_with(
        **{"MAX_MESSAGE_CHARS": "100", "TRUST_PROXY": "0", "RATE_LIMIT_EXEMPT_ADDRESSES": "", **limits, **variables}
    )


def take(intake: Intake, text: str, metadata: dict[str, Any] | None = None, agent: Any = None) -> Accepted | Refused:
    return asyncio.run(intake.take("partner", text, metadata or {}, "127.0.0.1", None, agent))


def as_nlu_message(message: Accepted) -> Message:
    """The message as Rasa's NLUMessageConverter hands it to the NLU components (UserMessage strips the text)."""
    return Message(data={TEXT: message.text.strip(), "message_id": "m1", "metadata": message.metadata})


def language_entities(message: Message) -> list[str]:
    return [entity["value"] for entity in message.get(ENTITIES, []) if entity["entity"] == "language"]


def test_a_message_goes_on_masked_with_the_address_and_the_intakes_record() -> None:
    sent = {"language": "en", "client_address": "6.6.6.6", "intake": {"language": "en", "masked": True}}
    taken = take(Intake(intake_settings()), SECRET_FR + "\x00", sent)
    assert isinstance(taken, Accepted)
    assert taken.text == "je n'arrive pas à me connecter, mon mot de passe est •••••"
    assert taken.metadata == {
        "language": "en",
        "client_address": "127.0.0.1",
        "intake": {"language": "fr", "masked": True},
    }, "the client's own address and record are replaced by ours"
    assert taken.warning is not None and set(taken.warning) == {"text", "custom"}, "as the widget reads it"
    assert taken.warning["custom"] == {"masked_message": "je n'arrive pas à me connecter, mon mot de passe est •••••"}
    assert "ne communiquez jamais" in taken.warning["text"], "in the message's language"

    clean = take(Intake(intake_settings()), "hello, my account is locked")
    assert isinstance(clean, Accepted) and clean.warning is None
    assert clean.text == "hello, my account is locked"
    assert clean.metadata["intake"] == {"language": "en", "masked": True}
    assert take(Intake(intake_settings()), "ok").metadata["intake"] == {"language": None, "masked": True}


@pytest.mark.parametrize(
    ("text", "slot", "page", "default", "words"),
    [
        (SECRET_FR, "en", "en", "en", "ne communiquez jamais"),  # the message's own language first
        ("my password is Kiwi-abc!", "fr", None, "fr", "never share a password"),
        (SECRET_NO_LANGUAGE, "en", "fr", "fr", "never share a password"),  # else the conversation's
        (SECRET_NO_LANGUAGE, None, "en", "fr", "never share a password"),  # else the page's
        (SECRET_NO_LANGUAGE, None, None, "en", "never share a password"),  # else the settings' default
        (SECRET_NO_LANGUAGE, None, None, "fr", "ne communiquez jamais"),
    ],
)
def test_the_warning_is_in_the_message_language_else_the_conversations(
    text: str, slot: str | None, page: str | None, default: str, words: str
) -> None:
    intake = Intake(intake_settings(DEFAULT_LANGUAGE=default))
    taken = take(intake, text, {"language": page} if page else {}, Agent(slot))
    assert isinstance(taken, Accepted) and taken.warning is not None and words in taken.warning["text"]


@pytest.mark.parametrize(
    ("text", "slot", "page", "default", "words"),
    [
        ("   ", "en", "fr", "fr", "Your message is empty"),  # the conversation's first
        (LONG_ENGLISH, None, "fr", "fr", "Your message is too long"),  # else the text's
        ("\x00", None, "en", "fr", "Your message is empty"),  # nothing to detect: the page's
        ("\x00", None, None, "en", "Your message is empty"),  # else the default language of the settings
        ("\x00", None, None, "fr", "Votre message est vide"),
    ],
)
def test_a_refusal_is_in_the_conversation_language(
    text: str, slot: str | None, page: str | None, default: str, words: str
) -> None:
    intake = Intake(intake_settings(DEFAULT_LANGUAGE=default))
    taken = take(intake, text, {"language": page} if page else {}, Agent(slot))
    assert isinstance(taken, Refused) and words in taken.reply and taken.retry_after == 0


def test_a_flood_is_refused_with_whole_seconds_to_wait() -> None:
    now = [100.0]
    intake = Intake(intake_settings(), clock=lambda: now[0])
    assert [type(take(intake, "hello")) for _ in range(3)] == [Accepted] * 3
    now[0] += 0.5
    refused = take(intake, "hello", agent=Agent("en"))
    assert isinstance(refused, Refused) and refused.too_many_messages
    assert refused.retry_after == 60 and "wait about" in refused.reply


def counting(monkeypatch: pytest.MonkeyPatch, counts: Counter, *places: tuple[Any, str]) -> None:
    """Count the calls of each function where the modules under test look it up (their own globals)."""
    for module, name in places:
        original: Callable[..., Any] = getattr(module, name)

        def counted(*args: Any, _original: Callable[..., Any] = original, _name: str = name, **kwargs: Any) -> Any:
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)


@pytest.mark.parametrize(
    ("text", "slot"),
    [("je ne reçois pas le code de vérification", None), (SECRET_FR, None), (SECRET_NO_LANGUAGE, "en")],
    ids=["clean", "secret", "secret-no-language"],
)
def test_a_message_is_masked_once_and_its_language_detected_once(
    monkeypatch: pytest.MonkeyPatch, text: str, slot: str | None
) -> None:
    """From the channel to the stored event: the intake, the NLU component, the tracker store."""
    intake, component = Intake(intake_settings()), LanguageDetectorComponent({"min_confidence": 0.6})
    counts: Counter = Counter()
    modules = (bot.rasa_server.intake, bot.rasa_server.guard, bot.rasa_server.tracker_store)
    counting(monkeypatch, counts, *((module, "mask_secrets") for module in modules if hasattr(module, "mask_secrets")))
    counting(
        monkeypatch,
        counts,
        *(
            (module, "detect_language")
            for module in (*modules, bot.rasa_server.nlu.language_detector)
            if hasattr(module, "detect_language")
        ),
    )

    taken = take(intake, text, agent=Agent(slot))
    assert isinstance(taken, Accepted)
    [parsed] = component.process([as_nlu_message(taken)])
    event = UserUttered(taken.text, {"name": "faq"}, [], {"text": taken.text}, metadata=taken.metadata)
    assert masked_event(event, {}) is event, "stored as it is"
    assert counts == Counter(mask_secrets=1, detect_language=1)


def test_the_nlu_component_takes_the_intakes_language(monkeypatch: pytest.MonkeyPatch) -> None:
    component = LanguageDetectorComponent({"min_confidence": LANGUAGE_MIN_CONFIDENCE})
    french = "je ne reçois pas le code de vérification"

    def message(metadata: Any) -> Message:
        return Message(data={TEXT: french, "metadata": metadata})

    said = [
        message({"intake": {"language": "en", "masked": True}}),  # the intake's word is taken as it is
        message({"intake": {"language": None, "masked": True}}),  # "not clearly one": no entity
        message(None),  # rasa shell, /model/parse: detected here
        message({"language": "en"}),
        message({"intake": {"language": "en", "masked": "yes"}}),  # not a record the intake writes
        message({"intake": {"language": "de", "masked": True}}),
    ]
    assert [language_entities(m) for m in component.process(said)] == [["en"], [], ["fr"], ["fr"], ["fr"], ["fr"]]

    stricter = LanguageDetectorComponent({"min_confidence": 0.95})
    recorded = message({"intake": {"language": "en", "masked": True}})
    assert language_entities(stricter.process([recorded])[0]) == ["fr"], "another threshold: detected again"


def test_config_yml_configures_the_component_at_the_intakes_threshold() -> None:
    """Else the component would detect every message a second time (correctly, but for nothing)."""
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    [configured] = [c for c in pipeline if c["name"].endswith("language_detector.LanguageDetectorComponent")]
    threshold = configured.get("min_confidence", LanguageDetectorComponent.get_default_config()["min_confidence"])
    assert threshold == LANGUAGE_MIN_CONFIDENCE
    assert LanguageDetectorComponent(configured).min_confidence == LANGUAGE_MIN_CONFIDENCE


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, mon compte est bloqué",
        "how do I reset my password?",
        SECRET_FR,
        "my verification code is 482913 and it does not work",
        SECRET_NO_LANGUAGE,
        "awa@afk.org",
        "ok",
        "/request_support",
        "  password reset  ",
        "quantumplus login",
    ],
)
def test_the_intakes_language_is_what_the_component_detects_on_the_same_text(text: str) -> None:
    taken = take(Intake(intake_settings(MAX_MESSAGE_CHARS="0")), text)
    assert isinstance(taken, Accepted)
    component = LanguageDetectorComponent({"min_confidence": LANGUAGE_MIN_CONFIDENCE})
    recorded = language_entities(component.process([as_nlu_message(taken)])[0])
    unrecorded = Message(data={TEXT: taken.text.strip()})
    assert recorded == language_entities(component.process([unrecorded])[0])


@pytest.mark.parametrize(
    "metadata",
    [None, {}, {"intake": None}, {"intake": {"language": "fr"}}, {"intake": {"masked": 1}}, {"intake": "masked"}],
)
def test_only_a_record_the_intake_writes_counts(metadata: Any) -> None:
    assert IntakeRecord.of(metadata) is None


def test_the_record_round_trips() -> None:
    for language in ("fr", "en", None):
        record = IntakeRecord(language)
        assert IntakeRecord.of({"intake": record.as_metadata()}) == record


def test_the_module_docstring_documents_the_shape_written() -> None:
    docstring = bot.rasa_server.intake.__doc__ or ""
    assert 'metadata["intake"] = {"language": "fr" | "en" | None, "masked": True}' in docstring
    assert set(IntakeRecord("fr").as_metadata()) == {"language", "masked"}
