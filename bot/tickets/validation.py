"""Validation of what partners type into the ticket form: organisation name, UNPP profile link, description and
contact e-mail.

Each check takes any text and never raises; it gives back the value to store (trimmed, as the partner wrote it,
without control characters) or says why the text was refused, so the form can explain it in the partner's
language.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import SplitResult, urlsplit

from bot.text.plain_text import contains_markup, is_control, one_line, strip_control_characters

UNPP_HOSTS = ("unpartnerportal.org", "www.unpartnerportal.org")
# /profile/<id>/... is what a partner sees; /partner/<id>/... is what agency staff see.
PROFILE_PATH = re.compile(r"^/(?:profile|partner)/(?P<id>[0-9]{1,12})(?:/[\w\-/]*)?/?$")
# Characters no address typed into a browser contains unencoded, and that could break out of an HTML attribute.
_NOT_IN_ADDRESSES = frozenset("<>\"'`\\")

ORGANIZATION_NAME_LENGTH = (2, 300)
DESCRIPTION_LENGTH = (10, 5000)


class Checked(NamedTuple):
    """A field's value to store, or None with the reason: "length", "too_long" or "markup"."""

    value: str | None
    problem: str | None = None


def web_address(text: str) -> SplitResult | None:
    """`text` read as an http(s) address, "https://" assumed when no scheme is typed; None when it cannot be one.

    Shared by the profile-link check and the console, which must never make `javascript:` text a link.
    """
    text = (text or "").strip().strip("<>\"'")
    if not text or any(c.isspace() or is_control(c) or c in _NOT_IN_ADDRESSES for c in text):
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


def check_organization_name(text: str) -> Checked:
    """The name on one line, between 2 and 300 characters, without HTML."""
    name = one_line(text or "")
    shortest, longest = ORGANIZATION_NAME_LENGTH
    if contains_markup(name):
        return Checked(None, "markup")
    if not shortest <= len(name) <= longest:
        return Checked(None, "length")
    return Checked(name)


def check_description(text: str) -> Checked:
    """The description with its line breaks, trimmed, at least 10 and at most 5000 characters, without HTML.

    A longer text is refused rather than cut, so nothing the partner wrote is silently lost.
    """
    description = strip_control_characters(text or "", keep_newlines=True).strip()
    shortest, longest = DESCRIPTION_LENGTH
    if len(description) > longest:  # first: a huge text is refused before anything reads it through
        return Checked(None, "too_long")
    if contains_markup(description):
        return Checked(None, "markup")
    if len(description) < shortest:
        return Checked(None, "length")
    return Checked(description)


MAX_RECORD_ID = 2**31 - 1  # every database we run on stores ids this large; a longer number is no id of ours


def record_id(text: object) -> int | None:
    """A database id typed or posted by a person: ASCII digits within range, else None (never an error page).

    `str.isdigit()` accepts "²" and other digits `int()` refuses, and 20 digits overflow SQLite's integers.
    """
    value = str(text or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_RECORD_ID else None
