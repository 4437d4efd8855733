"""The checks every chat message passes before it reaches the model, shared by the REST and socket.io channels.

A message holding a password or a verification code gets a warning before its answer. Too many messages from
one sender or address, an empty message or one longer than `MAX_MESSAGE_CHARS` gets a
polite reply in the conversation's language and never reaches the model; control characters are removed from
the others. Longer messages are refused rather than cut: a cut description would silently lose what the
partner wrote, and the form would store it.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.rasa_server.message_limits import MessageLimiter
from bot.settings import LANGUAGES, RateLimits, Settings, get_settings
from bot.text.addresses import client_address
from bot.text.language import detect_language
from bot.text.masking import mask_secrets
from bot.text.partner_messages import limits_message
from bot.text.plain_text import strip_control_characters

logger = logging.getLogger(__name__)

LANGUAGE_SAMPLE_CHARS = 2000  # enough to tell the language of a message of any length


@dataclass(frozen=True)
class Refusal:
    """Why a message does not go on: `reason` is a key of bot/text/partner_messages.py."""

    reason: str
    length: int = 0
    limit: int = 0
    retry_after: float = 0.0

    def text(self, language: str) -> str:
        seconds = max(1, math.ceil(self.retry_after))
        return limits_message(self.reason, language, length=self.length, limit=self.limit, seconds=seconds)


class MessageGuard:
    def __init__(self, limits: RateLimits, max_chars: int, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.max_chars = max_chars
        self.limiter = MessageLimiter(limits, clock)
        self._warned_proxy = False

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> MessageGuard:
        settings = settings or get_settings()
        return cls(settings.limits, settings.messages.max_chars)

    def client_address(self, peer: str | None, forwarded_for: str | None) -> str | None:
        if forwarded_for and not self.limits.trust_proxy and not self._warned_proxy and _is_loopback(peer):
            self._warned_proxy = True  # once per process: it is a setting to fix, not an event per message
            logger.warning(
                "requests from a proxy on this machine carry X-Forwarded-For but TRUST_PROXY is off: every partner "
                "counts as %s, so the per-address limits are shared by all; set TRUST_PROXY=1 behind your proxy",
                peer,
            )
        return client_address(peer, forwarded_for, self.limits.trust_proxy)

    def screen(self, sender: str, text: str, address: str | None) -> tuple[str, Refusal | None]:
        """The message without control characters, and the refusal when it must not reach the model."""
        cleaned = strip_control_characters(text, keep_newlines=True)
        wait = self.limiter.admit(sender, address)
        if wait > 0:
            return cleaned, Refusal("too_many_messages", retry_after=wait)
        if not cleaned.strip():
            return cleaned, Refusal("empty_message")
        if self.max_chars and len(cleaned) > self.max_chars:
            return cleaned, Refusal("message_too_long", length=len(cleaned), limit=self.max_chars)
        return cleaned, None


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").strip("[]")).is_loopback
    except ValueError:
        return False


async def conversation_language(agent: Any, sender: str, text: str, metadata: Mapping[str, Any]) -> str:
    """The language to refuse a message in: the conversation's, else the text's, else the page's, else the default.

    Reads the tracker without taking the conversation's lock: it only looks at the `language` slot.
    """
    try:
        tracker = await agent.tracker_store.retrieve(sender) if agent is not None else None
        language = tracker.get_slot("language") if tracker is not None else None
    except Exception:  # a refusal must never fail because the tracker store is unavailable
        language = None
    if language in LANGUAGES:
        return language
    if text.strip():
        detected = detect_language(text[:LANGUAGE_SAMPLE_CHARS])
        if detected in LANGUAGES:
            return detected
    page_language = metadata.get("language")
    if page_language in LANGUAGES:
        return page_language
    return get_settings().default_language  # one of LANGUAGES: the settings refuse anything else


async def secret_warning(agent: Any, sender: str, text: str, metadata: Mapping[str, Any]) -> tuple[str, str] | None:
    """When the message holds a password or a verification code: the warning to send before the answer, and the
    message as the tracker store will keep it (masked), for the widget to keep instead.

    The channel says it, not an action: Rasa would otherwise call the action server after every message only to
    look for secrets. The tracker store masks the secret itself (bot/rasa_server/tracker_store.py). The warning is in
    the language of the message, else the conversation's.
    """
    masked = mask_secrets(text)
    if masked == text:
        return None
    language = detect_language(text) or await conversation_language(agent, sender, text, metadata)
    return limits_message("secret_shared", language if language in LANGUAGES else "fr"), masked
