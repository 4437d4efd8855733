"""Checks that keep `knowledge/` publishable; each message names the file and the field."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from bot.knowledge.articles import (
    ISSUE_TYPES,
    LANGUAGES,
    Article,
    ArticleFormatError,
    article_paths,
    load_article,
)
from bot.knowledge.deployment import PLACEHOLDERS_FILE, load_placeholders, placeholder_problems

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KNOWN_GUIDES = ("unfpa-2024", "unhcr-2016", "unpp-facts")


class KnowledgeError(Exception):
    """Raised with every problem found, one per line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def normalise_example(text: str) -> str:
    """Fold case, accents and punctuation so near-identical examples count as the same."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


def _article_problems(article: Article) -> list[str]:
    name = article.path.name
    problems = []
    if not ID_PATTERN.match(article.id):
        problems.append(f"{name}: field 'id' must be kebab-case, got {article.id!r}")
    elif article.path.stem != article.id:
        problems.append(f"{name}: field 'id' is {article.id!r} but the file is named {name}")
    if article.guide not in KNOWN_GUIDES:
        problems.append(f"{name}: field 'source.guide' must be one of {', '.join(KNOWN_GUIDES)}")
    if not article.section:
        problems.append(f"{name}: field 'source.section' is empty")
    if article.ticket_issue_type is not None and article.ticket_issue_type not in ISSUE_TYPES:
        problems.append(f"{name}: field 'ticket_issue_type' must be one of {', '.join(ISSUE_TYPES)}")
    for language in LANGUAGES:
        text = article.texts.get(language)
        if text is None:
            problems.append(f"{name}: field '{language}' (the {language} text) is missing")
            continue
        for attribute in ("title", "answer"):
            if not getattr(text, attribute):
                problems.append(f"{name}: field '{language}.{attribute}' is empty")
        if not text.examples:
            problems.append(f"{name}: field '{language}.examples' is empty")
    return problems


def validate_knowledge(directory: Path, min_examples: int = 1) -> dict[str, Article]:
    """Load and check every article; raise KnowledgeError listing all problems at once."""
    problems: list[str] = []
    articles: list[Article] = []
    for path in article_paths(directory):
        try:
            articles.append(load_article(path))
        except ArticleFormatError as error:
            problems.append(str(error))
    if not articles and not problems:
        problems.append(f"{directory}: no article files (*.yml)")

    by_id: dict[str, Article] = {}
    seen_examples: dict[str, tuple[str, str]] = {}
    for article in articles:
        problems.extend(_article_problems(article))
        name = article.path.name
        if article.id in by_id:
            problems.append(f"{name}: field 'id' {article.id!r} is already used by {by_id[article.id].path.name}")
        by_id.setdefault(article.id, article)
        for language, text in article.texts.items():
            if 0 < len(text.examples) < min_examples:
                problems.append(f"{name}: field '{language}.examples' has {len(text.examples)}, needs {min_examples}")
            for example in text.examples:
                key = normalise_example(example)
                owner = seen_examples.get(key)
                if owner and owner[0] != name:
                    problems.append(f"{name}: field '{language}.examples' repeats {example!r} from {owner[0]}")
                elif owner:
                    problems.append(f"{name}: field '{language}.examples' lists {example!r} twice")
                else:
                    seen_examples[key] = (name, language)
    for article in articles:
        for related in article.related:
            if related not in by_id:
                problems.append(f"{article.path.name}: field 'related' names unknown article {related!r}")
    try:
        placeholders = load_placeholders(directory)
    except (yaml.YAMLError, AttributeError, ValueError) as error:
        problems.append(f"{PLACEHOLDERS_FILE}: not a mapping of name, deployment, language to text ({error})")
    else:
        problems.extend(placeholder_problems(articles, placeholders))
    if problems:
        raise KnowledgeError(problems)
    return by_id


def check_directory(directory: Path) -> list[str]:
    """Problems as a list (empty when the knowledge base is publishable)."""
    try:
        validate_knowledge(directory)
    except KnowledgeError as error:
        return error.problems
    return []
