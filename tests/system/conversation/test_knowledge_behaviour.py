"""Knowledge-base behaviour through the real servers: live answers, feedback, suggestions, privacy, prefill."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest
import yaml

from tests.system.conversation.chat import Assistant, articles, buttons, texts

pytestmark = pytest.mark.model


def test_an_answer_edited_on_disk_is_served_without_retraining(assistant: Assistant, sender: str) -> None:
    path = assistant.knowledge_dir / "forgot-password.yml"
    original = path.read_text(encoding="utf-8")
    content = yaml.safe_load(original)
    content["en"]["answer"] = "Edited by an admin: use the Forgot password link on the login page."
    try:
        path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        replies = assistant.send(sender, "I forgot my password, how do I reset it?")
        assert articles(replies) == ["forgot-password"]
        assert "Edited by an admin" in texts(replies)
    finally:
        path.write_text(original, encoding="utf-8")


def test_helpful_feedback_is_stored_per_article(assistant: Assistant, sender: str) -> None:
    before = assistant.records.feedback_counts().get("user-roles", (0, 0))
    assistant.send(sender, "what can a reader do on our profile?")
    assert "Glad" in texts(assistant.send(sender, "/affirm"))
    assistant.send(sender, "what can a reader do on our profile?")
    offer = assistant.send(sender, "/deny")
    assert "/request_support" in {b["payload"] for b in buttons(offer)}
    assert assistant.records.feedback_counts()["user-roles"] == (before[0] + 1, before[1] + 1)


def test_unsure_question_gets_suggestions_and_is_recorded(assistant: Assistant, sender: str) -> None:
    replies = assistant.send(sender, "problème de profil")
    offered = [
        json.loads(b["payload"].split("/choose_article", 1)[1])["article"]
        for b in buttons(replies)
        if b["payload"].startswith("/choose_article")
    ]
    assert articles(replies) == [], "below the threshold the bot does not guess"
    assert 1 <= len(offered) <= 3
    chosen = offered[0]
    answer = assistant.send(sender, "/choose_article" + json.dumps({"article": chosen}))
    assert articles(answer) == [chosen]
    row = next(r for r in assistant.records.unanswered() if r.conversation_id == sender)
    assert row.text == "problème de profil" and row.chosen == chosen and json.loads(row.offered) == offered


def test_out_of_scope_offers_no_article_but_is_recorded(assistant: Assistant, sender: str) -> None:
    replies = assistant.send(sender, "can you recommend a good restaurant in Nairobi?")
    assert not [b for b in buttons(replies) if b["payload"].startswith("/choose_article")]
    assert articles(replies) == []


def test_a_typed_password_is_masked_and_the_partner_warned(assistant: Assistant, sender: str, tmp_path) -> None:
    replies = assistant.send(sender, "je n'arrive pas à me connecter, mon mot de passe est Soleil2024!")
    assert "ne communiquez jamais" in texts(replies)
    tracker_db = assistant.knowledge_dir.parent / "tracker.db"
    with sqlite3.connect(tracker_db) as connection:
        stored = [row[0] for row in connection.execute("select data from events where sender_id = ?", (sender,))]
    assert stored and not any("Soleil2024" in data for data in stored)


def test_a_ticket_after_a_duplicate_profile_answer_has_its_issue_type_filled(assistant: Assistant, sender: str) -> None:
    answer = assistant.send(sender, "we registered our organisation twice by mistake, how do we delete one?")
    assert articles(answer) == ["duplicate-profile"]
    assert "/request_support" in {b["payload"] for b in buttons(answer)}
    for message in ["/request_support", "Kindu Women Network", "https://www.unpartnerportal.org/profile/99/overview"]:
        last = assistant.send(sender, message)
    assert "describe" in texts(last).casefold(), "the issue type is not asked again"
    assistant.send(sender, "Please delete profile 100, we keep 99.")
    summary = texts(assistant.send(sender, "kwn@example.org"))
    assert "Delete a duplicate profile" in summary
