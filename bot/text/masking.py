"""Mask passwords and verification codes that partners type into the chat, before anything is stored."""

from __future__ import annotations

import re

MASK = "•••••"

_KEYWORDS = (
    r"passwords?|passwd|pwd|mots? de passe|mdp|passcode|otp|"
    r"codes? de v[ée]rification|verification codes?|security codes?|codes? de s[ée]curit[ée]|code"
)
# "mot de passe : x", "password = x": whatever follows an explicit separator is the secret.
_AFTER_SEPARATOR = re.compile(rf"(?i)\b({_KEYWORDS})(\s*[:=]\s*)(\S+)")
# "my password is Soleil2024!", "mdp Soleil2024": only tokens that look like secrets (a digit or a symbol).
_AFTER_KEYWORD = re.compile(rf"(?i)\b({_KEYWORDS})((?:\s+(?:is|est|was|était|c'est))?\s+)(\S*(?:[\d_]|[^\w\s])\S*)")
_MENTIONS_CODE = re.compile(r"(?i)\b(code|otp|v[ée]rification|verification)\b")
_STANDALONE_DIGITS = re.compile(r"(?<![\w/.\-@])\d{4,8}(?![\w/\-@])")
_URL_OR_EMAIL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\S+@\S+")


def _looks_like_secret(token: str, needs_digit_or_symbol: bool = False) -> bool:
    stripped = token.strip(".,;!?()[]\"'«»")
    if len(stripped) < 4 or _URL_OR_EMAIL.fullmatch(stripped):
        return False
    return not needs_digit_or_symbol or any(not c.isalpha() for c in stripped)


def mask_secrets(text: str) -> str:
    """The text with passwords and verification codes replaced by a mask; links and e-mails are kept."""
    if not text:
        return text
    masked = _AFTER_SEPARATOR.sub(
        lambda m: m.group(1) + m.group(2) + (MASK if _looks_like_secret(m.group(3)) else m.group(3)), text
    )
    masked = _AFTER_KEYWORD.sub(
        lambda m: m.group(1) + m.group(2) + (MASK if _looks_like_secret(m.group(3), True) else m.group(3)), masked
    )
    if _MENTIONS_CODE.search(masked):
        masked = _STANDALONE_DIGITS.sub(MASK, masked)
    return masked


def contains_secret(text: str) -> bool:
    return mask_secrets(text) != text
