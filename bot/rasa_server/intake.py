"""One intake for every chat channel: what a partner's message goes through before Rasa sees it.

The channels (bot/rasa_server/channels.py: REST and socket.io; the live-help channel to come) keep only their
transport: they parse the request or the event, give the intake the sender, the raw text, the metadata, the
connection's address and X-Forwarded-For, send what it returns and hand the message on. For each message it

1. screens it (bot/rasa_server/guard.py): control characters removed; too many messages, an empty or a too long
   one refused with a reply in the conversation's language (its `language` slot, else the text's, else the
   page's metadata `language`, else the default language of the settings);
2. masks the passwords and verification codes, once (bot/text/masking.py). The text handed to Rasa is the masked
   one, so the model, the slots, the action server and the tracker store never see the secret;
3. detects the language, once (bot/text/language.py), of that masked text, which is what the NLU component
   would read, and at the threshold it is configured with (`LANGUAGE_MIN_CONFIDENCE`: config.yml's
   `min_confidence`, which a test compares);
4. when a secret was masked, writes the warning to send before the answer, in the message's language else the
   conversation's, with the masked text for the widget to show and keep instead of what the partner typed.

What it did travels with the message, in its metadata under one key:

    metadata["intake"] = {"language": "fr" | "en" | None, "masked": True}

`language` is the language of the text handed on (None: not clearly French or English, such as an e-mail
address or "ok"); `masked: true` says the text (and so all Rasa derives from it) is already masked. The NLU
component takes that language instead of detecting again (bot/rasa_server/nlu/language_detector.py), and the
tracker store stores the user event as it is instead of masking it again (bot/rasa_server/tracker_store.py).
The intake writes the key itself over whatever a client sent under it, so no client can mark its own text as
masked; messages that did not come through a channel (Rasa's HTTP API, `rasa shell`) carry no record and are
detected and masked as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.rasa_server.guard import MessageGuard, conversation_language, first_language, slot_language
from bot.settings import LANGUAGES, Settings
from bot.text.language import MIN_CONFIDENCE, detect_language
from bot.text.masking import mask_secrets
from bot.text.partner_messages import limits_message

INTAKE_KEY = "intake"
# The language detector's threshold, the same as the NLU component's `min_confidence` in config.yml; the
# component uses the intake's language only when its own threshold is this one.
LANGUAGE_MIN_CONFIDENCE = MIN_CONFIDENCE


@dataclass(frozen=True)
class IntakeRecord:
    """What the intake did to a message, as its metadata carries it (`metadata["intake"]`)."""

    language: str | None
    masked: bool = True

    def as_metadata(self) -> dict[str, Any]:
        return {"language": self.language, "masked": self.masked}

    @classmethod
    def of(cls, metadata: Any) -> IntakeRecord | None:
        """The record in a message's metadata; None when there is none, or not one the intake writes."""
        record = metadata.get(INTAKE_KEY) if isinstance(metadata, Mapping) else None
        if not isinstance(record, Mapping) or record.get("masked") is not True:
            return None
        language = record.get("language")
        return cls(language) if language is None or language in LANGUAGES else None


@dataclass(frozen=True)
class Accepted:
    """A message for Rasa: its text cleaned and masked, its metadata with the client's address and the intake's
    record, and the warning to send before the answer when it held a secret."""

    text: str
    metadata: dict[str, Any]
    warning: dict[str, Any] | None = None  # {"text": warning, "custom": {"masked_message": masked text}}


@dataclass(frozen=True)
class Refused:
    """A message that does not reach Rasa: the reply to send instead, in the conversation's language."""

    reason: str  # a key of bot/text/partner_messages.py: too_many_messages, empty_message, message_too_long
    reply: str
    retry_after: int = 0  # whole seconds, at least one, when the reason is too many messages

    @property
    def too_many_messages(self) -> bool:
        return self.reason == "too_many_messages"


class Intake:
    """The screening, masking and language detection of one channel's messages.

    Built once per channel from the settings it is given (the rate limits count in its memory); nothing on the
    per-message path reads the settings again.
    """

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.guard = MessageGuard.from_settings(settings, clock)
        self.default_language = settings.default_language

    async def take(
        self,
        sender: str,
        text: str,
        metadata: Mapping[str, Any],
        peer: str | None,
        forwarded_for: str | None,
        agent: Any = None,
    ) -> Accepted | Refused:
        """The message to hand to Rasa, or the reply that refuses it.

        `agent` is Rasa's (anything with a `tracker_store`), read only for the conversation's language when a
        reply or a warning needs it; None outside a Rasa server.
        """
        address = self.guard.client_address(peer, forwarded_for)  # X-Forwarded-For only behind a trusted proxy
        cleaned, refusal = self.guard.screen(sender, text, address)
        if refusal is not None:
            language = await conversation_language(agent, sender, cleaned, metadata, self.default_language)
            wait = refusal.seconds if refusal.reason == "too_many_messages" else 0
            return Refused(refusal.reason, refusal.text(language), wait)
        masked = mask_secrets(cleaned)
        language = detect_language(masked, LANGUAGE_MIN_CONFIDENCE)
        warning = None
        if masked != cleaned:
            warning = await self._secret_warning(agent, sender, masked, metadata, language)
        record = IntakeRecord(language).as_metadata()
        return Accepted(masked, {**metadata, "client_address": address, INTAKE_KEY: record}, warning)

    async def _secret_warning(
        self, agent: Any, sender: str, masked: str, metadata: Mapping[str, Any], language: str | None
    ) -> dict[str, Any]:
        """The warning before the answer, in the message's language, else the conversation's (without detecting
        the text again).

        The channel says it, not an action: Rasa would otherwise call the action server after every message
        only to look for secrets.
        """
        if language is None:
            conversation = await slot_language(agent, sender)
            language = first_language(conversation, metadata.get("language")) or self.default_language
        return {"text": limits_message("secret_shared", language), "custom": {"masked_message": masked}}
