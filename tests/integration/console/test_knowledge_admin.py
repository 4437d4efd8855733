"""The admins' knowledge pages: who may see them, article list, edits, unanswered questions, Publish."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.knowledge import KnowledgeBase
from bot.knowledge.records import KnowledgeRecords
from bot.settings import PROJECT_ROOT, get_settings
from bot.tickets.store import TicketStore
from bot.training.publishing import PublishJob
from tests.integration.console.support import ADMIN, PASSWORD, STAFF, edit_form

QUESTION_ID = 1  # the first unanswered question recorded in a test
KNOWLEDGE = PROJECT_ROOT / "knowledge"  # the fake steps read nothing there


@pytest.fixture
def records(store: TicketStore) -> KnowledgeRecords:
    return KnowledgeRecords(store.database)


@pytest.fixture
def app(admin_app: Flask) -> Flask:
    return admin_app


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The session's CSRF token, from any page with a form (the login page sends a logged-in user on)."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client: FlaskClient, email: str = ADMIN) -> FlaskClient:
    token = csrf_token(client)
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def admin(app: Flask) -> FlaskClient:
    return log_in(app.test_client())


PAGES = ["/knowledge", "/knowledge/new", "/knowledge/forgot-password", "/knowledge/unanswered"]
PAGES += ["/knowledge/publish", "/knowledge/publish/status"]
POSTS = ["/knowledge/new", "/knowledge/forgot-password", f"/knowledge/unanswered/{QUESTION_ID}/example"]
POSTS += ["/knowledge/publish"]


def test_only_admins_reach_the_knowledge_pages(app: Flask, records: KnowledgeRecords) -> None:
    records.record_unanswered("une question", "fr", [], "c1")
    anonymous = app.test_client()
    token = csrf_token(anonymous)
    for path in PAGES:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    for path in POSTS:
        response = anonymous.post(path, data={"csrf_token": token, "article_id": "user-roles"})
        assert response.status_code == 302 and "/login" in response.headers["Location"], path

    staff = log_in(app.test_client(), STAFF)
    token = csrf_token(staff, "/login")
    for path in PAGES:
        assert staff.get(path).status_code == 403, path
    for path in POSTS:
        assert staff.post(path, data={"csrf_token": token, "article_id": "user-roles"}).status_code == 403, path
    assert "une question" not in (Path(get_settings().knowledge_dir) / "user-roles.yml").read_text(encoding="utf-8")

    client = admin(app)
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_a_post_without_csrf_token_is_refused(app: Flask) -> None:
    client = admin(app)
    form = edit_form(client, "forgot-password")
    del form["csrf_token"]
    assert client.post("/knowledge/forgot-password", data=form).status_code == 400


def test_the_list_shows_titles_votes_and_answer_counts(app: Flask, records: KnowledgeRecords) -> None:
    for helpful in (True, True, False):
        records.record_feedback("forgot-password", helpful, "fr", "c1")
    for conversation in ("c1", "c2", "c3", "c4"):
        records.record_answer("forgot-password", "fr", conversation)
    records.record_answer("user-roles", "en", "c5")
    assert records.answer_counts() == {"forgot-password": 4, "user-roles": 1}
    page = admin(app).get("/knowledge").get_data(as_text=True)
    row = re.search(r"<tr>\s*<td><a href=\"/knowledge/forgot-password\">.*?</tr>", page, re.S).group(0)
    assert "Mot de passe UNPP oublié" in row and "Forgotten UNPP password" in row
    assert '<td class="votes-yes">2</td>' in row and '<td class="votes-no">1</td>' in row
    assert '<td class="answers">4</td>' in row
    roles = re.search(r"<tr>\s*<td><a href=\"/knowledge/user-roles\">.*?</tr>", page, re.S).group(0)
    assert '<td class="votes-yes">0</td>' in roles and '<td class="answers">1</td>' in roles


def test_an_edit_is_saved_and_served_at_once(app: Flask, kb_dir: Path) -> None:
    client = admin(app)
    form = edit_form(client, "forgot-password")
    assert form["en.title"] == "Forgotten UNPP password" and form["related"]
    form["en.answer"] = "Click “Forgot password” on the login page.\r\nThen check your spam folder."
    form["en.examples"] += "\r\nI lost my password again"
    response = client.post("/knowledge/forgot-password", data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The answer text is live at once" in page and "Publish" in page
    assert "You changed example questions" in page
    article = KnowledgeBase(kb_dir).get("forgot-password")
    assert article.text("en").answer == "Click “Forgot password” on the login page.\nThen check your spam folder."
    assert article.text("en").examples[-1] == "I lost my password again"
    assert article.text("fr").title == "Mot de passe UNPP oublié", "the other language is kept"
    text = (kb_dir / "forgot-password.yml").read_text(encoding="utf-8")
    assert "  answer: |\n    Click “Forgot password” on the login page.\n" in text
    assert text.index("\nsource:") < text.index("\nrelated:") < text.index("\nfr:") < text.index("\nen:")


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("fr.answer", "   ", "forgot-password.yml: field &#39;fr.answer&#39; is empty"),
        ("related", "user-roles, nowhere", "field &#39;related&#39; names unknown article &#39;nowhere&#39;"),
        ("en.examples", "who is our admin?", "field &#39;en.examples&#39; repeats &#39;who is our admin?&#39;"),
    ],
)
def test_an_invalid_edit_is_refused_with_the_field_named(
    app: Flask, kb_dir: Path, field: str, value: str, problem: str
) -> None:
    before = (kb_dir / "forgot-password.yml").read_bytes()
    client = admin(app)
    form = edit_form(client, "forgot-password")
    form["en.title"] = "My unsaved title"
    form[field] = value
    response = client.post("/knowledge/forgot-password", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The article was not saved" in page and problem in page
    assert f'id="{field}" name="{field}"' in page and 'class="invalid"' in page
    assert 'value="My unsaved title"' in page, "the admin's text stays in the form"
    assert (kb_dir / "forgot-password.yml").read_bytes() == before


def test_an_unknown_article_is_404(app: Flask) -> None:
    client = admin(app)
    assert client.get("/knowledge/no-such-article").status_code == 404
    assert client.get("/knowledge/Not_An_Id").status_code == 404


def test_an_unanswered_question_becomes_an_example(app: Flask, kb_dir: Path, records: KnowledgeRecords) -> None:
    records.record_unanswered("Comment changer le rôle d'un collègue ?", "fr", ["user-roles"], "c1")
    client = admin(app)
    page = client.get("/knowledge/unanswered").get_data(as_text=True)
    assert "Comment changer le rôle d&#39;un collègue ?" in page
    token = csrf_token(client, "/knowledge/unanswered")
    response = client.post(
        f"/knowledge/unanswered/{QUESTION_ID}/example",
        data={"csrf_token": token, "article_id": "user-roles"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Added as an example of user-roles" in page
    assert "Example of user-roles" in page, "the question shows as handled"
    article = KnowledgeBase(kb_dir).get("user-roles")
    assert article.text("fr").examples[-1] == "Comment changer le rôle d'un collègue ?"
    assert "Comment changer" not in " ".join(article.text("en").examples)
    pending = client.get("/knowledge/unanswered?pending=1").get_data(as_text=True)
    assert "Comment changer le rôle" not in pending


def test_a_question_used_by_another_article_is_not_added(app: Flask, kb_dir: Path, records: KnowledgeRecords) -> None:
    records.record_unanswered("who is our admin?", "en", [], "c1")
    before = (kb_dir / "user-roles.yml").read_bytes()
    client = admin(app)
    token = csrf_token(client, "/knowledge/unanswered")
    page = client.post(
        f"/knowledge/unanswered/{QUESTION_ID}/example",
        data={"csrf_token": token, "article_id": "user-roles"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Not added to user-roles" in page and "find-my-administrator.yml" in page
    assert (kb_dir / "user-roles.yml").read_bytes() == before


def test_most_frequent_questions_come_first(app: Flask, records: KnowledgeRecords) -> None:
    records.record_unanswered("Ma question rare", "fr", [], "c1")
    for text in ("Where is the  PSEA module", "where is the psea module", "WHERE IS THE PSEA MODULE  "):
        records.record_unanswered(text, "en", [], "c2")
    records.record_unanswered("La toute dernière question", "fr", [], "c3")
    client = admin(app)
    newest = client.get("/knowledge/unanswered").get_data(as_text=True)
    assert newest.index("La toute dernière question") < newest.index("Ma question rare")
    frequent = client.get("/knowledge/unanswered?order=frequent").get_data(as_text=True)
    assert frequent.index("WHERE IS THE PSEA MODULE") < frequent.index("La toute dernière question")
    assert frequent.count("PSEA MODULE") == 1 and frequent.lower().count("where is the psea module") == 1
    assert '<td class="count">3</td>' in frequent
    [top, *_] = records.frequent_unanswered()
    assert (top.count, top.latest.text) == (3, "WHERE IS THE PSEA MODULE  ")


def test_partner_text_in_an_unanswered_question_is_escaped(app: Flask, records: KnowledgeRecords) -> None:
    records.record_unanswered("<script>alert(1)</script>", "en", [], "c1")
    client = admin(app)
    for path in ("/knowledge/unanswered", "/knowledge/unanswered?order=frequent", "/knowledge/new?question=1"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_a_new_article_from_an_unanswered_question(app: Flask, kb_dir: Path, records: KnowledgeRecords) -> None:
    records.record_unanswered("How do I close our UNPP account?", "en", [], "c1")
    client = admin(app)
    page = client.get(f"/knowledge/new?question={QUESTION_ID}").get_data(as_text=True)
    assert re.search(r'name="en.examples"[^>]*>How do I close our UNPP account\?</textarea>', page)
    form = {
        "csrf_token": csrf_token(client, "/knowledge/new"),
        "id": "close-account",
        "source.guide": "unpp-facts",
        "source.section": "Account",
        "related": "contact-support",
        "ticket_issue_type": "account_access",
        "fr.title": "Fermer le compte",
        "fr.answer": "Écrivez au service d'aide.",
        "fr.examples": "comment fermer notre compte UNPP",
        "en.title": "Closing the account",
        "en.answer": "Write to the help desk.",
        "en.examples": "How do I close our UNPP account?",
    }
    response = client.post("/knowledge/new", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith("/knowledge/close-account")
    article = KnowledgeBase(kb_dir).get("close-account")
    assert article.ticket_issue_type == "account_access" and article.related == ("contact-support",)
    assert article.text("en").examples == ("How do I close our UNPP account?",)
    assert "close-account" in client.get("/knowledge").get_data(as_text=True)


@pytest.mark.parametrize(("article_id", "problem"), [("Close Account", "kebab-case"), ("user-roles", "already used")])
def test_a_new_article_needs_a_free_kebab_case_id(app: Flask, kb_dir: Path, article_id: str, problem: str) -> None:
    before = (kb_dir / "user-roles.yml").read_bytes()
    client = admin(app)
    form = {"csrf_token": csrf_token(client, "/knowledge/new"), "id": article_id, "fr.title": "Titre gardé"}
    response = client.post("/knowledge/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and problem in page and 'value="Titre gardé"' in page
    assert (kb_dir / "user-roles.yml").read_bytes() == before


class Training:
    """Training that waits for the test, so the page can be seen while it runs."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, directory, on_line) -> None:
        on_line("Epochs:  42%|████▏     | 42/100")
        self.started.set()
        assert self.release.wait(10)


