"""What counts as a digression at a step of the support request (finding 9, at every step)."""

import pytest

from bot.tickets.digressions import is_digression, is_question, is_small_talk


@pytest.mark.parametrize(
    ("step", "text", "intent"),
    [
        ("organization_name", "au fait, c'est quoi QuantumPlus ?", "faq"),
        ("organization_name", "by the way how do I find our administrator", "faq"),
        ("profile_link", "où trouver le lien de mon profil ?", "faq"),
        ("contact_email", "Bonjour", "greet"),
        ("issue_type", "merci beaucoup !", "thank"),
        ("description", "tu es un robot ?", "bot_challenge"),
        ("description", '/choose_article{"article": "duplicate-profile"}', "choose_article"),
        ("organization_name", "quel temps fait-il à Dakar ?", "out_of_scope"),
    ],
)
def test_questions_and_small_talk_are_answered_first(step: str, text: str, intent: str) -> None:
    assert is_digression(step, text, intent)


@pytest.mark.parametrize(
    ("step", "text", "intent"),
    [
        ("organization_name", "Merci Foundation", "thank"),
        ("organization_name", "ONG Bonjour Afrique", "greet"),
        ("organization_name", "Code for Africa 2030", "faq"),
        ("organization_name", "Réseau des ONG pour l'enregistrement UNPP", "faq"),
        ("profile_link", "https://www.unpartnerportal.org/profile/4821/overview", "faq"),
        ("profile_link", "https://www.unpartnerportal.org/profile/4821/overview?tab=1", "nlu_fallback"),
        ("contact_email", "awa?@afk.org", "nlu_fallback"),
        ("description", "Pourquoi ne pouvons-nous pas modifier notre nom légal ?", "faq"),
        ("description", "How do we delete the second profile? We registered twice.", "faq"),
        ("contact_email", "awa@afk.org", "nlu_fallback"),
        ("organization_name", "Can Do Africa", "faq"),
    ],
)
def test_answers_that_look_like_other_intents_are_answers(step: str, text: str, intent: str) -> None:
    assert not is_digression(step, text, intent)


def test_the_words_decide_with_the_intent() -> None:
    assert is_small_talk("Bonjour !") and is_small_talk("THANK YOU") and not is_small_talk("Bonjour, notre profil")
    assert is_question("c'est quoi ？") and is_question("et comment je change le nom")
    assert not is_question("What Works") and not is_question("Association pour la santé")
