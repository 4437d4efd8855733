"""Partners ask questions in French or English and get the right article, in their language."""

from __future__ import annotations

import pytest

from tests.system.conversation.chat import Assistant, articles, buttons, texts

pytestmark = pytest.mark.model


@pytest.mark.parametrize(
    ("question", "article", "language_words"),
    [
        ("j'ai oublié mon mot de passe, comment faire ?", "forgot-password", "Mot de passe oublié"),
        ("Je ne reçois pas le code de vérification", "verification-code", "courriers indésirables"),
        ("qui est l'administrateur de notre profil ?", "find-my-administrator", "UNFPA"),
        ("How do I log in to QuantumPlus?", "quantumplus-login", "https://unip.unfpa.org/"),
        ("We registered our organisation twice by mistake", "duplicate-profile", "duplicate"),
        ("what is the difference between editor and reader roles", "user-roles", "Reader"),
    ],
)
def test_question_gets_its_article_in_the_same_language(
    assistant: Assistant, sender: str, question: str, article: str, language_words: str
) -> None:
    replies = assistant.send(sender, question)
    assert articles(replies) == [article]
    answer = texts(replies)
    assert language_words.casefold() in answer.casefold()


def test_french_answer_is_in_french_and_english_answer_in_english(assistant: Assistant, sender: str) -> None:
    french = texts(assistant.send(sender, "comment réinitialiser mon mot de passe UNPP ?"))
    english = texts(assistant.send(sender + "-en", "how can I reset my UNPP password?"))
    assert "cliquez" in french and "click" not in french
    assert "click" in english.casefold() and "cliquez" not in english


def test_answer_offers_help_and_the_help_desk_when_it_did_not_help(assistant: Assistant, sender: str) -> None:
    replies = assistant.send(sender, "I never received the verification code")
    assert {b["payload"] for b in buttons(replies)} >= {"/affirm", "/deny"}
    offer = assistant.send(sender, "/deny")
    assert "/request_support" in {b["payload"] for b in buttons(offer)}
    form = assistant.send(sender, "/request_support")
    assert "organisation" in texts(form).casefold()


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Bonjour", "Bonjour"),
        ("Hello there", "Hello"),
        ("merci beaucoup", "plaisir"),
        ("are you a bot?", "bot"),
        ("au revoir", "Au revoir"),
    ],
)
def test_small_talk_gets_a_sensible_reply(assistant: Assistant, sender: str, message: str, expected: str) -> None:
    replies = assistant.send(sender, message)
    assert expected.casefold() in texts(replies).casefold()
    assert articles(replies) == []


@pytest.mark.parametrize(
    "message", ["what's the weather like in Geneva tomorrow?", "donne-moi une recette de gâteau au chocolat"]
)
def test_out_of_scope_is_not_answered_with_an_article(assistant: Assistant, sender: str, message: str) -> None:
    replies = assistant.send(sender, message)
    assert replies, "the bot must reply"
    assert articles(replies) == []


@pytest.mark.parametrize(("page", "expected"), [("en", "organisation's name"), ("fr", "nom de votre organisation")])
def test_the_page_language_is_used_until_the_partner_writes(
    assistant: Assistant, sender: str, page: str, expected: str
) -> None:
    replies = assistant.send(sender, "/request_support", metadata={"language": page})
    assert expected in texts(replies)


def test_the_partner_can_switch_language(assistant: Assistant, sender: str) -> None:
    assert "Bonjour" in texts(assistant.send(sender, "bonjour", metadata={"language": "fr"}))
    assert "English" in texts(assistant.send(sender, "can we speak English please?"))
    assert "organisation's name" in texts(assistant.send(sender, "/request_support"))
    switched = texts(assistant.send(sender, "en français svp"))
    assert "continuons en français" in switched and "nom de votre organisation" in switched
