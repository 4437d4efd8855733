"""Loading and validating `knowledge/`, and serving answers live from disk."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeBase, KnowledgeError, validate_knowledge
from bot.knowledge.export import rasa_training_data
from bot.settings import PROJECT_ROOT

KNOWLEDGE = PROJECT_ROOT / "knowledge"
REQUIRED = [
    "forgot-password",
    "user-roles",
    "create-user-account",
    "verification-code",
    "unpp-register-organization",
    "contact-support",
    "duplicate-profile",
    "non-editable-fields",
    "quantumplus-login",
    "find-my-administrator",
]


def test_the_knowledge_base_is_valid_and_has_the_required_articles() -> None:
    articles = validate_knowledge(KNOWLEDGE)
    assert set(REQUIRED) <= set(articles)
    for article_id in REQUIRED:
        for language in ("fr", "en"):
            text = articles[article_id].texts[language]
            assert text.answer and text.title
            assert len(text.examples) >= 12, f"{article_id} needs more {language} examples"


def test_every_article_becomes_a_retrieval_intent_with_both_languages() -> None:
    articles = validate_knowledge(KNOWLEDGE)
    data = rasa_training_data(articles)
    intents = {entry["intent"]: entry["examples"] for entry in data["nlu"]}
    assert set(intents) == {f"faq/{a}" for a in articles}
    examples = intents["faq/forgot-password"]
    for text in articles["forgot-password"].texts["fr"].examples + articles["forgot-password"].texts["en"].examples:
        assert f"- {text}\n" in examples
    assert set(data["responses"]) == {f"utter_faq/{a}" for a in articles}


def write(directory: Path, name: str, content: dict) -> None:
    (directory / name).write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")


def article(article_id: str, fr_examples: list[str], en_examples: list[str], related: list[str] | None = None) -> dict:
    return {
        "id": article_id,
        "source": {"guide": "unfpa-2024", "section": "E"},
        "related": related or [],
        "fr": {"title": "Titre", "answer": "Réponse.", "examples": fr_examples},
        "en": {"title": "Title", "answer": "Answer.", "examples": en_examples},
    }


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    write(tmp_path, "alpha.yml", article("alpha", ["question alpha"], ["alpha question"]))
    write(tmp_path, "beta.yml", article("beta", ["question beta"], ["beta question"], related=["alpha"]))
    return tmp_path


def problems(directory: Path) -> str:
    with pytest.raises(KnowledgeError) as error:
        validate_knowledge(directory)
    return str(error.value)


def test_a_valid_directory_passes(kb_dir: Path) -> None:
    assert set(validate_knowledge(kb_dir)) == {"alpha", "beta"}


def test_a_missing_language_is_named_with_file_and_field(kb_dir: Path) -> None:
    content = article("gamma", ["question gamma"], ["gamma question"])
    del content["en"]
    write(kb_dir, "gamma.yml", content)
    assert "gamma.yml: field 'en'" in problems(kb_dir)


def test_a_duplicate_id_is_refused(kb_dir: Path) -> None:
    write(kb_dir, "alpha-copy.yml", article("alpha", ["autre"], ["other"]))
    found = problems(kb_dir)
    assert "field 'id' 'alpha' is already used by" in found
    assert "alpha-copy.yml" in found and "alpha.yml" in found


def test_an_example_used_by_two_articles_is_refused(kb_dir: Path) -> None:
    write(kb_dir, "gamma.yml", article("gamma", ["Question Alpha ?"], ["gamma question"]))
    assert "gamma.yml: field 'fr.examples' repeats 'Question Alpha ?' from alpha.yml" in problems(kb_dir)


def test_a_broken_related_id_is_refused(kb_dir: Path) -> None:
    write(kb_dir, "gamma.yml", article("gamma", ["question gamma"], ["gamma question"], related=["nowhere"]))
    assert "gamma.yml: field 'related' names unknown article 'nowhere'" in problems(kb_dir)


def test_an_empty_answer_is_refused(kb_dir: Path) -> None:
    content = article("gamma", ["question gamma"], ["gamma question"])
    content["fr"]["answer"] = "   "
    write(kb_dir, "gamma.yml", content)
    assert "gamma.yml: field 'fr.answer' is empty" in problems(kb_dir)


def test_broken_yaml_is_named(kb_dir: Path) -> None:
    (kb_dir / "gamma.yml").write_text("id: gamma\nfr: [unclosed\n", encoding="utf-8")
    assert "gamma.yml: not valid YAML" in problems(kb_dir)


def test_an_answer_edited_on_disk_is_served_without_reload(tmp_path: Path) -> None:
    shutil.copy(KNOWLEDGE / "forgot-password.yml", tmp_path / "forgot-password.yml")
    kb = KnowledgeBase(tmp_path)
    before = kb.get("forgot-password").text("en").answer
    content = yaml.safe_load((tmp_path / "forgot-password.yml").read_text(encoding="utf-8"))
    content["en"]["answer"] = "Edited answer."
    (tmp_path / "forgot-password.yml").write_text(yaml.safe_dump(content), encoding="utf-8")
    os.utime(tmp_path / "forgot-password.yml", ns=(1, 2_000_000_000_000_000_000))
    assert before != "Edited answer."
    assert kb.get("forgot-password").text("en").answer == "Edited answer."


def test_a_broken_edit_keeps_serving_the_last_good_answer(tmp_path: Path) -> None:
    shutil.copy(KNOWLEDGE / "forgot-password.yml", tmp_path / "forgot-password.yml")
    kb = KnowledgeBase(tmp_path)
    good = kb.get("forgot-password").text("fr").answer
    (tmp_path / "forgot-password.yml").write_text("fr: [broken", encoding="utf-8")
    os.utime(tmp_path / "forgot-password.yml", ns=(1, 3_000_000_000_000_000_000))
    assert kb.get("forgot-password").text("fr").answer == good
