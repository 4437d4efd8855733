"""Start a conversation in the language of the page the widget sits on, until the partner shows another."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.settings import LANGUAGES


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        # Slots carried over from the previous session (domain: carry_over_slots_to_new_session).
        events += [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name != "session_started_metadata"
        ]
        metadata = tracker.get_slot("session_started_metadata") or {}
        page_language = metadata.get("language") if isinstance(metadata, dict) else None
        if page_language in LANGUAGES and not tracker.get_slot("language"):
            events.append(SlotSet("language", page_language))
        events.append(ActionExecuted("action_listen"))
        return events