def test_publish_runs_in_the_background_and_reports_progress(app: Flask) -> None:
    training, loaded = Training(), []
    job = PublishJob(
        knowledge_dir=KNOWLEDGE,
        rasa_url="http://127.0.0.1:5005",
        check=lambda directory: None,
        build=lambda directory: None,
        train=training,
        load=loaded.append,
    )
    app.extensions["knowledge_publisher"] = job
    client = admin(app)
    idle = client.get("/knowledge/publish/status").get_json()
    assert idle["stage"] == "idle" and not idle["running"]
    token = csrf_token(client, "/knowledge/publish")
    page = client.post("/knowledge/publish", data={"csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "Publication started" in page
    assert 'src="/static/console/publish.js"' in page and "<script>" not in page
    assert training.started.wait(10)
    status = client.get("/knowledge/publish/status").get_json()
    assert status["stage"] == "training" and status["running"] and status["label"] == "Training the model"
    assert status["last_line"] == "Epochs:  42%|████▏     | 42/100" and status["elapsed_text"].endswith(" s")
    assert [s["state"] for s in status["stages"]] == ["done", "done", "current", "waiting"]
    again = client.post("/knowledge/publish", data={"csrf_token": token}, follow_redirects=True)
    assert "already running" in again.get_data(as_text=True)
    training.release.set()
    assert job.wait(10).stage == "done"
    done = client.get("/knowledge/publish/status").get_json()
    assert done["stage"] == "done" and not done["running"] and loaded
    assert [s["state"] for s in done["stages"]] == ["done"] * 4


def test_a_failed_publication_shows_its_reason(app: Flask) -> None:
    def refuse(url: str) -> None:
        from bot.training.publishing import ModelRefused

        raise ModelRefused("400 Bad request: <model> not found")

    job = PublishJob(
        knowledge_dir=KNOWLEDGE,
        rasa_url="http://127.0.0.1:5005",
        check=lambda d: None,
        build=lambda d: None,
        train=lambda d, on_line: None,
        load=refuse,
    )
    app.extensions["knowledge_publisher"] = job
    job.run()
    client = admin(app)
    status = client.get("/knowledge/publish/status").get_json()
    assert status["stage"] == "failed" and status["failed_at"].startswith("Loading the new model")
    assert status["reason"] == "The Rasa server refused the model: 400 Bad request: <model> not found"
    assert [s["state"] for s in status["stages"]] == ["done", "done", "done", "failed"]
    page = client.get("/knowledge/publish").get_data(as_text=True)
    assert "400 Bad request: &lt;model&gt; not found" in page


def test_the_pages_speak_french(app: Flask) -> None:
    client = admin(app)
    client.get("/knowledge", headers={"Accept-Language": "fr"})
    page = client.get("/knowledge", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Questions sans réponse" in page and "Réponses données" in page
    publish = client.get("/knowledge/publish/status", headers={"Accept-Language": "fr"}).get_json()
    assert publish["label"] == "Aucune publication depuis le démarrage de la console"
