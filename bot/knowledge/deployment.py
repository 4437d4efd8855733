"""Where the assistant stands: it is the partners' help desk, or it works beside UNPP's own (Rafiki).

The UNFPA guide sends lost access, duplicate profiles and fields a partner cannot edit to UNPP's help desk,
Rafiki. Where this assistant *is* the help desk (`DEPLOYMENT=helpdesk`, the default), those requests become our
tickets; deployed beside UNPP's help desk (`DEPLOYMENT=beside-unpp`), the articles send the partner to Rafiki and
our ticket form offers only what our staff handle. An article says it once, through a placeholder such as
`{{help_desk_step}}`, whose text per deployment and language is in `knowledge/_placeholders.yml`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from bot.knowledge.articles import Article
from bot.settings import DEPLOYMENTS

# What UNPP's help desk must handle when it is not us (the guide's "Demandez à Rafiki" cases).
RAFIKI_ISSUES = frozenset({"account_access", "duplicate_profile", "non_editable_info"})
PLACEHOLDERS_FILE = "_placeholders.yml"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")

Placeholders = dict[str, dict[str, dict[str, str]]]  # name -> deployment -> language -> text


def handled_here(issue_type: str | None, deployment: str) -> bool:
    """Whether our staff take this kind of request (any kind, when we are the help desk)."""
    return deployment != "beside-unpp" or issue_type not in RAFIKI_ISSUES


def load_placeholders(directory: Path) -> Placeholders:
    """The placeholders file read as name -> deployment -> language -> text; ValueError when it is not that."""
    path = directory / PLACEHOLDERS_FILE
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return {
            str(name): {
                str(d): {str(lang): str(text).strip() for lang, text in (langs or {}).items()}
                for d, langs in (variants or {}).items()
            }
            for name, variants in raw.items()
        }
    except (yaml.YAMLError, AttributeError) as error:
        raise ValueError(f"not a mapping of name, deployment, language to text ({error})") from error


def render(text: str, language: str, deployment: str, placeholders: Placeholders) -> str:
    """`text` with each known placeholder replaced by its text for this deployment and language."""

    def filled(match: re.Match[str]) -> str:
        variants = placeholders.get(match.group(1), {}).get(deployment, {})
        return variants.get(language) or match.group()

    return PLACEHOLDER.sub(filled, text)


def rendered(article: Article, deployment: str, placeholders: Placeholders) -> Article:
    """The article as partners read it in this deployment."""
    texts = {
        language: replace(text, answer=render(text.answer, language, deployment, placeholders))
        for language, text in article.texts.items()
    }
    return replace(article, texts=texts)


def placeholder_problems(articles: list[Article], placeholders: Placeholders) -> list[str]:
    """Every placeholder an article uses must have a text for each deployment and language."""
    problems = []
    for article in articles:
        for language, text in article.texts.items():
            for name in PLACEHOLDER.findall(text.answer):
                for deployment in DEPLOYMENTS:
                    if not placeholders.get(name, {}).get(deployment, {}).get(language):
                        problems.append(
                            f"{article.path.name}: field '{language}.answer' uses {{{{{name}}}}}, which has no "
                            f"{language} text for DEPLOYMENT={deployment} in {PLACEHOLDERS_FILE}"
                        )
    return problems
