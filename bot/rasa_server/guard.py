"""The checks every chat message passes before it reaches the model, run by the intake (bot/rasa_server/intake.py).

Too many messages from one sender or address, an empty message or one longer than `MAX_MESSAGE_CHARS` gets a
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
from bot.settings import LANGUAGES, RateLimits, Settings, process_settings
from bot.text.addresses import client_address
from bot.text.language import detect_language
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

    @property
    def seconds(self) -> int:
        """The wait in whole seconds, at least one: what the partner is told and the 429's Retry-After."""
        return max(1, math.ceil(self.retry_after))

    def text(self, language: str) -> str:
        return limits_message(self.reason, language, length=self.length, limit=self.limit, seconds=self.seconds)


class MessageGuard:
    def __init__(self, limits: RateLimits, max_chars: int, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.max_chars = max_chars
        self.limiter = MessageLimiter(limits, clock)
        self._warned_proxy = False

    @classmethod
    def from_settings(cls, settings: Settings, clock: Callable[[], float] = time.monotonic) -> MessageGuard:
        return cls(settings.limits, settings.messages.max_chars, clock)

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


def first_language(*candidates: Any) -> str | None:
    """The first candidate that is one of our languages (a slot, a detection, a page's metadata may be anything)."""
    return next((candidate for candidate in candidates if candidate in LANGUAGES), None)


async def slot_language(agent: Any, sender: str) -> str | None:
    """The conversation's `language` slot, or None (no conversation yet, no agent, the store unavailable).

    Reads the tracker without taking the conversation's lock: it only looks at the slot.
    """
    try:
        tracker = await agent.tracker_store.retrieve(sender) if agent is not None else None
        return first_language(tracker.get_slot("language")) if tracker is not None else None
    except Exception:  # a refusal must never fail because the tracker store is unavailable
        return None


def sample_language(text: str) -> str | None:
    """The language of a message of any length, from its beginning (a refused message may be a megabyte)."""
    return detect_language(text[:LANGUAGE_SAMPLE_CHARS]) if text.strip() else None


async def conversation_language(
    agent: Any, sender: str, text: str, metadata: Mapping[str, Any], default_language: str | None = None
) -> str:
    """The language to refuse a message in: the conversation's, else the text's, else the page's, else the default.

    The intake passes the default language of its settings. Without one (the action-server outage's apology,
    which Rasa's processor runs without our arguments: bot/rasa_server/outage.py) it is the process's, read
    once when Rasa built our channels, never parsed again here.
    """
    language = await slot_language(agent, sender)
    if language is None:
        language = first_language(sample_language(text), metadata.get("language"))
    return language or default_language or process_settings().default_language
