"""Every claim traced to its source: each paragraph of an answer cites the lines it rests on.

An article's `citations` list the source's own words (`quote`) with where they are (`source`: a guide or the
facts file; `where`: its section or entry) and which paragraphs of the answer (its lines, counted from 1, the
same in French and English) rest on them. The check a reader cannot do by eye is done here: every web address,
e-mail address and number in a paragraph must appear in a quote that paragraph cites, so a figure, a delay or a
contact never enters an answer from nowhere. A number that is only an illustration (the 1234 of an example
profile link) is listed under `illustrations`, and a numbered step's own number is not a claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# The two guides, the facts file, and this help desk's own practice (safety advice, how our requests work), which
# is ours to state and must say so.
SOURCES = ("unfpa-2024", "unhcr-2016", "unpp-facts", "help-desk")

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://)?(?:[\w-]+\.)+(?:org|com|net|int|info)(?:/[^\s<>\"'«»()]*)?", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")
_STEP = re.compile(r"^\s*\d+[.)]\s")  # "1. Ouvrez…": the step's number
_TRAILING = ".,;:!?)»"


@dataclass(frozen=True)
class Citation:
    paragraphs: tuple[int, ...]
    source: str
    where: str
    quote: str


def parse_citations(raw: Any) -> tuple[list[Citation], list[str]]:
    """The citations of an article file, and what is wrong with their form."""
    citations, problems = [], []
    for position, item in enumerate(raw or [], start=1):
        if not isinstance(item, dict):
            problems.append(f"citation {position} must be a mapping with paragraphs, source, where, quote")
            continue
        paragraphs = item.get("paragraphs")
        if not isinstance(paragraphs, list) or not paragraphs or not all(isinstance(p, int) for p in paragraphs):
            problems.append(f"citation {position}: 'paragraphs' must list the answer's line numbers, e.g. [1, 2]")
            paragraphs = []
        source = str(item.get("source") or "")
        if source not in SOURCES:
            problems.append(f"citation {position}: 'source' must be one of {', '.join(SOURCES)}")
        where, quote = str(item.get("where") or "").strip(), str(item.get("quote") or "").strip()
        if not where or not quote:
            problems.append(f"citation {position}: 'where' and 'quote' (the source's own words) must not be empty")
        citations.append(Citation(tuple(paragraphs), source, where, quote))
    return citations, problems


def checkable_tokens(paragraph: str) -> list[str]:
    """The web addresses, e-mail addresses and numbers a paragraph states."""
    text = _STEP.sub(" ", paragraph)
    tokens = []
    for pattern in (_EMAIL, _URL):
        for match in pattern.finditer(text):
            tokens.append(match.group().rstrip(_TRAILING))
        text = pattern.sub(" ", text)
    return tokens + _NUMBER.findall(text)


def _url_parts(url: str) -> tuple[str, str]:
    bare = re.sub(r"^https?://", "", url.lower()).rstrip("/")
    host, _, path = bare.partition("/")
    return host.removeprefix("www."), path


def covered(token: str, quotes: str) -> bool:
    """Whether the cited words contain `token` (an address with or without its scheme; a number as a number)."""
    lowered = quotes.lower()
    if "@" in token:
        return token.lower() in lowered
    if token.isdigit():
        return token in _NUMBER.findall(quotes)
    host, path = _url_parts(token)
    return host in lowered and (not path or path in lowered)


def paragraph_problems(answer: str, citations: list[Citation], illustrations: set[str], field: str) -> list[str]:
    """What paragraph of `answer` (field, e.g. 'fr.answer') is uncited or states a token its citations lack."""
    problems = []
    for number, paragraph in enumerate(_paragraphs(answer), start=1):
        cited = [c for c in citations if number in c.paragraphs]
        if not cited:
            problems.append(f"field '{field}' paragraph {number} cites no source (citations: paragraphs)")
            continue
        quotes = "\n".join(c.quote for c in cited)
        for token in checkable_tokens(paragraph):
            if token not in illustrations and not covered(token, quotes):
                problems.append(f"field '{field}' paragraph {number} says {token!r}, which no quote it cites says")
    return problems


def _paragraphs(answer: str) -> list[str]:
    return [line for line in answer.splitlines() if line.strip()]


def paragraph_count(answer: str) -> int:
    return len(_paragraphs(answer))
