"""What partners type, made safe to process and store: no control characters, and markup recognised.

Shared by the chat channels (every message) and the ticket form (every field), so the console, the CSV export
and the JSON API never receive a NUL byte, a terminal escape or a bidirectional override that disguises text.
"""

from __future__ import annotations

import re
import unicodedata

# Bidirectional embeddings, overrides and isolates: invisible, and able to show text in another order than it is
# stored ("Trojan source"). Right-to-left writing itself needs none of them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# The start of an HTML tag, comment or declaration: `<script`, `</b>`, `<img/`, `<!--`. An address in angle
# brackets (`<jean@asso.fr>`, `<https://...>`) is not one: a tag name ends at a space, `/` or `>`.
# Linear: no two quantifiers can share the same characters (`<\s*[/!?]?\s*` could split a run of spaces in
# every way, which made 16 KB of crafted text cost seconds).
_MARKUP = re.compile(r"<\s*(?:!--|(?:[/!?]\s*)?[a-zA-Z][\w-]*(?=[\s/>]|$))")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85]")


def is_control(char: str, keep_newlines: bool = False) -> bool:
    """True for a C0/C1 control or DEL (except tab and newline when kept), a lone surrogate or a bidi control."""
    if keep_newlines and char in "\n\t":
        return False
    return unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS


def strip_control_characters(text: str, keep_newlines: bool = False) -> str:
    """`text` without control characters; line breaks become `\\n` (kept) or a space (dropped)."""
    text = _LINE_BREAKS.sub("\n", text)
    if not keep_newlines:
        text = text.replace("\n", " ").replace("\t", " ")
    return "".join(c for c in text if not is_control(c, keep_newlines))


def one_line(text: str) -> str:
    """A single-line field: control characters dropped, whitespace runs collapsed to one space, trimmed."""
    return " ".join(strip_control_characters(text).split())


def contains_markup(text: str) -> bool:
    """True when the text holds an HTML tag or comment, which no form field needs."""
    return bool(_MARKUP.search(text))
