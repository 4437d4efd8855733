"""Answer a knowledge-base question with the article the ResponseSelector picked, read live from disk."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.services import knowledge_base, language_of


def selected_article_id(tracker: Tracker) -> str | None:
    selector = (tracker.latest_message.get("response_selector") or {}).get("faq") or {}
    key = (selector.get("response") or {}).get("intent_response_key") or ""
    return key.split("/", 1)[1] if key.startswith("faq/") else None


class ActionAnswerArticle(Action):
    def name(self) -> str:
        return "action_answer_article"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        article_id = selected_article_id(tracker)
        article = knowledge_base().get(article_id) if article_id else None
        if article is None:
            dispatcher.utter_message(response="utter_default")
            return []
        text = article.text(language_of(tracker))
        dispatcher.utter_message(text=text.answer, json_message={"kb_article": article.id})
        dispatcher.utter_message(response="utter_kb_followup")
        return [SlotSet("last_article", article.id)]
