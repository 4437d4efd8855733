"""Article history and drafts in the console: every save is a revision with its author, two revisions compare
per language, a restore is itself a revision, a draft stays away from partners until it is published."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.knowledge.history import ArticleHistory
from bot.tickets.store import TicketStore
from tests.integration.console.support import ADMIN, STAFF, csrf_token, edit_form, log_in

ARTICLE = "psea-assessment"
ADDED = "Nouveau : la session d'information a lieu chaque premier mardi du mois."


@pytest.fixture
def app(admin_app: Flask) -> Flask:
    return admin_app


@pytest.fixture
def history(store: TicketStore) -> ArticleHistory:
    return ArticleHistory(store.database)


def signed_in(app: Flask, email: str = ADMIN) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, email=email).status_code == 302
    return client


def post_form(client: FlaskClient, changes: dict[str, str], intent: str = "save", query: str = ""):
    form = edit_form(client, ARTICLE + query)
    form.update(changes, intent=intent, csrf_token=csrf_token(client, f"/knowledge/{ARTICLE}"))
    return client.post(f"/knowledge/{ARTICLE}", data=form)


def live(kb_dir: Path) -> str:
    return (kb_dir / f"{ARTICLE}.yml").read_text(encoding="utf-8")


def test_a_save_is_a_revision_by_its_author_with_its_note(app: Flask, kb_dir: Path, history: ArticleHistory) -> None:
    client = signed_in(app)
    original = live(kb_dir)
    answer = edit_form(client, ARTICLE)["fr.answer"]
    assert post_form(client, {"fr.answer": answer + "\n" + ADDED, "note": "date of the session"}).status_code == 302
    newest, first = history.revisions(ARTICLE)[:2]
    assert (first.number, first.author, first.content) == (1, "file", original)  # as found before the edit
    assert (newest.number, newest.author, newest.kind, newest.note) == (2, ADMIN, "console", "date of the session")
    assert newest.content == live(kb_dir) and ADDED in newest.content
    page = client.get(f"/knowledge/{ARTICLE}/history").get_data(as_text=True)
    assert ADMIN in page and "date of the session" in page and "saved in the console" in page


def test_two_revisions_compare_per_language_and_a_restore_is_a_new_revision(
    app: Flask, kb_dir: Path, history: ArticleHistory
) -> None:
    client = signed_in(app)
    original = live(kb_dir)
    form = edit_form(client, ARTICLE)
    post_form(client, {"fr.answer": form["fr.answer"] + "\n" + ADDED, "en.examples": form["en.examples"] + "\nPSEA?"})
    page = client.get(f"/knowledge/{ARTICLE}/history/compare?a=1&b=2").get_data(as_text=True)
    sections = dict(re.findall(r'data-language="(\w*)" data-field="(\w+)"', page))
    assert sections == {"fr": "answer", "en": "examples"}
    assert f"<ins>{ADDED}</ins>".replace("'", "&#39;") in page and "<ins>PSEA?</ins>" in page

    token = csrf_token(client, f"/knowledge/{ARTICLE}")
    assert client.post(f"/knowledge/{ARTICLE}/history/1/restore", data={"csrf_token": token}).status_code == 302
    assert live(kb_dir) == original  # exactly the text that was live then
    restored = history.revisions(ARTICLE)[0]
    assert (restored.number, restored.kind, restored.author) == (3, "restore", ADMIN)
    assert restored.note == "Restored revision 1"
    assert [r.number for r in history.revisions(ARTICLE)] == [3, 2, 1]  # nothing is lost: revision 2 is still there


def test_a_file_changed_outside_the_console_is_a_revision_when_the_console_next_reads_it(
    app: Flask, kb_dir: Path, history: ArticleHistory
) -> None:
    client = signed_in(app)
    client.get("/knowledge")
    path = kb_dir / f"{ARTICLE}.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("PSEA", "PSEA (SEA)", 1), encoding="utf-8")
    client.get("/knowledge")
    newest = history.revisions(ARTICLE)[0]
    assert (newest.number, newest.author, newest.kind) == (2, "file", "file")
    assert "PSEA (SEA)" in newest.content


def test_a_draft_is_kept_aside_previewed_by_staff_refused_to_partners_then_published(
    app: Flask, kb_dir: Path, history: ArticleHistory
) -> None:
    client = signed_in(app)
    original = live(kb_dir)
    answer = edit_form(client, ARTICLE)["en.answer"]
    saved = post_form(client, {"en.answer": answer + "\nDraft: sessions every Tuesday.", "note": "new dates"}, "draft")
    assert saved.status_code == 302 and saved.headers["Location"].endswith("?draft=1")
    assert live(kb_dir) == original  # partners still get the published answer
    assert "Draft: sessions every Tuesday." in client.get(f"/knowledge/{ARTICLE}?draft=1").get_data(as_text=True)
    assert "draft waiting" in client.get("/knowledge").get_data(as_text=True)

    preview = f"/knowledge/{ARTICLE}/draft/preview?lang=en"
    assert "/login" in app.test_client().get(preview).headers["Location"]  # a partner, not logged in
    page = signed_in(app, STAFF).get(preview)
    assert page.status_code == 200 and "Draft: sessions every Tuesday." in page.get_data(as_text=True)
    assert signed_in(app, STAFF).get(f"/knowledge/{ARTICLE}/history").status_code == 403  # history: admins

    token = csrf_token(client, f"/knowledge/{ARTICLE}")
    assert client.post(f"/knowledge/{ARTICLE}/draft/publish", data={"csrf_token": token}).status_code == 302
    assert "Draft: sessions every Tuesday." in live(kb_dir)
    assert history.draft(ARTICLE) is None
    newest = history.revisions(ARTICLE)[0]
    assert (newest.kind, newest.author, newest.note) == ("draft", ADMIN, "new dates")


def test_a_draft_made_before_another_change_is_not_published_over_it(
    app: Flask, kb_dir: Path, history: ArticleHistory
) -> None:
    client = signed_in(app)
    answer = edit_form(client, ARTICLE)["fr.answer"]
    post_form(client, {"fr.answer": answer + "\nBrouillon."}, "draft")
    post_form(client, {"fr.answer": answer + "\n" + ADDED})  # someone saves the live text meanwhile
    token = csrf_token(client, f"/knowledge/{ARTICLE}")
    refused = client.post(f"/knowledge/{ARTICLE}/draft/publish", data={"csrf_token": token})
    assert refused.headers["Location"].endswith("?draft=1")
    assert "Brouillon." not in live(kb_dir) and ADDED in live(kb_dir)
    assert history.draft(ARTICLE) is not None  # kept, to be published knowingly from the form
    # From the draft's form, Save (after the warning) replaces the other change knowingly.
    first = post_form(client, {}, query="?draft=1")
    assert first.status_code == 422
    version = re.search(r'name="version" value="([^"]*)"', first.get_data(as_text=True)).group(1)
    again = post_form(client, {"version": version, "from_draft": "1"}, query="?draft=1")
    assert again.status_code == 302 and "Brouillon." in live(kb_dir) and history.draft(ARTICLE) is None


def test_discarding_a_draft_leaves_the_article_as_it_is(app: Flask, kb_dir: Path, history: ArticleHistory) -> None:
    client = signed_in(app)
    original = live(kb_dir)
    post_form(client, {"fr.title": "Un autre titre"}, "draft")
    token = csrf_token(client, f"/knowledge/{ARTICLE}")
    client.post(f"/knowledge/{ARTICLE}/draft/discard", data={"csrf_token": token})
    assert history.draft(ARTICLE) is None and live(kb_dir) == original
    assert client.get(f"/knowledge/{ARTICLE}/draft/preview").status_code == 404
