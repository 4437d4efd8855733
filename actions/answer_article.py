"""Answer with the article the model picked (read live from disk), or offer the closest ones when unsure."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import Services, services
from bot.knowledge.decision import decide, suggested_articles
from bot.knowledge.deployment import handled_here

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3


def chosen_article(tracker: Tracker) -> str | None:
    """The article a partner picked from the suggestions (button payload), if any."""
    return next(tracker.get_latest_entity_values("article"), None)


def suggestions_for(tracker: Tracker, shared: Services) -> list[str]:
    """Closest articles: the model's own runners-up first, then text search, without repeats."""
    text = tracker.latest_message.get("text") or ""
    ranked = suggested_articles(tracker.latest_message, limit=MAX_SUGGESTIONS)
    found = [match.article_id for match in shared.search.search(text, limit=MAX_SUGGESTIONS)]
    ordered = list(dict.fromkeys(ranked + found))
    return [a for a in ordered if shared.knowledge_base.get(a)][:MAX_SUGGESTIONS]


def offer_suggestions(dispatcher: CollectingDispatcher, tracker: Tracker, shared: Services) -> list[dict[str, Any]]:
    language = shared.language_of(tracker)
    offered = suggestions_for(tracker, shared) if tracker.get_intent_of_latest_message() != "out_of_scope" else []
    try:
        shared.records.record_unanswered(tracker.latest_message.get("text") or "", language, offered, tracker.sender_id)
    except Exception:  # a lost record must not cost the partner an answer
        logger.exception("could not record an unanswered question")
    if not offered:
        dispatcher.utter_message(response="utter_default")
        return []
    buttons = [
        {
            "title": shared.knowledge_base.get(a).text(language).title,
            "payload": "/choose_article" + json.dumps({"article": a}),
        }
        for a in offered
    ]
    dispatcher.utter_message(response="utter_suggest_articles", buttons=buttons)
    return []


class ActionAnswerArticle(Action):
    def name(self) -> str:
        return "action_answer_article"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        shared = services()
        article_id = chosen_article(tracker)
        if article_id:
            try:
                shared.records.record_choice(tracker.sender_id, article_id)
            except Exception:
                logger.exception("could not record the partner's choice")
        else:
            decision = decide(tracker.latest_message)
            if decision.unsure:
                return offer_suggestions(dispatcher, tracker, shared)
            article_id = decision.article_id
        article = shared.knowledge_base.get(article_id) if article_id else None
        if article is None:
            return offer_suggestions(dispatcher, tracker, shared)
        language = shared.language_of(tracker)
        text = article.text(language)
        dispatcher.utter_message(text=text.answer, json_message={"kb_article": article.id})
        try:
            shared.records.record_answer(article.id, language, tracker.sender_id)
        except Exception:  # a lost record must not cost the partner the answer
            logger.exception("could not record the answer from %s", article.id)
        # A request our staff handle (all kinds, unless we work beside UNPP's help desk: bot/knowledge/deployment.py).
        issue_type = article.ticket_issue_type
        ours = issue_type if issue_type and handled_here(issue_type, shared.settings.deployment) else None
        if tracker.get_slot("ticket_stage") == "confirm" or tracker.active_loop_name in ("ticket_form", "status_form"):
            pass  # the form's summary or step comes next (data/rules/ticket_digressions.yml), not "did it help?"
        elif ours:
            dispatcher.utter_message(response="utter_kb_followup_with_ticket")
        else:
            dispatcher.utter_message(response="utter_kb_followup")
        return [SlotSet("last_article", article.id), SlotSet("suggested_issue_type", ours)]


class ActionSuggestArticles(Action):
    """When the NLU is below its threshold: the closest articles as buttons, and the help desk."""

    def name(self) -> str:
        return "action_suggest_articles"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        return offer_suggestions(dispatcher, tracker, services())


class ActionRecordFeedback(Action):
    """Store the partner's "was this helpful?" answer for the article just given, then follow up."""

    def name(self) -> str:
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        helpful = tracker.get_intent_of_latest_message() == "affirm"
        article_id = tracker.get_slot("last_article")
        if article_id:
            shared = services()
            try:
                shared.records.record_feedback(article_id, helpful, shared.language_of(tracker), tracker.sender_id)
            except Exception:
                logger.exception("could not record feedback on %s", article_id)
        dispatcher.utter_message(response="utter_glad_it_helped" if helpful else "utter_offer_support")
        return []
