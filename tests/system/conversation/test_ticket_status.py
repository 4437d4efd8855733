"""Asking the bot where a request stands, through the real Rasa and action servers."""

from __future__ import annotations

import pytest

from tests.system.conversation.chat import Assistant, open_ticket, texts

pytestmark = pytest.mark.model

PROFILE = "https://www.unpartnerportal.org/profile/4821/overview"


def opened(assistant: Assistant, sender: str, email: str, language: str = "en") -> str:
    return open_ticket(
        assistant,
        sender,
        "ONG Espoir",
        PROFILE,
        "other",
        "The profile page shows error 500 when we save.",
        email,
        language,
    )


def test_the_owner_asks_from_another_conversation_and_proves_it_with_the_email(
    assistant: Assistant, sender: str
) -> None:
    email = f"{sender}@espoir.example"
    reference = opened(assistant, sender, email)
    elsewhere = sender + "-later"
    asked = texts(
        assistant.send(elsewhere, f"What is the status of my request {reference}?", metadata={"language": "en"})
    )
    assert "which e-mail address did you give" in asked
    told = texts(assistant.send(elsewhere, email))
    assert f"Your request {reference} (ONG Espoir) has been received and is waiting" in told

    assistant.store.replies.reply(
        reference, "Could you send us a screenshot?", "agent@helpdesk.example", status="pending"
    )
    told = texts(
        assistant.send(sender + "-third", f"status of ticket {reference.lower()} {email}", metadata={"language": "en"})
    )
    assert f"Your request {reference} (ONG Espoir) is waiting for your answer" in told
    assert "The team's last reply" in told and "Could you send us a screenshot?" in told


def test_the_conversation_that_opened_the_request_is_not_asked_for_anything(assistant: Assistant, sender: str) -> None:
    reference = opened(assistant, sender, f"{sender}@espoir.example")
    told = texts(assistant.send(sender, "any update on my support request?"))
    assert f"Your request {reference} (ONG Espoir) has been received" in told
    assert "e-mail address did you give" not in told


def test_a_wrong_email_and_an_unknown_reference_get_the_same_answer(assistant: Assistant, sender: str) -> None:
    reference = opened(assistant, sender, f"{sender}@espoir.example")
    unknown = "HD-2026-999999"
    answers = []
    for number, asked in enumerate([reference, unknown]):
        other = f"{sender}-guess-{number}"
        assistant.send(other, f"status of my ticket {asked}", metadata={"language": "en"})
        answers.append(texts(assistant.send(other, "someone@elsewhere.example")).replace(asked, "REF"))
    assert answers[0] == answers[1]
    assert "I find no request REF with that e-mail address" in answers[0]


def test_in_french_a_question_on_the_way_is_answered_then_the_step_comes_back(
    assistant: Assistant, sender: str
) -> None:
    asked = texts(assistant.send(sender, "où en est ma demande ?", metadata={"language": "fr"}))
    assert "Quelle est la référence de votre demande ?" in asked
    hint = texts(assistant.send(sender, "je l'ai perdue"))
    assert "Je ne vois pas de référence dans votre message" in hint
    assert "Quelle est la référence de votre demande ?" in hint
    digression = texts(assistant.send(sender, "au fait, c'est quoi QuantumPlus ?"))
    assert "QuantumPlus" in digression and "Quelle est la référence de votre demande ?" in digression
    stopped = texts(assistant.send(sender, "annuler"))
    assert "Que puis-je faire d'autre pour vous ?" in stopped
