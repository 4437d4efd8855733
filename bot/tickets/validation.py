"""Validation of what partners type into the ticket form: UNPP profile links and contact e-mails."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from email_validator import EmailNotValidError, validate_email

UNPP_HOSTS = ("unpartnerportal.org", "www.unpartnerportal.org")
# /profile/<id>/... is what a partner sees; /partner/<id>/... is what agency staff see.
PROFILE_PATH = re.compile(r"^/(?:profile|partner)/(?P<id>\d{1,12})(?:/[\w\-/]*)?/?$")


def web_address(text: str) -> SplitResult | None:
    """`text` read as an http(s) address, "https://" assumed when no scheme is typed; None when it cannot be one.

    Shared by the profile-link check and the console, which must never make `javascript:` text a link.
    """
    text = (text or "").strip().strip("<>\"'")
    if not text or any(c.isspace() for c in text):
        return None
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (raises ValueError on a port that is not a number, as in `javascript:alert(1)`)
    except ValueError:
        return None
    return parts if parts.scheme.lower() in ("http", "https") and "." in (parts.hostname or "") else None


def parse_profile_id(link: str) -> str | None:
    """The numeric profile id in a UNPP profile link, or None when the text is not such a link."""
    parts = web_address(link)
    if parts is None or parts.hostname not in UNPP_HOSTS:
        return None
    match = PROFILE_PATH.match(parts.path)
    return match.group("id").lstrip("0") or None if match else None


def normalise_email(text: str) -> str | None:
    """The e-mail address, normalised, or None when it is not a valid address (no network check)."""
    candidate = text.strip().strip("<>\"'").rstrip(".")
    if not candidate or " " in candidate:
        return None
    try:
        return validate_email(candidate, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
