"""Article files: one YAML file per article, French and English side by side."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.settings import LANGUAGES

ISSUE_TYPES = ("account_access", "non_editable_info", "duplicate_profile", "other")


class ArticleFormatError(ValueError):
    """An article file that cannot be read as an article; the message names the file and the field."""


@dataclass(frozen=True)
class ArticleText:
    title: str
    answer: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Article:
    id: str
    path: Path
    guide: str
    section: str
    related: tuple[str, ...]
    ticket_issue_type: str | None
    texts: dict[str, ArticleText] = field(default_factory=dict)
    citations: Any = None  # as written in the file: bot/knowledge/citations.py reads and checks them
    illustrations: tuple[str, ...] = ()  # numbers that only illustrate (an example profile id), not claims

    def text(self, language: str) -> ArticleText:
        """The text in `language`, or in the other language when that one is missing."""
        return self.texts.get(language) or next(iter(self.texts.values()))


def _text(raw: Any, path: Path, language: str) -> ArticleText | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ArticleFormatError(f"{path.name}: field '{language}' must be a mapping with title, answer, examples")
    examples = raw.get("examples") or []
    if not isinstance(examples, list):
        raise ArticleFormatError(f"{path.name}: field '{language}.examples' must be a list")
    return ArticleText(
        title=str(raw.get("title") or "").strip(),
        answer=str(raw.get("answer") or "").strip(),
        examples=tuple(str(e).strip() for e in examples if str(e).strip()),
    )


# libyaml's safe loader when PyYAML has it (its wheels do): the same documents, read about ten times faster,
# which the console feels on every page that lists the articles.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_article(path: Path) -> Article:
    """Parse one article file; raise ArticleFormatError naming the file when it is not an article."""
    return parse_article(path.read_text(encoding="utf-8"), path)


def parse_article(content: str, path: Path) -> Article:
    """An article from its file's text (a revision, a draft), as if read from `path`."""
    try:
        raw = yaml.load(content, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        raise ArticleFormatError(f"{path.name}: not valid YAML ({error})") from error
    if not isinstance(raw, dict):
        raise ArticleFormatError(f"{path.name}: an article must be a YAML mapping")
    source = raw.get("source") or {}
    texts = {lang: text for lang in LANGUAGES if (text := _text(raw.get(lang), path, lang))}
    return Article(
        id=str(raw.get("id") or "").strip(),
        path=path,
        guide=str(source.get("guide") or "").strip(),
        section=str(source.get("section") or "").strip(),
        related=tuple(str(r) for r in (raw.get("related") or [])),
        ticket_issue_type=raw.get("ticket_issue_type") or None,
        texts=texts,
        citations=raw.get("citations"),
        illustrations=tuple(str(i) for i in (raw.get("illustrations") or [])),
    )


def article_paths(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yml") if not p.name.startswith("_"))


def load_articles(directory: Path) -> dict[str, Article]:
    """All articles in `directory`, by id (no validation: see validation.validate_knowledge)."""
    articles = [load_article(path) for path in article_paths(directory)]
    return {article.id: article for article in articles}
