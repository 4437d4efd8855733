"""What changed between two versions of an article, field by field and language by language.

Answers are compared line by line (numbered steps are lines); examples as a list, an example being there or not;
the rest (source, related articles, issue type, citations) as values.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from bot.knowledge.articles import LANGUAGES, SAFE_LOADER

Op = Literal["same", "removed", "added"]


@dataclass(frozen=True)
class Change:
    language: str  # "" for the fields both languages share
    field: str  # title, answer, examples, or a shared field's name
    lines: list[tuple[Op, str]] = field(default_factory=list)
    reordered: bool = False  # examples: the same ones, in another order


def _raw(content: str) -> dict[str, Any]:
    try:
        raw = yaml.load(content, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError:
        return {}
    return raw if isinstance(raw, dict) else {}


def _lines(old: list[str], new: list[str]) -> list[tuple[Op, str]]:
    ops: dict[str, Op] = {" ": "same", "-": "removed", "+": "added"}
    return [(ops[line[0]], line[2:]) for line in difflib.ndiff(old, new) if line[0] in ops]


def _value_lines(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | dict):
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100_000).strip().split("\n")
    return str(value).strip().split("\n")


def compare(old_content: str, new_content: str) -> list[Change]:
    """The fields that differ, each with its lines marked same / removed / added; empty when nothing differs."""
    old, new = _raw(old_content), _raw(new_content)
    changes = []
    for language in LANGUAGES:
        before, after = old.get(language) or {}, new.get(language) or {}
        before, after = (before if isinstance(before, dict) else {}), (after if isinstance(after, dict) else {})
        for name in ("title", "answer"):
            if before.get(name) != after.get(name):
                changes.append(
                    Change(language, name, _lines(_value_lines(before.get(name)), _value_lines(after.get(name))))
                )
        old_examples = [str(e) for e in before.get("examples") or []]
        new_examples = [str(e) for e in after.get("examples") or []]
        if old_examples != new_examples:
            kept = set(new_examples)
            lines: list[tuple[Op, str]] = [("removed", e) for e in old_examples if e not in kept]
            lines += [("added", e) for e in new_examples if e not in set(old_examples)]
            changes.append(Change(language, "examples", lines, reordered=not lines))
    for name in sorted((set(old) | set(new)) - set(LANGUAGES)):
        if old.get(name) != new.get(name):
            changes.append(Change("", name, _lines(_value_lines(old.get(name)), _value_lines(new.get(name)))))
    return changes
