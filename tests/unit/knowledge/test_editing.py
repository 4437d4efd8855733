"""Editing articles: the files keep their hand-written format, and nothing invalid ever reaches the disk."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeBase, editing, validate_knowledge
from bot.knowledge.articles import ArticleText, article_paths
from bot.knowledge.editing import (
    ArticleNotFound,
    EditRejected,
    add_example,
    example_owners,
    load_draft,
    new_draft,
    parse_examples,
    parse_related,
    render_article,
    save_article,
)
from bot.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, directory)
    return directory


def with_text(draft, language: str, **changes):
    return replace(draft, texts={**draft.texts, language: replace(draft.text(language), **changes)})


def test_every_article_is_written_back_byte_for_byte() -> None:
    """Same key order, `|` answers, quoting and list style as the hand-written files: diffs stay readable."""
    for path in article_paths(KNOWLEDGE):
        base = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert render_article(load_draft(KNOWLEDGE, path.stem), base) == path.read_text(encoding="utf-8"), path.name


def test_a_saved_answer_is_read_by_the_live_knowledge_base(kb_dir: Path) -> None:
    kb = KnowledgeBase(kb_dir)
    assert kb.get("forgot-password").text("en").answer != "New answer.\nSecond line."
    draft = with_text(load_draft(kb_dir, "forgot-password"), "en", answer="New answer.\r\nSecond line.  \r\n")
    save_article(kb_dir, draft)
    text = (kb_dir / "forgot-password.yml").read_text(encoding="utf-8")
    assert "  answer: |\n    New answer.\n    Second line.\n" in text
    assert KnowledgeBase(kb_dir).get("forgot-password").text("en").answer == "New answer.\nSecond line."
    assert sorted(p.name for p in kb_dir.iterdir() if not p.name.endswith(".yml")) == [], "no temporary file left"
    validate_knowledge(kb_dir)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: with_text(d, "fr", answer="  "), "forgot-password.yml: field 'fr.answer' is empty"),
        (lambda d: replace(d, related=("nowhere",)), "field 'related' names unknown article 'nowhere'"),
        (lambda d: replace(d, ticket_issue_type="whatever"), "field 'ticket_issue_type' must be one of"),
        (
            lambda d: with_text(d, "en", examples=(*d.text("en").examples, "Who is our admin?")),
            "field 'en.examples' repeats 'Who is our admin?'",
        ),
    ],
)
def test_an_invalid_change_is_refused_and_the_file_kept(kb_dir: Path, change, expected: str) -> None:
    before = (kb_dir / "forgot-password.yml").read_bytes()
    with pytest.raises(EditRejected) as error:
        save_article(kb_dir, change(load_draft(kb_dir, "forgot-password")))
    assert any(expected in problem for problem in error.value.problems), error.value.problems
    assert (kb_dir / "forgot-password.yml").read_bytes() == before


def test_an_unrelated_broken_file_does_not_block_an_edit(kb_dir: Path) -> None:
    (kb_dir / "zz-broken.yml").write_text("id: zz-broken\nfr: [unclosed\n", encoding="utf-8")
    save_article(kb_dir, with_text(load_draft(kb_dir, "user-roles"), "fr", title="Rôles des utilisateurs"))
    assert KnowledgeBase(kb_dir).get("user-roles").text("fr").title == "Rôles des utilisateurs"


def test_a_change_made_meanwhile_is_not_overwritten_silently(kb_dir: Path) -> None:
    mine = with_text(load_draft(kb_dir, "user-roles"), "en", title="Mine")
    save_article(kb_dir, with_text(load_draft(kb_dir, "user-roles"), "en", title="Theirs"))
    with pytest.raises(EditRejected) as error:
        save_article(kb_dir, mine)
    assert "changed by someone else" in error.value.problems[0]
    assert KnowledgeBase(kb_dir).get("user-roles").text("en").title == "Theirs"
    save_article(kb_dir, replace(mine, version=error.value.current_version))  # saving again on purpose
    assert KnowledgeBase(kb_dir).get("user-roles").text("en").title == "Mine"


def test_a_new_article_is_written_in_the_usual_format(kb_dir: Path) -> None:
    draft = replace(
        new_draft("Comment activer la double authentification ?", "fr"),
        id="two-factor",
        section="E. Soutien",
        related=("forgot-password",),
        texts={
            "fr": ArticleText("Double authentification", "Ouvrez « Mon compte ».", ("activer la double auth",)),
            "en": ArticleText("Two-factor authentication", 'Open "My account".', ("turn on two-factor login",)),
        },
    )
    save_article(kb_dir, draft, create=True)
    text = (kb_dir / "two-factor.yml").read_text(encoding="utf-8")
    assert text.startswith('id: two-factor\nsource:\n  guide: unfpa-2024\n  section: "E. Soutien"\n')
    assert "related: [forgot-password]\nticket_issue_type: null\nfr:\n  title: Double authentification\n" in text
    assert "  examples:\n    - activer la double auth\n" in text
    assert set(validate_knowledge(kb_dir)) >= {"two-factor", "forgot-password"}


@pytest.mark.parametrize(
    ("article_id", "expected"),
    [("Two Factor", "must be kebab-case"), ("publish", "reserved"), ("forgot-password", "already used")],
)
def test_a_new_article_needs_a_free_kebab_case_id(kb_dir: Path, article_id: str, expected: str) -> None:
    draft = replace(load_draft(kb_dir, "forgot-password"), id=article_id, version="")
    with pytest.raises(EditRejected) as error:
        save_article(kb_dir, draft, create=True)
    assert expected in error.value.problems[0]


def test_a_question_becomes_an_example_in_its_language(kb_dir: Path) -> None:
    add_example(kb_dir, "user-roles", "  quels   droits pour un\nfocal point ?", "fr")
    article = KnowledgeBase(kb_dir).get("user-roles")
    assert article.text("fr").examples[-1] == "quels droits pour un focal point ?"
    assert "quels droits pour un focal point ?" not in article.text("en").examples
    assert example_owners(KnowledgeBase(kb_dir).all())["quels droits pour un focal point"] == "user-roles"


def test_a_question_already_used_elsewhere_is_refused(kb_dir: Path) -> None:
    with pytest.raises(EditRejected) as error:
        add_example(kb_dir, "user-roles", "Who is our admin?", "en")
    assert "repeats 'Who is our admin?' from find-my-administrator.yml" in "\n".join(error.value.problems)


def test_ids_that_cannot_be_files_are_not_found(kb_dir: Path) -> None:
    for article_id in ("../secrets", "missing-article", ""):
        with pytest.raises(ArticleNotFound):
            load_draft(kb_dir, article_id)


def test_form_text_is_parsed_one_example_per_line() -> None:
    assert parse_examples("first  one\r\n\r\n  second\n") == ("first one", "second")
    assert parse_related("a, b\nc a") == ("a", "b", "c")


def test_two_admins_creating_the_same_id_at_once_do_not_overwrite_each_other(
    kb_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding 8: both passed the "id is free" check before either wrote; the second must not replace the first."""
    first = replace(load_draft(kb_dir, "forgot-password"), id="same-id", version="")
    first = with_text(first, "fr", examples=("une question du premier administrateur",))
    first = with_text(first, "en", examples=("a question of the first admin",))
    second = with_text(first, "fr", title="Le texte du second")
    save_article(kb_dir, with_text(first, "fr", title="Le texte du premier"), create=True)
    monkeypatch.setattr(editing, "_precheck", lambda directory, draft, create: [])  # as if checked before that
    with pytest.raises(EditRejected, match="someone created an article with this id a moment ago"):
        save_article(kb_dir, second, create=True)
    assert "Le texte du premier" in (kb_dir / "same-id.yml").read_text(encoding="utf-8")
    assert not list(kb_dir.glob(".same-id.yml.*")), "no temporary file left behind"
