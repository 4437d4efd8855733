"""One knowledge base for both deployments: as the help desk, or beside UNPP's help desk (Rafiki)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.ticket_form import ActionAskIssueType, ValidateTicketForm
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.deployment import PLACEHOLDER
from bot.knowledge.validation import KnowledgeError, validate_knowledge
from bot.settings import DEPLOYMENTS, LANGUAGES, PROJECT_ROOT
from tests.support.actions import use_services
from tests.support.settings import settings_with

KNOWLEDGE = PROJECT_ROOT / "knowledge"
HELP_DESK_ARTICLES = ("lost-admin-access", "duplicate-profile", "non-editable-fields")


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_every_answer_reads_whole_in_each_deployment(deployment: str) -> None:
    for article in KnowledgeBase(KNOWLEDGE, deployment).all():
        for language in LANGUAGES:
            answer = article.text(language).answer
            assert not PLACEHOLDER.search(answer), f"{article.id} ({language}) keeps a placeholder"


def test_the_three_help_desk_articles_send_the_partner_to_us_or_to_rafiki() -> None:
    ours, beside = KnowledgeBase(KNOWLEDGE, "helpdesk"), KnowledgeBase(KNOWLEDGE, "beside-unpp")
    for article_id in HELP_DESK_ARTICLES:
        assert "demandez-moi d'ouvrir une demande d'assistance" in ours.get(article_id).text("fr").answer
        assert "Rafiki" not in ours.get(article_id).text("fr").answer
        assert "« Demander à Rafiki »" in beside.get(article_id).text("fr").answer
        assert '"Ask Rafiki"' in beside.get(article_id).text("en").answer
    assert ours.get("forgot-password").text("fr") == beside.get("forgot-password").text("fr"), "others are alike"


def test_a_placeholder_without_a_text_for_a_deployment_fails_the_check(tmp_path: Path) -> None:
    shutil.copytree(KNOWLEDGE, tmp_path / "kb")
    placeholders = tmp_path / "kb" / "_placeholders.yml"
    placeholders.write_text(placeholders.read_text(encoding="utf-8").split("  beside-unpp:")[0], encoding="utf-8")
    with pytest.raises(KnowledgeError) as failed:
        validate_knowledge(tmp_path / "kb")
    assert any(
        "lost-admin-access.yml: field 'fr.answer' uses {{help_desk_step}}, which has no fr text for "
        "DEPLOYMENT=beside-unpp" in problem
        for problem in failed.value.problems
    )


def tracker(**slots: object) -> Tracker:
    return Tracker(
        "unit",
        {"language": "fr", **slots},
        {"text": "", "intent": {}},
        [],
        False,
        None,
        {"name": "ticket_form"},
        "action_listen",
    )


def test_beside_unpp_the_ticket_form_offers_only_what_our_staff_handle(monkeypatch: pytest.MonkeyPatch) -> None:
    use_services(monkeypatch, settings_with(DEPLOYMENT="beside-unpp"))
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskIssueType().run(dispatcher, tracker(), {}))
    [question] = dispatcher.messages
    assert [b["payload"] for b in question["buttons"]] == ['/choose_issue_type{"issue_type": "other"}']

    dispatcher = CollectingDispatcher()
    refused = ValidateTicketForm().validate_issue_type("profil en double", dispatcher, tracker(), {})
    assert refused == {"issue_type": None}
    assert dispatcher.messages[0]["response"] == "utter_issue_type_for_rafiki"

    use_services(monkeypatch, settings_with(DEPLOYMENT="helpdesk"))
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskIssueType().run(dispatcher, tracker(), {}))
    assert len(dispatcher.messages[0]["buttons"]) == 4
