"""The ticket form: validate each answer and ask for the issue type with buttons in the partner's language."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.services import language_of
from bot.privacy import mask_secrets
from bot.tickets import issue_types
from bot.tickets.models import ISSUE_TYPES
from bot.tickets.validation import normalise_email, parse_profile_id

MAX_DESCRIPTION = 5000


class ValidateTicketForm(FormValidationAction):
    def name(self) -> str:
        return "validate_ticket_form"

    async def extract_issue_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Fill the issue type from the article that led here (duplicate profile, lost access...)."""
        suggested = tracker.get_slot("suggested_issue_type")
        if suggested in ISSUE_TYPES and not tracker.get_slot("issue_type"):
            return {"issue_type": suggested}
        return {}

    def validate_organization_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        name = " ".join(str(value or "").split())
        if 2 <= len(name) <= 300:
            return {"organization_name": name}
        dispatcher.utter_message(response="utter_invalid_organization_name")
        return {"organization_name": None}

    def validate_profile_link(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        link = str(value or "").strip()
        profile_id = parse_profile_id(link)
        if profile_id:
            return {"profile_link": link, "profile_id": profile_id}
        dispatcher.utter_message(response="utter_invalid_profile_link")
        return {"profile_link": None, "profile_id": None}

    def validate_issue_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        issue_type = issue_types.match_issue_type(str(value or ""))
        if issue_type:
            return {"issue_type": issue_type}
        dispatcher.utter_message(response="utter_invalid_issue_type")
        return {"issue_type": None}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        description = mask_secrets(str(value or "").strip())
        if len(description) >= 10:
            return {"description": description[:MAX_DESCRIPTION]}
        dispatcher.utter_message(response="utter_invalid_description")
        return {"description": None}

    def validate_contact_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        email = normalise_email(str(value or ""))
        if email:
            return {"contact_email": email}
        shown = str(value or "").strip()[:100]
        dispatcher.utter_message(response="utter_invalid_contact_email", contact_email=shown)
        return {"contact_email": None}


class ActionAskIssueType(Action):
    """Buttons built from the one list of issue types, so labels and keys never drift apart."""

    def name(self) -> str:
        return "action_ask_issue_type"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        language = language_of(tracker)
        buttons = [
            {
                "title": issue_types.label(issue_type, language),
                "payload": "/choose_issue_type" + json.dumps({"issue_type": issue_type}),
            }
            for issue_type in ISSUE_TYPES
        ]
        dispatcher.utter_message(response="utter_issue_type_question", buttons=buttons)
        return []
