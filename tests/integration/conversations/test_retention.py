"""`helpdesk purge-transcripts`: conversations quiet for longer than the retention period leave Rasa's tracker
store (and so the console), the others stay whole. On SQLite and on the local PostgreSQL server, in a store
built by Rasa's own tracker-store class so the schema is Rasa's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import cli
from bot.accounts.users import create_staff_user
from bot.console import create_app
from bot.conversations.retention import events
from bot.conversations.transcripts import transcript
from bot.database import Database
from bot.migrations import upgrade
from bot.rasa_server.tracker_store import MaskingSQLTrackerStore
from bot.tickets.store import TicketStore
from tests.integration.console.support import PASSWORD, log_in
from tests.support.services import postgres_database
from tests.support.settings import console_settings, settings_with
from tests.support.tickets import add_ticket

DAY = 86_400
NOW = time.time()


@dataclass
class TrackerStore:
    rasa: MaskingSQLTrackerStore
    endpoints: Path

    def save(self, sender: str, said: list[tuple[str, str, float]]) -> None:
        """A conversation as Rasa stores it: a session start, then each (speaker, text, days ago)."""
        first = NOW - said[0][2] * DAY
        history: list[Event] = [
            ActionExecuted("action_session_start", timestamp=first - 2),
            SessionStarted(timestamp=first - 1),
            ActionExecuted("action_listen", timestamp=first - 1),
        ]
        for speaker, text, days_ago in said:
            at = NOW - days_ago * DAY
            if speaker == "partner":
                history.append(UserUttered(text, {"name": "faq"}, timestamp=at))
            else:
                history += [BotUttered(text, timestamp=at), ActionExecuted("action_listen", timestamp=at)]
        asyncio.run(self.rasa.save(DialogueStateTracker.from_events(sender, history)))

    def count(self, sender: str) -> int:
        with self.rasa.engine.connect() as connection:
            query = select(func.count()).select_from(events).where(events.c.sender_id == sender)
            return connection.execute(query).scalar_one()


def _endpoints(path: Path, store: dict) -> Path:
    store_type = "bot.rasa_server.tracker_store.MaskingSQLTrackerStore"
    path.write_text(yaml.safe_dump({"tracker_store": {"type": store_type, **store}}))
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def tracker_store(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TrackerStore]:
    """An empty tracker store made by Rasa's class, and RASA_ENDPOINTS pointing at it (as the console finds it)."""
    if request.param == "sqlite":
        db = str(tmp_path / "tracker.db")
        rasa = MaskingSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=db)
        endpoints = _endpoints(tmp_path / "endpoints.yml", {"dialect": "sqlite", "db": db})
        monkeypatch.setenv("RASA_ENDPOINTS", str(endpoints))
        yield TrackerStore(rasa, endpoints)
        rasa.engine.dispose()
        return
    for url in postgres_database():  # a database of its own for this test, dropped afterwards
        parts = make_url(url)
        settings = {"url": parts.host, "port": parts.port, "db": parts.database, "username": parts.username}
        rasa = MaskingSQLTrackerStore(domain=Domain.empty(), dialect="postgresql", **settings)
        endpoints = _endpoints(tmp_path / "endpoints.yml", {"dialect": "postgresql", **settings})
        monkeypatch.setenv("RASA_ENDPOINTS", str(endpoints))
        try:
            yield TrackerStore(rasa, endpoints)
        finally:
            rasa.engine.dispose()


@pytest.fixture
def console(tmp_path: Path, tracker_store: TrackerStore) -> tuple[FlaskClient, TicketStore]:
    """The staff console, logged in, on a ticket store of its own, started once RASA_ENDPOINTS names the tracker."""
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    upgrade(url)
    tickets = TicketStore(Database.connect(url))
    settings = console_settings()
    app = create_app(settings, tickets)
    app.config.update(TESTING=True)
    create_staff_user(tickets.database, "agent@helpdesk.org", PASSWORD, role="staff")
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client, tickets


def _conversations(store: TrackerStore) -> dict[str, str]:
    """Three partners: one gone quiet 200 days ago, one who started then and wrote again two days ago, one today."""
    key = uuid.uuid4().hex[:8]
    ids = {name: f"{name}-{key}" for name in ("old", "live", "recent")}
    store.save(
        ids["old"],
        [("partner", "Je n'arrive pas à me connecter", 200.0), ("bot", "Réinitialisez votre mot de passe.", 200.0)],
    )
    store.save(
        ids["live"],
        [
            ("partner", "How do I add a user?", 200.0),
            ("bot", "Open the Users page.", 200.0),
            ("partner", "And remove one?", 2.0),
            ("bot", "Use Remove on the same page.", 2.0),
        ],
    )
    store.save(ids["recent"], [("partner", "Profil en double", 0.05), ("bot", "Je crée une demande.", 0.05)])
    return ids


