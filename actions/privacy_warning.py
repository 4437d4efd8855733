"""Warn a partner who typed a password or a verification code; the tracker store masks it before storing."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from bot.privacy import contains_secret


class ValidateSlotMappings(ValidationAction):
    """Rasa runs `action_validate_slot_mappings` after every message: the one place to see each one."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        if contains_secret(tracker.latest_message.get("text") or ""):
            dispatcher.utter_message(response="utter_do_not_share_secrets")
        return await super().run(dispatcher, tracker, domain)
