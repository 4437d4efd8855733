"""E-mail addresses as the assistant keeps them: one normal form, whoever typed them (partners, staff, the CLI)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from bot.text.plain_text import is_control


def normalise_email(text: str) -> str | None:
    """The e-mail address, normalised, or None when it is not a valid address (no network check)."""
    candidate = (text or "").strip().strip("<>\"'").rstrip(".")
    if not candidate or any(c.isspace() or is_control(c) for c in candidate):
        return None
    try:
        return validate_email(candidate, check_deliverability=False).normalized
    except (EmailNotValidError, ValueError):  # ValueError: a few malformed international domains (IDNA)
        return None
