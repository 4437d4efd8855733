"""Feedback votes and unanswered questions, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from bot.database import Database
from bot.knowledge.records import KnowledgeRecords


def test_helpful_votes_are_counted_per_article(database_url: str) -> None:
    records = KnowledgeRecords(Database.connect(database_url))
    records.record_feedback("forgot-password", True, "fr", "c1")
    records.record_feedback("forgot-password", True, "en", "c2")
    records.record_feedback("forgot-password", False, "fr", "c3")
    records.record_feedback("user-roles", False, "en", "c4")
    assert records.feedback_counts() == {"forgot-password": (2, 1), "user-roles": (0, 1)}


def test_unanswered_question_keeps_what_was_offered_and_chosen(database_url: str) -> None:
    records = KnowledgeRecords(Database.connect(database_url))
    records.record_unanswered("truc bizarre avec mon compte", "fr", ["forgot-password", "user-roles"], "c1")
    assert records.record_choice("c1", "user-roles")
    assert not records.record_choice("c1", "forgot-password"), "only the first choice counts"
    assert not records.record_choice("other-conversation", "user-roles")
    [row] = records.unanswered()
    assert (row.text, row.language, row.chosen) == ("truc bizarre avec mon compte", "fr", "user-roles")
    assert json.loads(row.offered) == ["forgot-password", "user-roles"]


def test_a_password_in_an_unanswered_question_is_masked(database_url: str) -> None:
    records = KnowledgeRecords(Database.connect(database_url))
    records.record_unanswered("mon mot de passe est Soleil2024! ne marche pas", "fr", [], "c1")
    assert "Soleil2024" not in records.unanswered()[0].text
