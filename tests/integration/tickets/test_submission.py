"""The submission use case answers with one word per outcome, and each outcome leaves the stores as it says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.database import Database, make_engine
from bot.settings import RateLimits
from bot.tickets.offline_outbox import TicketOutbox
from bot.tickets.store import TicketStore
from bot.tickets.submission import submit
from tests.support.servers import free_port
from tests.support.tickets import PROFILE_ID, new_ticket

LIMITS = RateLimits(tickets_per_hour_per_sender=1, tickets_per_hour_per_address=0)


@pytest.fixture
def outbox(tmp_path: Path) -> TicketOutbox:
    return TicketOutbox(tmp_path / "ticket-outbox.db")


@pytest.fixture
def gone() -> Iterator[TicketStore]:
    """A ticket store whose PostgreSQL server does not answer."""
    engine = make_engine(f"postgresql+psycopg2://postgres@127.0.0.1:{free_port()}/gone")
    yield TicketStore(Database(engine))
    engine.dispose()


def test_stored_then_already_sent_then_refused(store: TicketStore, outbox: TicketOutbox) -> None:
    first = submit(new_ticket(), "conversation-1:a", store, outbox, LIMITS)
    assert first.outcome == "stored" and store.by_reference(first.reference) is not None
    again = submit(new_ticket(), "conversation-1:a", store, outbox, LIMITS)
    assert (again.outcome, again.reference) == ("already_sent", first.reference), "a repeated click is no new ticket"
    other = submit(new_ticket(), "conversation-1:b", store, outbox, LIMITS)
    assert (other.outcome, other.reference) == ("refused", None)
    assert store.count() == 1 and outbox.pending() == []


def test_kept_while_the_store_is_away_then_stored_with_the_same_reference(
    store: TicketStore, gone: TicketStore, outbox: TicketOutbox
) -> None:
    kept = submit(new_ticket(), "conversation-1:a", gone, outbox, LIMITS)
    assert kept.outcome == "kept" and [entry.reference for entry in outbox.pending()] == [kept.reference]
    assert submit(new_ticket(), "conversation-1:b", gone, outbox, LIMITS).outcome == "refused", "the outbox counts"
    back = submit(new_ticket(), "conversation-1:a", store, outbox, LIMITS)
    assert (back.outcome, back.reference) == ("stored", kept.reference)
    assert store.count() == 1 and outbox.pending() == []


def test_not_saved_when_neither_the_store_nor_the_outbox_takes_it(tmp_path: Path, gone: TicketStore) -> None:
    (tmp_path / "a-file").write_text("")
    result = submit(new_ticket(), "conversation-1:a", gone, TicketOutbox(tmp_path / "a-file" / "outbox.db"), LIMITS)
    assert (result.outcome, result.reference) == ("not_saved", None)


@pytest.mark.parametrize(
    "forged",
    [
        {"organization_name": "<b>ONG</b>"},
        {"profile_link": "javascript:alert(1)//unpartnerportal.org/profile/4821"},
        {"profile_link": "https://www.unpartnerportal.org/nothing"},
        {"issue_type": "anything"},
        {"description": "x"},
        {"description": "<script>alert(1)</script> Le nom légal est faux."},
        {"contact_email": "not an address"},
    ],
    ids=lambda forged: next(iter(forged)),
)
def test_every_field_is_checked_again_whatever_called(store: TicketStore, outbox: TicketOutbox, forged: dict) -> None:
    """Defence in depth (safe-by-default, finding 2): an action call that skipped the form stores nothing."""
    assert submit(new_ticket(**forged), "forged:1", store, outbox, LIMITS).outcome == "invalid"
    assert store.count() == 0 and outbox.pending() == []


def test_the_ticket_is_stored_as_checked_and_the_partner_told_the_address_as_stored(
    store: TicketStore, outbox: TicketOutbox
) -> None:
    request = new_ticket(organization_name="  Association Espoir ", contact_email="  Awa@AFK.org ")
    result = submit(request, "conversation-1:b", store, outbox, LIMITS)
    stored = store.by_reference(result.reference)
    assert result.contact_email == stored.contact_email == "Awa@afk.org"
    assert stored.organization_name == "Association Espoir" and stored.profile_id == PROFILE_ID
    again = submit(request, "conversation-1:b", store, outbox, LIMITS)
    assert (again.outcome, again.reference, again.contact_email) == ("already_sent", result.reference, "Awa@afk.org")


def test_a_password_in_the_description_is_masked_before_it_is_stored(store: TicketStore, outbox: TicketOutbox) -> None:
    request = new_ticket(description="Je ne peux plus me connecter, mot de passe: Hunter2024!")
    result = submit(request, "conversation-1:a", store, outbox, LIMITS)
    stored = store.by_reference(result.reference).description
    assert "Hunter2024!" not in stored and stored.startswith("Je ne peux plus me connecter")
