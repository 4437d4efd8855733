"""Checks that keep `knowledge/` publishable; each message names the file and the field."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from bot.knowledge.articles import (
    ISSUE_TYPES,
    LANGUAGES,
    Article,
    ArticleFormatError,
    article_paths,
    load_article,
)
from bot.knowledge.citations import paragraph_count, paragraph_problems, parse_citations
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


def _article_problems(article: Article, require_citations: bool) -> list[str]:
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
    problems.extend(_citation_problems(article, require_citations))
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


def _citation_problems(article: Article, required: bool) -> list[str]:
    """Each paragraph cites the source lines it rests on, and states no address or number they do not."""
    name = article.path.name
    if not required:
        return []
    if article.citations is None:
        return [f"{name}: field 'citations' is missing: cite the source lines each paragraph rests on"]
    citations, problems = parse_citations(article.citations)
    problems = [f"{name}: field 'citations': {problem}" for problem in problems]
    texts = {language: text for language, text in article.texts.items() if text.answer}
    counts = {language: paragraph_count(text.answer) for language, text in texts.items()}
    if len(set(counts.values())) > 1:
        problems.append(f"{name}: the answers have {counts} paragraphs: French and English must match line for line")
    for language, text in texts.items():
        found = paragraph_problems(text.answer, citations, set(article.illustrations), f"{language}.answer")
        problems.extend(f"{name}: {problem}" for problem in found)
    return problems


def validate_knowledge(directory: Path, min_examples: int = 1, require_citations: bool = False) -> dict[str, Article]:
    """Load and check every article; raise KnowledgeError listing all problems at once.

    `require_citations` (`helpdesk kb check`, the tests) also checks that every paragraph cites its sources and
    states no address or number they do not. The console's editor saves without it: an admin's new wording is
    served at once, and `kb check` then says which paragraph needs its citation.
    """
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
        problems.extend(_article_problems(article, require_citations))
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
    except ValueError as error:
        problems.append(f"{PLACEHOLDERS_FILE}: {error}")
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
