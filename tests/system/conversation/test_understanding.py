"""What the model understands from a partner's typed words: the field to correct, and form answers kept as answers."""

from __future__ import annotations

import pytest

from tests.system.conversation.chat import Assistant

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("je veux changer le nom de l'organisation", "organization_name"),
        ("change the organization name please", "organization_name"),
        ("il faut corriger le lien du profil", "profile_link"),
        ("the profile link is wrong", "profile_link"),
        ("modifier le type de problème", "issue_type"),
        ("change the issue type", "issue_type"),
        ("je veux refaire la description", "description"),
        ("corriger mon adresse e-mail", "contact_email"),
        ("my email is wrong, change it", "contact_email"),
    ],
)
def test_a_typed_correction_names_the_form_field(assistant: Assistant, text: str, field: str) -> None:
    fields = [e["value"] for e in assistant.parse(text)["entities"] if e["entity"] == "field"]
    assert fields and set(fields) == {field}, fields


@pytest.mark.parametrize(
    "text",
    [
        "It fails <img src=x onerror=alert(1)> here",
        "Le formulaire de profil affiche une erreur.",
        "asdfgh qwerty",
        "Our only administrator left and nobody can add users any more.",
        "jamais reçu",
    ],
)
def test_a_description_is_never_taken_for_a_cancellation(assistant: Assistant, text: str) -> None:
    intent = assistant.parse(text)["intent"]
    assert intent["name"] != "cancel", intent


def test_every_parse_carries_the_thresholds_it_was_calibrated_with(assistant: Assistant) -> None:
    thresholds = assistant.parse("mot de passe oublié")["thresholds"]
    assert set(thresholds) == {"fallback", "answer", "margin", "suggest"}
    assert all(0.0 <= value < 1.0 for value in thresholds.values())
