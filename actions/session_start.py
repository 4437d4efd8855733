"""Start a conversation in the language of the page the widget sits on, until the partner shows another.

A session that ends in the middle of a support request (an hour without a message) ends its form too: Rasa does not
carry an active form over. The answers are carried over, and the new session starts by offering the request again,
so a partner who comes back never loses it without a word.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.ticket_confirmation import FORM_SLOTS
from bot.settings import LANGUAGES

# Which step the form was asking is stale once the form is gone: the form works it out again when it resumes.
NOT_CARRIED = frozenset({"session_started_metadata", "requested_slot"})


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        # Slots carried over from the previous session (domain: carry_over_slots_to_new_session).
        events += [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name not in NOT_CARRIED
        ]
        metadata = tracker.get_slot("session_started_metadata") or {}
        page_language = metadata.get("language") if isinstance(metadata, dict) else None
        if page_language in LANGUAGES and not tracker.get_slot("language"):
            events.append(SlotSet("language", page_language))
        if tracker.get_slot("organization_name") and not tracker.get_slot("ticket_stage"):
            # Started, not yet at its summary (which comes back by itself, data/rules/ticket_digressions.yml).
            filled = sum(1 for slot in FORM_SLOTS if tracker.get_slot(slot))
            dispatcher.utter_message(response="utter_unfinished_request", filled=filled, total=len(FORM_SLOTS))
        events.append(ActionExecuted("action_listen"))
        return events
