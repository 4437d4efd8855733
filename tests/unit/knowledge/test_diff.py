"""Comparing two versions of an article: what an admin reads on the comparison page."""

from __future__ import annotations

from bot.knowledge.diff import compare
from bot.settings import PROJECT_ROOT

ARTICLE = (PROJECT_ROOT / "knowledge" / "forgot-password.yml").read_text(encoding="utf-8")


def changed(content: str, old: str, new: str) -> str:
    assert old in content
    return content.replace(old, new, 1)


def test_the_same_text_has_no_change() -> None:
    assert compare(ARTICLE, ARTICLE) == []


def test_an_answer_line_changed_is_one_line_removed_and_one_added_in_its_language() -> None:
    lines = ARTICLE.split("\n")
    first_line = lines[lines.index("  answer: |") + 1]  # the French answer comes first
    edited = changed(ARTICLE, first_line, first_line + " Merci.")
    [change] = compare(ARTICLE, edited)
    assert (change.language, change.field) == ("fr", "answer")
    assert ("removed", first_line.strip()) in change.lines and ("added", first_line.strip() + " Merci.") in change.lines
    assert sum(op == "same" for op, _line in change.lines) >= 1  # the rest of the answer is shown as it was


def test_examples_added_and_removed_are_listed() -> None:
    edited = changed(ARTICLE, "  examples:\n", "  examples:\n    - mot de passe perdu, que faire ?\n")
    changes = compare(ARTICLE, edited)
    assert [(c.language, c.field, c.lines) for c in changes] == [
        ("fr", "examples", [("added", "mot de passe perdu, que faire ?")])
    ]
    back = compare(edited, ARTICLE)
    assert back[0].lines == [("removed", "mot de passe perdu, que faire ?")]


def test_examples_in_another_order_are_named_as_such() -> None:
    before = "id: a\nen:\n  title: A\n  answer: x\n  examples: [one, two]\n"
    [change] = compare(before, before.replace("[one, two]", "[two, one]"))
    assert change.reordered and change.lines == []


def test_a_shared_field_change_is_named_without_a_language() -> None:
    edited = changed(ARTICLE, "ticket_issue_type: null", "ticket_issue_type: account_access")
    [change] = compare(ARTICLE, edited)
    assert (change.language, change.field, change.lines) == ("", "ticket_issue_type", [("added", "account_access")])
