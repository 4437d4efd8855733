"""The ticket outbox: what a partner confirmed while the database was away reaches the store once, as promised.

On SQLite and on the local PostgreSQL server (the `store` fixture of tests/conftest.py); the action itself is
called the way the action server calls it, with a ticket store whose database is unreachable.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update

import actions.ticket_confirmation as confirmation
from bot.cli import main as helpdesk
from bot.database import Database, make_engine
from bot.migrations import upgrade
from bot.tickets.models import Ticket
from bot.tickets.offline_outbox import TicketOutbox, deliver, derived_reference, drain
from bot.tickets.reference import REFERENCE_PATTERN
from bot.tickets.store import TicketStore
from tests.support.actions import use_services
from tests.support.servers import free_port
from tests.support.settings import settings_with
from tests.support.tickets import new_ticket

CONFIRMED = datetime(2026, 3, 14, 9, 26, 53, tzinfo=timezone.utc)


@pytest.fixture
def outbox(tmp_path: Path) -> TicketOutbox:
    return TicketOutbox(tmp_path / "var" / "ticket-outbox.db")


@pytest.fixture
def unreachable_store() -> Iterator[TicketStore]:
    """A ticket store whose PostgreSQL server does not answer (nothing listens on the port)."""
    engine = make_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/gone")
    yield TicketStore(Database(engine))
    engine.dispose()


def fields_of(ticket: Ticket) -> dict[str, str | None]:
    names = ("organization_name", "profile_link", "profile_id", "issue_type", "description", "contact_email")
    return {name: getattr(ticket, name) for name in (*names, "language", "conversation_id", "client_address")}


EXPECTED = {
    "organization_name": "ONG Espoir",
    "profile_link": "https://www.unpartnerportal.org/profile/4821/overview",
    "profile_id": "4821",
    "issue_type": "non_editable_info",
    "description": "Le nom légal est faux.\nMerci de le corriger.",
    "contact_email": "contact@espoir.org",
    "language": "fr",
    "conversation_id": "conv-1",
    "client_address": "192.0.2.7",
}


# --- the outbox on its own ----------------------------------------------------------------------------------------


def test_an_outbox_reference_is_a_reference_of_its_own_that_never_meets_a_stored_ones_number() -> None:
    reference = derived_reference("HD", CONFIRMED, "conversation-1:draft")
    assert REFERENCE_PATTERN.match(reference)
    assert reference.startswith("HD-2026-") and len(reference.rsplit("-", 1)[1]) == 12
    assert not reference.rsplit("-", 1)[1].startswith("0")  # stored tickets are HD-2026-000042...
    assert derived_reference("HD", CONFIRMED, "conversation-1:draft") == reference  # the same key, the same one
    assert derived_reference("HD", CONFIRMED, "conversation-1:other") != reference


def test_an_entry_survives_a_restart_and_a_repeated_confirmation_keeps_the_first_one(outbox: TicketOutbox) -> None:
    first = outbox.put(new_ticket(), "conversation-1:draft", now=CONFIRMED)
    again = outbox.put(new_ticket(description="Texte changé entre-temps, ignoré"), "conversation-1:draft")
    assert again == first

    restarted = TicketOutbox(outbox.path)  # a new process reads the same file
    [entry] = restarted.pending()
    assert entry.reference == first.reference and entry.confirmed_at == CONFIRMED
    assert entry.ticket == new_ticket()
    assert outbox.path.stat().st_mode & 0o077 == 0  # partners' data: readable by the service only


def test_a_ticket_the_store_would_refuse_is_never_promised(outbox: TicketOutbox) -> None:
    with pytest.raises(ValueError, match="issue type"):
        outbox.put(new_ticket(issue_type="anything"), "conversation-1:draft")
    assert outbox.pending() == []


def test_the_outbox_counts_its_entries_for_the_ticket_limits(outbox: TicketOutbox) -> None:
    for n in range(3):
        outbox.put(new_ticket(n, conversation_id="same"), f"same:{n}", now=CONFIRMED + timedelta(minutes=n))
    since = CONFIRMED + timedelta(seconds=30)
    assert outbox.created_since(since, conversation_id="same") == 2
    assert outbox.created_since(since, client_address="192.0.2.7") == 2
    assert outbox.created_since(since, client_address="192.0.2.8") == 0


# --- delivery to the store ----------------------------------------------------------------------------------------


def test_a_drain_delivers_each_ticket_once_with_the_promised_reference(
    outbox: TicketOutbox, store: TicketStore
) -> None:
    store.create(new_ticket(9), submission_key="before-the-outage")  # the store's own numbering goes on
    promised = outbox.put(new_ticket(), "conversation-1:draft", now=CONFIRMED).reference

    result = drain(outbox, store)
    assert result.delivered == [promised] and result.waiting == {}
    ticket = store.by_reference(promised)
    assert fields_of(ticket) == EXPECTED
    assert ticket.created_at.replace(tzinfo=timezone.utc) == CONFIRMED  # when the partner confirmed
    assert [e.action for e in store.events(ticket.id)] == ["created"]
    assert outbox.pending() == []

    # A retried drain, or a late copy of the entry: still one ticket, same reference.
    assert drain(outbox, store).delivered == []
    outbox.put(new_ticket(), "conversation-1:draft", now=CONFIRMED)
    assert drain(outbox, store).delivered == [promised]
    assert store.count() == 2
    assert store.by_submission_key("before-the-outage").reference.endswith("-000001")


def test_two_drains_racing_store_every_ticket_once(outbox: TicketOutbox, store: TicketStore) -> None:
    promised = {outbox.put(new_ticket(n), f"conversation-{n}:draft").reference for n in range(12)}
    start = threading.Barrier(2)
    results = []

    def drain_now() -> None:
        start.wait()
        results.append(drain(outbox, store))

    racers = [threading.Thread(target=drain_now) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)

    assert all(result.waiting == {} for result in results), results
    assert store.count() == 12
    assert {ticket.reference for ticket in store.newest(100)} == promised
    assert outbox.pending() == []


def test_a_write_that_reached_the_database_unseen_ends_with_the_promised_reference(
    outbox: TicketOutbox, store: TicketStore
) -> None:
    """The database committed the ticket but the reply was lost: the partner only ever saw the outbox reference."""
    stored, _ = store.create(new_ticket(), submission_key="conversation-1:draft")
    promised = outbox.put(new_ticket(), "conversation-1:draft", now=CONFIRMED).reference
    assert deliver(store, outbox.pending()[0]).id == stored.id
    assert store.count() == 1 and store.by_reference(promised).id == stored.id


def test_a_taken_reference_keeps_the_entry_and_names_it(outbox: TicketOutbox, store: TicketStore) -> None:
    entry = outbox.put(new_ticket(), "conversation-1:draft", now=CONFIRMED)
    other, _ = store.create(new_ticket(2), submission_key="other")
    with store.sessions() as session:  # the one-in-a-trillion draw: another outbox ticket already has the number
        session.execute(update(Ticket).where(Ticket.id == other.id).values(reference=entry.reference))
        session.commit()

    result = drain(outbox, store)
    assert result.delivered == [] and "IntegrityError" in result.waiting[entry.reference]
    [kept] = outbox.pending()
    assert kept.attempts == 1 and "IntegrityError" in kept.last_error


def test_while_the_database_is_away_the_entries_wait(outbox: TicketOutbox, unreachable_store: TicketStore) -> None:
    references = [outbox.put(new_ticket(n), f"conversation-{n}:draft").reference for n in range(3)]
    result = drain(outbox, unreachable_store)
    assert result.delivered == [] and result.database_unreachable
    assert set(result.waiting) == set(references)
    # The drain stopped at the first refusal instead of knocking once per entry.
    assert [entry.attempts for entry in outbox.pending()] == [1, 0, 0]


def test_helpdesk_outbox_drain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database_url = f"sqlite:///{tmp_path / 'tickets.db'}"
    upgrade(database_url)
    monkeypatch.setenv("HELPDESK_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert helpdesk(["outbox", "drain"]) == 0
    assert "empty" in capsys.readouterr().out

    promised = TicketOutbox.from_settings(settings_with()).put(new_ticket(), "conversation-1:draft").reference
    monkeypatch.setenv("DATABASE_URL", f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/gone")
    assert helpdesk(["outbox", "drain"]) == 1
    assert f"Still in the outbox: {promised} (database unreachable" in capsys.readouterr().err

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert helpdesk(["outbox", "drain"]) == 0
    assert promised in capsys.readouterr().out
    engine = make_engine(database_url)
    assert fields_of(TicketStore(Database(engine)).by_reference(promised)) == EXPECTED
    engine.dispose()


# --- the confirmation action --------------------------------------------------------------------------------------


def confirmed_form(sender: str = "conv-1", language: str = "fr") -> Tracker:
    ticket = new_ticket(conversation_id=sender)
    slots = {
        "language": language,
        "organization_name": ticket.organization_name,
        "profile_link": ticket.profile_link,
        "issue_type": ticket.issue_type,
        "description": ticket.description,
        "contact_email": ticket.contact_email,
        "ticket_stage": "confirm",
        "ticket_draft_id": "draft",
    }
    return Tracker(
        sender_id=sender,
        slots=slots,
        latest_message={"text": "/affirm", "intent": {"name": "affirm"}, "metadata": {"client_address": "192.0.2.7"}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def submit(tracker: Tracker) -> tuple[list[dict], dict[str, object]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(confirmation.ActionSubmitTicket().run(dispatcher, tracker, {}))
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_a_confirmation_while_the_database_is_away_gets_its_final_reference(
    outbox: TicketOutbox, unreachable_store: TicketStore, store: TicketStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_services(monkeypatch, offline_outbox=outbox, tickets=unreachable_store)
    messages, slots = submit(confirmed_form())
    [entry] = outbox.pending()
    assert [m["response"] for m in messages] == ["utter_ticket_created"]
    assert messages[0]["ticket_reference"] == entry.reference == slots["ticket_reference"]
    assert messages[0]["contact_email"] == "contact@espoir.org"
    assert slots["ticket_stage"] == "submitted"

    # The partner presses "Send" again once the database is back, before any drain: the same ticket, delivered.
    use_services(monkeypatch, offline_outbox=outbox, tickets=store)
    messages, slots = submit(confirmed_form())
    assert messages[0]["ticket_reference"] == entry.reference
    assert store.count() == 1 and fields_of(store.by_reference(entry.reference)) == EXPECTED
    assert outbox.pending() == []


def test_when_neither_the_database_nor_the_outbox_can_keep_it_the_partner_is_told(
    tmp_path: Path, unreachable_store: TicketStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "not-a-folder").write_text("")
    unusable = TicketOutbox(tmp_path / "not-a-folder" / "outbox.db")
    use_services(monkeypatch, offline_outbox=unusable, tickets=unreachable_store)
    messages, slots = submit(confirmed_form())
    assert [m["response"] for m in messages] == ["utter_ticket_not_saved"]
    assert slots == {"ticket_draft_id": "draft"}  # the draft stays for another try
