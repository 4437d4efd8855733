"""The ticket form: validate each answer and ask for the issue type with buttons in the partner's language."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import services
from bot.knowledge.deployment import handled_here
from bot.text.emails import normalise_email
from bot.text.masking import mask_secrets
from bot.text.partner_messages import limits_message
from bot.text.plain_text import one_line
from bot.tickets import issue_types
from bot.tickets.digressions import is_digression
from bot.tickets.models import ISSUE_TYPES
from bot.tickets.validation import (
    DESCRIPTION_LENGTH,
    check_description,
    check_organization_name,
    parse_profile_id,
)

# No issue-type label or keyword is longer; a longer answer is not a choice (and is not worth matching).
MAX_ISSUE_TYPE_ANSWER = 200


class ValidateTicketForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """A question or small talk at a step is not its answer: the step stays empty and the form steps aside.

        Rasa then follows the rules in data/rules/ticket_digressions.yml (answer, then this form again, which
        asks the same step), so nothing the partner typed before is lost.
        """
        step = tracker.get_slot("requested_slot")
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        # Only a fresh answer: coming back after the digression, the step is empty again and nothing is checked.
        answered = step is not None and tracker.get_slot(step) is not None
        if answered and is_digression(step, _text(message.get("text")), intent):
            return [SlotSet(step, None), ActionExecutionRejected("ticket_form")]
        return await super().run(dispatcher, tracker, domain)

    async def extract_issue_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Fill the issue type from the article that led here (duplicate profile, lost access...)."""
        suggested = tracker.get_slot("suggested_issue_type")
        ours = handled_here(suggested, services().settings.deployment)
        if suggested in ISSUE_TYPES and ours and not tracker.get_slot("issue_type"):
            return {"issue_type": suggested}
        return {}

    def validate_organization_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        checked = check_organization_name(_text(value))
        if checked.value:
            return {"organization_name": checked.value}
        if checked.problem == "markup":
            dispatcher.utter_message(text=limits_message("markup_in_field", services().language_of(tracker)))
        else:
            dispatcher.utter_message(response="utter_invalid_organization_name")
        return {"organization_name": None}

    def validate_profile_link(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        link = _text(value).strip()
        profile_id = parse_profile_id(link)
        if profile_id:
            return {"profile_link": link, "profile_id": profile_id}
        dispatcher.utter_message(response="utter_invalid_profile_link")
        return {"profile_link": None, "profile_id": None}

    def validate_issue_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        answer = _text(value)
        issue_type = issue_types.match_issue_type(answer) if len(answer) <= MAX_ISSUE_TYPE_ANSWER else None
        if issue_type and handled_here(issue_type, services().settings.deployment):
            return {"issue_type": issue_type}
        if issue_type:  # beside UNPP's help desk, this kind is Rafiki's
            dispatcher.utter_message(response="utter_issue_type_for_rafiki")
        else:
            dispatcher.utter_message(response="utter_invalid_issue_type")
        return {"issue_type": None}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        checked = check_description(mask_secrets(_text(value)))
        if checked.value:
            return {"description": checked.value}
        language = services().language_of(tracker)
        if checked.problem == "markup":
            dispatcher.utter_message(text=limits_message("markup_in_field", language))
        elif checked.problem == "too_long":
            dispatcher.utter_message(text=limits_message("description_too_long", language, limit=DESCRIPTION_LENGTH[1]))
        else:
            dispatcher.utter_message(response="utter_invalid_description")
        return {"description": None}

    def validate_contact_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        email = normalise_email(_text(value))
        if email:
            return {"contact_email": email}
        shown = one_line(_text(value))[:100]
        dispatcher.utter_message(response="utter_invalid_contact_email", contact_email=shown)
        return {"contact_email": None}


def _text(value: Any) -> str:
    """A slot value as text: from_text mappings give a string, but a client may send anything."""
    return value if isinstance(value, str) else "" if value is None else str(value)


class ActionAskIssueType(Action):
    """Buttons built from the one list of issue types, so labels and keys never drift apart."""

    def name(self) -> str:
        return "action_ask_issue_type"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        shared = services()
        language, deployment = shared.language_of(tracker), shared.settings.deployment
        buttons = [
            {
                "title": issue_types.label(issue_type, language),
                "payload": "/choose_issue_type" + json.dumps({"issue_type": issue_type}),
            }
            for issue_type in ISSUE_TYPES
            if handled_here(issue_type, deployment)
        ]
        dispatcher.utter_message(response="utter_issue_type_question", buttons=buttons)
        return []
