"""After the form: show the summary, then send, correct a field or cancel; a ticket is stored once, or kept in the
outbox while the ticket database is unreachable."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import services
from bot.text.addresses import limit_key
from bot.text.partner_messages import limits_message
from bot.tickets import issue_types
from bot.tickets.store import NewTicket
from bot.tickets.submission import submit

logger = logging.getLogger(__name__)


FORM_SLOTS = ("organization_name", "profile_link", "issue_type", "description", "contact_email")


def cleared_draft() -> list[dict[str, Any]]:
    """Events that forget the draft: form slots, profile id, stage and draft id."""
    slots = (*FORM_SLOTS, "profile_id", "ticket_stage", "ticket_draft_id", "suggested_issue_type")
    return [SlotSet(slot, None) for slot in slots]


def client_address_of(tracker: Tracker) -> str | None:
    """The partner's address, which our channels put in every message's metadata (bot/rasa_server/channels.py)."""
    metadata = (tracker.latest_message or {}).get("metadata")
    return limit_key(metadata.get("client_address")) if isinstance(metadata, dict) else None  # IPv6: its /64


class ActionTicketSummary(Action):
    def name(self) -> str:
        return "action_ticket_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        label = issue_types.label(tracker.get_slot("issue_type") or "other", services().language_of(tracker))
        if tracker.get_slot("ticket_stage") == "confirm":  # shown again after the partner said something else
            dispatcher.utter_message(response="utter_ticket_not_sent_yet")
        dispatcher.utter_message(response="utter_ticket_summary", issue_label=label)
        draft_id = tracker.get_slot("ticket_draft_id") or uuid.uuid4().hex
        return [SlotSet("ticket_stage", "confirm"), SlotSet("ticket_draft_id", draft_id)]


class ActionSubmitTicket(Action):
    """Submit the confirmed request (bot/tickets/submission.py) and tell the partner how it went."""

    def name(self) -> str:
        return "action_submit_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.get_slot("ticket_stage") == "submitted":
            dispatcher.utter_message(response="utter_ticket_already_created")
            return []
        draft_id = tracker.get_slot("ticket_draft_id") or uuid.uuid4().hex
        shared = services()
        new = NewTicket(
            organization_name=tracker.get_slot("organization_name") or "",
            profile_link=tracker.get_slot("profile_link") or "",
            issue_type=tracker.get_slot("issue_type") or "other",
            description=tracker.get_slot("description") or "",
            contact_email=tracker.get_slot("contact_email") or "",
            language=shared.language_of(tracker),
            conversation_id=tracker.sender_id,
            client_address=client_address_of(tracker),
        )
        key = f"{tracker.sender_id}:{draft_id}"
        result = submit(new, key, shared.tickets, shared.offline_outbox, shared.settings.limits)
        if result.reference is not None:  # stored, already sent or kept in the outbox: the same reply
            dispatcher.utter_message(
                response="utter_ticket_created", ticket_reference=result.reference, contact_email=result.contact_email
            )
            submitted = [SlotSet("ticket_stage", "submitted"), SlotSet("ticket_reference", result.reference)]
            return [*cleared_draft(), *submitted]
        if result.outcome == "refused":
            dispatcher.utter_message(text=limits_message("too_many_tickets", shared.language_of(tracker)))
        else:  # not saved (or invalid): nothing is lost silently, and the draft stays for another try
            dispatcher.utter_message(response="utter_ticket_not_saved")
        return [SlotSet("ticket_draft_id", draft_id)]


class ActionCorrectField(Action):
    """Empty the field the partner wants to change; the form then asks for it again."""

    def name(self) -> str:
        return "action_correct_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        field = next(tracker.get_latest_entity_values("field"), None)
        if field not in FORM_SLOTS:
            field = "description"
        events = [SlotSet(field, None), SlotSet("ticket_stage", None)]
        if field == "profile_link":
            events.append(SlotSet("profile_id", None))
        return events


class ActionCancelTicket(Action):
    def name(self) -> str:
        return "action_cancel_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        had_draft = (
            any(tracker.get_slot(s) for s in FORM_SLOTS)
            or tracker.active_loop_name
            or tracker.latest_action_name == "action_deactivate_loop"
        )
        dispatcher.utter_message(response="utter_ticket_cancelled" if had_draft else "utter_nothing_to_cancel")
        return [ActiveLoop(None), *cleared_draft()]
