"""Every paragraph of an answer cites the source lines it rests on; no address or number comes from nowhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge.citations import checkable_tokens, covered
from bot.knowledge.validation import KnowledgeError, validate_knowledge
from bot.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"


def test_the_knowledge_base_cites_its_sources_as_helpdesk_kb_check_requires() -> None:
    articles = validate_knowledge(KNOWLEDGE, require_citations=True)
    assert len(articles) >= 40


def test_addresses_and_numbers_are_what_a_paragraph_states() -> None:
    paragraph = (
        "3. Après 5 jours, écrivez à epartner@unhcr.org ou ouvrez https://www.unpartnerportal.org/profile/"
        "1234/overview (supportcso.unpartnerportal.org)."
    )
    assert checkable_tokens(paragraph) == [
        "epartner@unhcr.org",
        "https://www.unpartnerportal.org/profile/1234/overview",
        "supportcso.unpartnerportal.org",
        "5",
    ]
    assert covered("5", "dans les 5 jours ouvrables") and not covered("5", "dans les 15 jours")
    assert covered("https://www.unpartnerportal.org/landing/register/", "unpartnerportal.org … `/landing/register/`")
    assert not covered("https://www.unpartnerportal.org/cfei/open", "https://www.unpartnerportal.org/landing/register/")


def edited(tmp_path: Path, article_id: str, change) -> Path:
    directory = tmp_path / "kb"
    shutil.copytree(KNOWLEDGE, directory)
    path = directory / f"{article_id}.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return directory


def problems_of(directory: Path, name: str = "verification-code.yml") -> list[str]:
    with pytest.raises(KnowledgeError) as failed:
        validate_knowledge(directory, require_citations=True)
    return [problem for problem in failed.value.problems if problem.startswith(name)]


def test_a_number_no_cited_source_gives_fails_the_check(tmp_path: Path) -> None:
    def later(raw: dict) -> None:
        lines = raw["en"]["answer"].splitlines()
        lines[0] += " It takes 48 hours."
        raw["en"]["answer"] = "\n".join(lines)

    assert problems_of(edited(tmp_path, "verification-code", later)) == [
        "verification-code.yml: field 'en.answer' paragraph 1 says '48', which no quote it cites says"
    ]


def test_an_uncited_paragraph_and_unmatched_languages_fail_the_check(tmp_path: Path) -> None:
    def extra_line(raw: dict) -> None:
        raw["fr"]["answer"] += "Une ligne de plus.\n"

    problems = problems_of(edited(tmp_path, "verification-code", extra_line))
    assert any("French and English must match line for line" in p for p in problems)
    assert any("field 'fr.answer' paragraph 6 cites no source" in p for p in problems)


def test_the_editor_saves_without_citations_but_kb_check_refuses(tmp_path: Path) -> None:
    directory = edited(tmp_path, "verification-code", lambda raw: raw.pop("citations"))
    validate_knowledge(directory)  # the console's editor: an admin's wording is served at once
    assert problems_of(directory) == [
        "verification-code.yml: field 'citations' is missing: cite the source lines each paragraph rests on"
    ]
