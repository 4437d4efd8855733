"""The ticket limits per conversation and per client address, counted in the store (SQLite and PostgreSQL), and
what the partner is told when a request is over the limit."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import update

import actions.ticket_confirmation as confirmation
from bot.settings import RateLimits, get_settings
from bot.tickets.limits import ticket_limit_reached
from bot.tickets.models import Ticket
from bot.tickets.store import TicketStore
from tests.support.actions import use_services
from tests.support.settings import settings_with
from tests.support.tickets import add_ticket

LIMITS = RateLimits(tickets_per_hour_per_sender=2, tickets_per_hour_per_address=3)


def create(store: TicketStore, conversation: str, address: str | None) -> Ticket:
    return add_ticket(store, uuid.uuid4().hex, conversation_id=conversation, client_address=address)


def test_tickets_are_counted_per_conversation_and_per_address(store: TicketStore) -> None:
    for conversation in ("c1", "c1", "c2"):
        create(store, conversation, "192.0.2.1")
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    assert store.created_since(since, conversation_id="c1") == 2
    assert store.created_since(since, client_address="192.0.2.1") == 3
    assert store.created_since(since, client_address="192.0.2.2") == 0
    assert ticket_limit_reached(store, LIMITS, "c1", "192.0.2.9"), "two from this conversation already"
    assert ticket_limit_reached(store, LIMITS, "c3", "192.0.2.1"), "three from this address already"
    assert not ticket_limit_reached(store, LIMITS, "c2", "192.0.2.2")
    assert not ticket_limit_reached(store, RateLimits(0, 0, 0, 0), "c1", "192.0.2.1"), "0 turns the limits off"
    exempt = get_settings({"TICKETS_PER_HOUR_PER_SENDER": "2", "RATE_LIMIT_EXEMPT_ADDRESSES": "192.0.2.0/24"}).limits
    assert not ticket_limit_reached(store, exempt, "c1", "192.0.2.1")


def test_tickets_older_than_an_hour_no_longer_count(store: TicketStore) -> None:
    tickets = [create(store, "old", "192.0.2.5") for _ in range(3)]
    with store.sessions() as session:
        two_hours_ago = datetime.now(timezone.utc) - timedelta(hours=2)
        session.execute(update(Ticket).where(Ticket.id.in_([t.id for t in tickets])).values(created_at=two_hours_ago))
        session.commit()
    assert not ticket_limit_reached(store, LIMITS, "old", "192.0.2.5")


def tracker(sender: str, address: str | None, language: str = "en") -> Tracker:
    slots = {
        "language": language,
        "organization_name": "Bamako Youth Network",
        "profile_link": "unpartnerportal.org/profile/777/undata",
        "issue_type": "account_access",
        "description": "Nobody can add users any more.",
        "contact_email": "it@byn.org",
        "ticket_stage": "confirm",
        "ticket_draft_id": uuid.uuid4().hex,
    }
    return Tracker(
        sender_id=sender,
        slots=slots,
        latest_message={
            "text": "/affirm",
            "intent": {"name": "affirm"},
            "entities": [],
            "metadata": {"client_address": address},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def submit(tracker: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(confirmation.ActionSubmitTicket().run(dispatcher, tracker, {}))
    return events, dispatcher.messages


@pytest.fixture
def limited_store(store: TicketStore, monkeypatch: pytest.MonkeyPatch) -> TicketStore:
    limits = {
        "TICKETS_PER_HOUR_PER_SENDER": "2",
        "TICKETS_PER_HOUR_PER_ADDRESS": "3",
        "RATE_LIMIT_EXEMPT_ADDRESSES": "",
    }
    use_services(monkeypatch, settings_with(**limits), tickets=store)
    return store


@pytest.mark.parametrize(
    ("language", "said"), [("en", "already sent several requests"), ("fr", "déjà envoyé plusieurs")]
)
def test_over_the_limit_the_partner_is_told_and_nothing_is_stored(
    limited_store: TicketStore, language: str, said: str
) -> None:
    for _ in range(2):
        _, messages = submit(tracker("partner-1", "192.0.2.10", language))
        assert messages[0]["response"] == "utter_ticket_created"
    stored = limited_store.count()
    refused = tracker("partner-1", "192.0.2.10", language)
    events, messages = submit(refused)
    assert said in messages[0]["text"]
    assert limited_store.count() == stored
    assert {"event": "slot", "name": "ticket_draft_id", "value": refused.get_slot("ticket_draft_id")} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events
    ], "the draft stays, for another try later"


def test_the_address_comes_from_the_metadata_and_is_stored(limited_store: TicketStore) -> None:
    for i in range(3):
        _, messages = submit(tracker(f"partner-{i}", "::ffff:192.0.2.20"))
        assert messages[0]["response"] == "utter_ticket_created"
        assert limited_store.by_reference(messages[0]["ticket_reference"]).client_address == "192.0.2.20"
    _, messages = submit(tracker("partner-9", "192.0.2.20"))
    assert "already sent several requests" in messages[0]["text"]
    _, messages = submit(tracker("partner-9", None))
    assert messages[0]["response"] == "utter_ticket_created", "without an address only the conversation counts"


def test_ipv6_partners_are_counted_per_64_for_tickets_too(limited_store: TicketStore) -> None:
    """Finding 4: a new address in the same /64 is the same client for the ticket limit."""
    for host in range(3):
        _, messages = submit(tracker(f"partner-6-{host}", f"2001:db8:7:8::{host + 1}"))
        assert messages[0]["response"] == "utter_ticket_created"
        assert limited_store.by_reference(messages[0]["ticket_reference"]).client_address == "2001:db8:7:8::/64"
    _, messages = submit(tracker("partner-6-9", "2001:db8:7:8:abcd::1"))
    assert "already sent several requests" in messages[0]["text"]


def test_confirming_a_stored_request_again_is_never_refused(limited_store: TicketStore) -> None:
    first = tracker("partner-x", "192.0.2.30")
    submit(first)
    submit(tracker("partner-x", "192.0.2.30"))
    again = Tracker.from_dict({**first.current_state(), "slots": {**first.slots, "ticket_stage": "confirm"}})
    _, messages = submit(again)
    assert messages[0]["response"] == "utter_ticket_created" and limited_store.count() == 2
