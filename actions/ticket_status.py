"""Where a request stands: the status form asks for the reference and the contact e-mail, then the bot answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import services
from actions.ticket_confirmation import client_address_of
from bot.tickets.digressions import is_digression
from bot.tickets.status import find_email, find_reference

SLOTS = ("status_reference", "status_email")
REPLY_EXCERPT = 600  # characters of the last reply shown in the chat; the e-mail has all of it


def _reference_in(tracker: Tracker) -> str | None:
    return find_reference(_text(tracker), services().settings.reference_prefix)


def _text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """A question or small talk instead of the reference or the e-mail: answered first, then asked again."""
        step = tracker.get_slot("requested_slot")
        text = _text(tracker)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        # Only a message just typed: coming back after the digression, the last action is its answer.
        fresh = step is not None and tracker.latest_action_name == "action_listen"
        if fresh and not (_reference_in(tracker) or find_email(text)) and is_digression(step, text, intent):
            return [ActionExecutionRejected("status_form")]
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """No e-mail for a request opened in this very conversation: the conversation shows it is theirs."""
        own = tracker.get_slot("ticket_reference")
        if own and tracker.get_slot("status_reference") == own:
            return ["status_reference"]
        return list(SLOTS)

    async def extract_status_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        step = tracker.get_slot("requested_slot")
        reference = _reference_in(tracker)
        if step is None:  # the question that opened the form: a reference in it, else the one opened here
            return {"status_reference": reference or tracker.get_slot("ticket_reference")}
        if step == "status_reference" and not reference:
            dispatcher.utter_message(response="utter_status_reference_not_found")
        return {"status_reference": reference} if reference else {}

    async def extract_status_email(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        step = tracker.get_slot("requested_slot")
        email = find_email(_text(tracker))
        if step is None:  # a new question: nothing from an earlier one
            return {"status_email": email}
        if step == "status_email" and not email:
            dispatcher.utter_message(response="utter_status_email_not_found")
        return {"status_email": email} if email else {}


class ActionTicketStatus(Action):
    """Tell the status, the last public reply and what happens next, or the one answer for anything else."""

    def name(self) -> str:
        return "action_ticket_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reference = tracker.get_slot("status_reference")
        reset = [SlotSet(slot, None) for slot in SLOTS]
        if not reference:
            return reset
        shared = services()
        lookup = shared.tickets.status.lookup(
            reference, tracker.get_slot("status_email"), tracker.sender_id, client_address_of(tracker)
        )
        if lookup.limited:
            dispatcher.utter_message(response="utter_status_limited")
            return reset
        found = lookup.status
        if found is None:
            dispatcher.utter_message(response="utter_status_not_found", status_reference=reference)
            return reset
        dispatcher.utter_message(
            response=f"utter_status_{found.status}",
            status_reference=found.reference,
            organization_name=found.organization_name,
            contact_email=found.contact_email,
        )
        if found.last_reply:
            reply = found.last_reply
            excerpt = reply if len(reply) <= REPLY_EXCERPT else reply[:REPLY_EXCERPT] + "…"
            dispatcher.utter_message(
                response="utter_status_last_reply",
                last_reply=excerpt,
                last_reply_date=_date(found.last_reply_at, shared.language_of(tracker)),
            )
        return reset


def _date(moment: Any, language: str) -> str:
    return moment.strftime("%d/%m/%Y") if language == "fr" else moment.strftime("%d %b %Y")
