"""The form validation action, called the way the action server calls it."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.ticket_form import ActionAskIssueType, ValidateTicketForm
from bot.tickets.issue_types import match_issue_type


def tracker(language: str = "fr", **slots: str) -> Tracker:
    return Tracker(
        sender_id="unit",
        slots={"language": language, **slots},
        latest_message={"text": "", "intent": {"name": "inform"}, "entities": []},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "ticket_form"},
        latest_action_name="action_listen",
    )


@pytest.fixture
def form() -> ValidateTicketForm:
    return ValidateTicketForm()


def run(form: ValidateTicketForm, slot: str, value: str) -> tuple[dict, list[dict]]:
    dispatcher = CollectingDispatcher()
    result = getattr(form, f"validate_{slot}")(value, dispatcher, tracker(), {})
    return result, dispatcher.messages


def test_a_profile_link_keeps_the_link_and_its_id(form: ValidateTicketForm) -> None:
    result, messages = run(form, "profile_link", " https://www.unpartnerportal.org/profile/4821/overview ")
    assert result == {"profile_link": "https://www.unpartnerportal.org/profile/4821/overview", "profile_id": "4821"}
    assert messages == []


def test_a_bad_profile_link_is_explained_and_asked_again(form: ValidateTicketForm) -> None:
    result, messages = run(form, "profile_link", "https://www.unpartnerportal.org/login")
    assert result == {"profile_link": None, "profile_id": None}
    assert [m["response"] for m in messages] == ["utter_invalid_profile_link"]


def test_a_bad_email_is_quoted_back_and_asked_again(form: ValidateTicketForm) -> None:
    result, messages = run(form, "contact_email", "jean@asso")
    assert result == {"contact_email": None}
    assert messages[0]["response"] == "utter_invalid_contact_email"
    assert messages[0]["contact_email"] == "jean@asso"


def test_a_good_email_is_normalised(form: ValidateTicketForm) -> None:
    assert run(form, "contact_email", " Jean@ASSO.fr ")[0] == {"contact_email": "Jean@asso.fr"}


def test_an_organisation_name_is_trimmed_and_must_not_be_empty(form: ValidateTicketForm) -> None:
    assert run(form, "organization_name", "  ONG   Espoir ")[0] == {"organization_name": "ONG Espoir"}
    assert run(form, "organization_name", " x ")[0] == {"organization_name": None}


def test_a_too_short_description_is_asked_again(form: ValidateTicketForm) -> None:
    assert run(form, "description", "aide")[0] == {"description": None}
    assert run(form, "description", "Le bouton Envoyer ne marche pas.")[0] == {
        "description": "Le bouton Envoyer ne marche pas."
    }


@pytest.mark.parametrize(
    ("typed", "issue_type"),
    [
        ("duplicate_profile", "duplicate_profile"),
        ("2", "non_editable_info"),
        ("Supprimer un profil en double", "duplicate_profile"),
        ("Account access (access lost, users to add)", "account_access"),
        ("doublon", "duplicate_profile"),
        ("autre", "other"),
        ("banane", None),
    ],
)
def test_issue_type_from_text(typed: str, issue_type: str | None) -> None:
    assert match_issue_type(typed) == issue_type


async def _ask(language: str) -> list[dict]:
    dispatcher = CollectingDispatcher()
    await ActionAskIssueType().run(dispatcher, tracker(language), {})
    return dispatcher.messages


def test_issue_type_buttons_are_labelled_in_the_partner_language() -> None:
    for language, label in (("fr", "Supprimer un profil en double"), ("en", "Delete a duplicate profile")):
        messages = asyncio.run(_ask(language))
        buttons = messages[0]["buttons"]
        assert [b["payload"] for b in buttons] == [
            '/choose_issue_type{"issue_type": "account_access"}',
            '/choose_issue_type{"issue_type": "non_editable_info"}',
            '/choose_issue_type{"issue_type": "duplicate_profile"}',
            '/choose_issue_type{"issue_type": "other"}',
        ]
        assert label in [b["title"] for b in buttons]


def test_a_password_in_the_description_is_masked(form: ValidateTicketForm) -> None:
    result, _ = run(form, "description", "Je ne peux pas me connecter, mot de passe : Soleil2024!")
    assert "Soleil2024" not in result["description"]
    assert result["description"].startswith("Je ne peux pas me connecter")