def _purge(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli.main(["purge-transcripts", *args]) == 0
    return capsys.readouterr().out


def test_old_conversations_leave_the_console_and_recent_ones_stay_whole(
    tracker_store: TrackerStore, console: tuple[FlaskClient, TicketStore], capsys: pytest.CaptureFixture[str]
) -> None:
    client, tickets = console
    ids = _conversations(tracker_store)
    pages = {name: add_ticket(tickets, name, conversation_id=sender).reference for name, sender in ids.items()}
    reading = settings_with(RASA_ENDPOINTS=str(tracker_store.endpoints))
    before = {name: transcript(sender, reading) for name, sender in ids.items()}
    assert [line.text for line in before["old"]] == [
        "Je n'arrive pas à me connecter",
        "Réinitialisez votre mot de passe.",
    ]
    assert "Je n&#39;arrive pas à me connecter" in client.get(f"/tickets/{pages['old']}").get_data(as_text=True)
    old_events = tracker_store.count(ids["old"])

    said = _purge(capsys, "--older-than-days", "90")

    assert f"Removed 1 conversation(s), {old_events} event(s)" in said and "older than 90 days" in said
    assert tracker_store.count(ids["old"]) == 0
    old_page = client.get(f"/tickets/{pages['old']}").get_data(as_text=True)
    assert "No conversation is stored for this ticket." in old_page and "arrive pas à me connecter" not in old_page
    # The live conversation keeps its 200-day-old start: a conversation goes whole or not at all.
    assert transcript(ids["live"], reading) == before["live"]
    live_page = client.get(f"/tickets/{pages['live']}").get_data(as_text=True)
    assert live_page.index("How do I add a user?") < live_page.index("Use Remove on the same page.")
    assert transcript(ids["recent"], reading) == before["recent"]
    assert "Profil en double" in client.get(f"/tickets/{pages['recent']}").get_data(as_text=True)
    # Nothing more to remove the second time.
    assert "Removed 0 conversation(s), 0 event(s)" in _purge(capsys, "--older-than-days", "90")


def test_a_dry_run_counts_and_removes_nothing(tracker_store: TrackerStore, capsys: pytest.CaptureFixture[str]) -> None:
    ids = _conversations(tracker_store)
    counts = {name: tracker_store.count(sender) for name, sender in ids.items()}

    said = _purge(capsys, "--older-than-days", "150", "--dry-run")

    assert f"Would remove 1 conversation(s), {counts['old']} event(s)" in said
    assert {name: tracker_store.count(sender) for name, sender in ids.items()} == counts
    # One day: only today's conversation is recent enough.
    said = _purge(capsys, "--older-than-days", "1", "--dry-run")
    assert f"Would remove 2 conversation(s), {counts['old'] + counts['live']} event(s)" in said


def test_the_period_comes_from_transcript_retention_days_else_90(
    tracker_store: TrackerStore, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _conversations(tracker_store)
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "365")
    assert "Removed 0 conversation(s)" in _purge(capsys)
    assert tracker_store.count(ids["old"]) > 0
    monkeypatch.delenv("TRANSCRIPT_RETENTION_DAYS")
    assert "older than 90 days" in _purge(capsys)
    assert tracker_store.count(ids["old"]) == 0 and tracker_store.count(ids["live"]) > 0


def test_refused_settings_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRANSCRIPT_RETENTION_DAYS", "0")
    assert cli.main(["purge-transcripts"]) == 2
    assert "TRANSCRIPT_RETENTION_DAYS must be a whole number of at least 1, got '0'" in capsys.readouterr().err
    assert cli.main(["purge-transcripts", "--older-than-days", "0"]) == 2
    monkeypatch.delenv("TRANSCRIPT_RETENTION_DAYS")
    in_memory = tmp_path / "memory.yml"
    in_memory.write_text(yaml.safe_dump({"tracker_store": {"type": "InMemoryTrackerStore"}}))
    monkeypatch.setenv("RASA_ENDPOINTS", str(in_memory))
    assert cli.main(["purge-transcripts"]) == 1
    assert "configures no SQL tracker store" in capsys.readouterr().err
    # A SQLite store Rasa has not created yet: nothing to do, and no empty file left behind.
    missing = tmp_path / "never-started.db"
    endpoints = _endpoints(tmp_path / "new.yml", {"dialect": "sqlite", "db": str(missing)})
    monkeypatch.setenv("RASA_ENDPOINTS", str(endpoints))
    assert "No conversation to purge" in _purge(capsys)
    assert not missing.exists()
