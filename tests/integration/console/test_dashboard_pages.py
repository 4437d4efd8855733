"""The dashboard page as staff and admins reach it: who may open it, its period, its CSV files, its links to the
knowledge base, and what it says when Rasa's tracker store cannot be read."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.database import make_engine
from bot.knowledge.articles import load_article
from bot.knowledge.records import KnowledgeRecords
from bot.tickets.store import TicketStore
from tests.integration.console.support import ADMIN, STAFF, csrf_token, log_in
from tests.support import activity as seed

NOW = datetime.now(timezone.utc)


@pytest.fixture
def activity(store: TicketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> seed.Activity:
    """Two weeks of activity in the ticket store and in a tracker store the console finds as Rasa's."""
    tracker_url = f"sqlite:///{tmp_path / 'tracker.db'}"
    monkeypatch.setenv("TRACKER_STORE_URL", tracker_url)
    monkeypatch.delenv("RASA_ENDPOINTS", raising=False)
    made = seed.random_activity(NOW.date() - timedelta(days=13), NOW.date(), 150, now=NOW)
    tracker = make_engine(tracker_url)
    seed.write(made, store.database.engine, tracker)
    tracker.dispose()
    return made


@pytest.fixture
def app(admin_app: Flask) -> Flask:
    return admin_app


def signed_in(app: Flask, email: str = STAFF) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, email=email).status_code == 302
    return client


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_staff_open_the_dashboard_and_partners_cannot(app: Flask, activity: seed.Activity) -> None:
    assert app.test_client().get("/dashboard").headers["Location"].startswith("/login")
    page = signed_in(app).get("/dashboard")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"  # partners' questions are on it
    text = page.get_data(as_text=True)
    assert re.search(r'id="summary-conversations">(\d+)<', text).group(1) == str(len(activity.conversations))
    assert text.count("<svg") >= 9 and "<script" not in text  # drawn on the server, no script


def test_each_chart_downloads_as_csv_for_the_period_shown(app: Flask, activity: seed.Activity) -> None:
    client = signed_in(app)
    first = (NOW.date() - timedelta(days=6)).isoformat()
    rows = rows_of(client.get(f"/dashboard/conversations.csv?from={first}&to={NOW.date().isoformat()}"))
    assert rows[0] == ["Day", "Conversations", "Answered by an article, no ticket", "Bot unsure", "Ended in a ticket"]
    expected = seed.per_day(activity)
    for day, *counts in rows[1:]:
        assert tuple(map(int, counts)) == expected.get(datetime.fromisoformat(day).date(), (0, 0, 0, 0))
    assert [row[0] for row in rows[1:]][0] == first and len(rows) == 8
    page = client.get(f"/dashboard?from={first}&to={NOW.date().isoformat()}").get_data(as_text=True)
    assert f"/dashboard/languages.csv?from={first}&amp;to={NOW.date().isoformat()}" in page
    assert client.get("/dashboard/nothing.csv").status_code == 404


def test_a_question_that_looks_like_a_formula_is_text_in_the_csv(app: Flask, store: TicketStore) -> None:
    KnowledgeRecords(store.database).record_unanswered('=HYPERLINK("http://evil.example")', "en", [], "c1")
    rows = rows_of(signed_in(app).get("/dashboard/unanswered.csv?days=7"))
    assert rows[1][0].startswith("'=")


def test_dates_that_make_no_period_are_refused_in_the_console_language(app: Flask) -> None:
    client = signed_in(app)
    page = client.get("/dashboard?from=2026-12-10&to=2026-12-01")
    assert page.status_code == 400 and "The first day comes after the last one." in page.get_data(as_text=True)
    token = csrf_token(client, "/dashboard")
    client.post("/language", data={"language": "fr", "next": "/dashboard", "csrf_token": token})
    page = client.get("/dashboard?from=1er+décembre&to=2026-12-01").get_data(as_text=True)
    assert "Les dates s'écrivent AAAA-MM-JJ." in html.unescape(page)
    assert client.get("/dashboard/outcomes.csv?from=2025-01-01&to=2026-12-01").status_code == 400  # over a year


def test_without_rasas_tracker_store_the_page_says_what_it_counts(
    app: Flask, store: TicketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'never-started.db'}")
    KnowledgeRecords(store.database).record_answer("forgot-password", "fr", "c1")
    text = signed_in(app).get("/dashboard?days=7").get_data(as_text=True)
    assert "conversation store could not be read" in text
    assert re.search(r'id="summary-conversations">(\d+)<', text).group(1) == "1"


def test_an_admin_adds_an_unanswered_question_as_an_example_from_the_dashboard(
    app: Flask, store: TicketStore, kb_dir: Path
) -> None:
    records = KnowledgeRecords(store.database)
    for text in ("mot de passe oublié pour QuantumPlus", "mot de passe oublie pour quantumplus"):
        records.record_unanswered(text, "fr", [], "c1")
    staff_page = signed_in(app).get("/dashboard?days=7").get_data(as_text=True)
    assert "Add as example" not in staff_page  # staff see the group, only admins change the knowledge base
    client = signed_in(app, ADMIN)
    page = client.get("/dashboard?days=7").get_data(as_text=True)
    assert page.count("mot de passe oubli") >= 1
    action = re.search(r'action="(/knowledge/unanswered/(\d+)/example)"', page)
    token = csrf_token(client, "/dashboard")
    answer = client.post(
        action.group(1), data={"article_id": "forgot-password", "back": "dashboard", "csrf_token": token}
    )
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/dashboard")
    examples = load_article(kb_dir / "forgot-password.yml").text("fr").examples
    assert "mot de passe oublie pour quantumplus" in examples  # the latest wording of the group
