"""Properties of the form's validate methods on any text: a value or a message in the partner's language, never
an exception, and never a control character or markup in what is kept. Derandomised (tests/support/hostile_text.py)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st
from rasa_sdk.executor import CollectingDispatcher

from actions.ticket_form import ValidateTicketForm
from bot.settings import PROJECT_ROOT
from bot.text.masking import contains_secret
from bot.text.partner_messages import MESSAGES
from bot.text.plain_text import contains_markup, is_control, one_line, strip_control_characters
from bot.tickets.models import ISSUE_TYPES
from tests.support.hostile_text import PROPERTIES, hostile_text
from tests.unit.actions.test_ticket_form import tracker  # the form in progress, in the partner's language

FIELDS = ("organization_name", "profile_link", "issue_type", "description", "contact_email")
DOMAIN_RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]


def speaks_both_languages(response: str) -> bool:
    """The response has an English variant (language slot = en) and a default, French, one."""
    variants = DOMAIN_RESPONSES.get(response, [])
    english = [v for v in variants if v.get("condition") == [{"type": "slot", "name": "language", "value": "en"}]]
    return bool(english) and any("condition" not in v for v in variants)


def in_language(text: str, language: str) -> bool:
    """The text is one of our guard messages, in `language` (its fixed opening words)."""
    return any(text.startswith(variants[language].split("{")[0][:20]) for variants in MESSAGES.values())


def validate(field: str, value: Any, language: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    result = getattr(ValidateTicketForm(), f"validate_{field}")(value, dispatcher, tracker(language), {})
    return result, dispatcher.messages


@pytest.mark.parametrize("field", FIELDS)
@PROPERTIES
@given(value=hostile_text, language=st.sampled_from(["fr", "en"]))
@example(value="x" * 20_000, language="fr")
@example(value="<script>alert(1)</script> ONG", language="en")
@example(value="   ", language="fr")
@example(value="'; DROP TABLE tickets; --", language="en")
def test_any_answer_is_kept_clean_or_explained_in_the_partner_language(field: str, value: str, language: str) -> None:
    result, messages = validate(field, value, language)
    kept = result[field]
    if kept is None:
        [message] = messages
        if message.get("response"):
            assert speaks_both_languages(message["response"]), message["response"]
        else:
            assert in_language(message["text"], language), message["text"]
    else:
        assert messages == []
        assert not any(is_control(c, keep_newlines=field == "description") for c in kept)
        assert not contains_markup(kept)
        if field == "issue_type":
            assert kept in ISSUE_TYPES
        elif field == "organization_name":
            assert kept == one_line(value)
        elif field == "profile_link":
            assert kept == value.strip()
        elif field == "description" and not contains_secret(value):
            assert kept == strip_control_characters(value, keep_newlines=True).strip()


@pytest.mark.parametrize("value", [None, 42, ["ONG"], {"a": 1}])
@pytest.mark.parametrize("field", FIELDS)
def test_a_value_that_is_not_text_never_raises(field: str, value: Any) -> None:
    result, _ = validate(field, value, "fr")
    assert field in result


@pytest.mark.parametrize(
    ("field", "value", "language", "said"),
    [
        ("organization_name", "ONG <b>Espoir</b>", "fr", "sans code HTML"),
        ("description", "Le bouton <img src=x onerror=alert(1)> ne marche pas", "en", "without HTML code"),
        ("description", "x" * 5001, "fr", "trop longue (5000 caractères au plus)"),
        ("description", "x" * 5001, "en", "too long (5000 characters at most)"),
    ],
)
def test_markup_and_too_long_descriptions_are_explained(field: str, value: str, language: str, said: str) -> None:
    result, [message] = validate(field, value, language)
    assert result[field] is None and said in message["text"]


@pytest.mark.parametrize(
    ("field", "typed", "kept"),
    [
        ("organization_name", "  جمعية   الأمل\tللتنمية ", "جمعية الأمل للتنمية"),
        ("organization_name", "Association 🙂 des\x00 Femmes\u202e", "Association 🙂 des Femmes"),
        (
            "description",
            "Bonjour,\r\nle profil 👩🏽‍💻 ne s'affiche plus.\x1b[31m ",
            "Bonjour,\nle profil 👩🏽‍💻 ne s'affiche plus.[31m",
        ),
        ("description", "'; DROP TABLE tickets; -- ne marche pas", "'; DROP TABLE tickets; -- ne marche pas"),
        ("contact_email", " <awa@afk.org> ", "awa@afk.org"),
    ],
)
def test_answers_are_kept_as_written_without_control_characters(field: str, typed: str, kept: str) -> None:
    assert validate(field, typed, "fr") == ({field: kept}, [])
