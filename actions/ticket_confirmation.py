"""After the form: show the summary, then send, correct a field or cancel; a ticket is stored once, or kept in the
outbox while the ticket database is unreachable."""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import language_of, ticket_store
from bot.settings import get_settings
from bot.text.addresses import normalise_address
from bot.text.partner_messages import limits_message
from bot.tickets import issue_types
from bot.tickets.limits import ticket_limit_reached
from bot.tickets.outbox import DATABASE_UNREACHABLE, OutboxEntry, TicketOutbox, attach_to_action_server, deliver
from bot.tickets.store import NewTicket
from bot.tickets.validation import normalise_email

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def ticket_outbox() -> TicketOutbox:
    return TicketOutbox.from_settings()


# In `rasa run actions`, the outbox drains in the background (OUTBOX_DRAIN_SECONDS); elsewhere this does nothing.
attach_to_action_server(ticket_outbox, ticket_store)

FORM_SLOTS = ("organization_name", "profile_link", "issue_type", "description", "contact_email")


def cleared_draft() -> list[dict[str, Any]]:
    """Events that forget the draft: form slots, profile id, stage and draft id."""
    slots = (*FORM_SLOTS, "profile_id", "ticket_stage", "ticket_draft_id", "suggested_issue_type")
    return [SlotSet(slot, None) for slot in slots]


def client_address_of(tracker: Tracker) -> str | None:
    """The partner's address, which our channels put in every message's metadata (bot/rasa_server/channels.py)."""
    metadata = (tracker.latest_message or {}).get("metadata")
    return normalise_address(metadata.get("client_address")) if isinstance(metadata, dict) else None


def _kept(outbox: TicketOutbox, submission_key: str) -> OutboxEntry | None:
    """The outbox entry of this confirmation; None also when the outbox cannot be read (the store may work)."""
    try:
        return outbox.get(submission_key)
    except Exception:
        logger.exception("could not read the ticket outbox %s", outbox.path)
        return None


class ActionTicketSummary(Action):
    def name(self) -> str:
        return "action_ticket_summary"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        label = issue_types.label(tracker.get_slot("issue_type") or "other", language_of(tracker))
        dispatcher.utter_message(response="utter_ticket_summary", issue_label=label)
        draft_id = tracker.get_slot("ticket_draft_id") or uuid.uuid4().hex
        return [SlotSet("ticket_stage", "confirm"), SlotSet("ticket_draft_id", draft_id)]


class ActionSubmitTicket(Action):
    """Store the confirmed ticket; while the ticket database is unreachable, keep it in the outbox instead.

    Either way the partner gets the ticket's final reference (bot/tickets/outbox.py explains the outbox's).
    """

    def name(self) -> str:
        return "action_submit_ticket"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if tracker.get_slot("ticket_stage") == "submitted":
            dispatcher.utter_message(response="utter_ticket_already_created")
            return []
        draft_id = tracker.get_slot("ticket_draft_id") or uuid.uuid4().hex
        submission_key = f"{tracker.sender_id}:{draft_id}"
        address = client_address_of(tracker)
        new = NewTicket(
            organization_name=tracker.get_slot("organization_name") or "",
            profile_link=tracker.get_slot("profile_link") or "",
            issue_type=tracker.get_slot("issue_type") or "other",
            description=tracker.get_slot("description") or "",
            contact_email=tracker.get_slot("contact_email") or "",
            language=language_of(tracker),
            conversation_id=tracker.sender_id,
            client_address=address,
        )
        store, outbox = ticket_store(), ticket_outbox()
        kept = _kept(outbox, submission_key)
        try:
            if kept is not None:
                # Confirmed before while the database was away, and the database is back: deliver it now.
                reference = deliver(store, kept).reference
                outbox.remove(submission_key)
                return self._sent(dispatcher, reference, new)
            # A repeated confirmation of a stored request is not a new ticket: it never counts against the limit.
            if store.by_submission_key(submission_key) is None and ticket_limit_reached(
                store, get_settings().limits, tracker.sender_id, address
            ):
                return self._refused(dispatcher, tracker, address, draft_id)
            ticket, _created = store.create(new, submission_key=submission_key)
        except DATABASE_UNREACHABLE:
            logger.warning(
                "ticket database unreachable: the ticket of conversation %s goes to the outbox", tracker.sender_id
            )
            return self._keep_in_outbox(dispatcher, tracker, outbox, new, submission_key, draft_id)
        except Exception:
            # Nothing is lost silently: the partner is told, and the draft stays for another try.
            logger.exception("could not store the ticket of conversation %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_ticket_not_saved")
            return [SlotSet("ticket_draft_id", draft_id)]
        return self._sent(dispatcher, ticket.reference, new)

    def _keep_in_outbox(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        outbox: TicketOutbox,
        new: NewTicket,
        submission_key: str,
        draft_id: str,
    ) -> list[dict[str, Any]]:
        try:
            # The limits count what waits in the outbox while the store cannot be asked.
            if outbox.get(submission_key) is None and ticket_limit_reached(
                outbox, get_settings().limits, tracker.sender_id, new.client_address
            ):
                return self._refused(dispatcher, tracker, new.client_address, draft_id)
            entry = outbox.put(new, submission_key)
        except Exception:
            logger.exception("could not keep the ticket of conversation %s in the outbox", tracker.sender_id)
            dispatcher.utter_message(response="utter_ticket_not_saved")
            return [SlotSet("ticket_draft_id", draft_id)]
        return self._sent(dispatcher, entry.reference, new)

    @staticmethod
    def _refused(
        dispatcher: CollectingDispatcher, tracker: Tracker, address: str | None, draft_id: str
    ) -> list[dict[str, Any]]:
        logger.warning("ticket limit reached: conversation %s, address %s", tracker.sender_id, address)
        dispatcher.utter_message(text=limits_message("too_many_tickets", language_of(tracker)))
        return [SlotSet("ticket_draft_id", draft_id)]

    @staticmethod
    def _sent(dispatcher: CollectingDispatcher, reference: str, new: NewTicket) -> list[dict[str, Any]]:
        email = normalise_email(new.contact_email) or new.contact_email
        dispatcher.utter_message(response="utter_ticket_created", ticket_reference=reference, contact_email=email)
        return [*cleared_draft(), SlotSet("ticket_stage", "submitted"), SlotSet("ticket_reference", reference)]


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
