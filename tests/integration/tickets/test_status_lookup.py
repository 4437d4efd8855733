"""Where a request stands: told to its owner only, the same answer for any other, and a limit on failed tries."""

from __future__ import annotations

from ipaddress import ip_network

from bot.settings import RateLimits
from bot.tickets.store import TicketStore
from tests.support.tickets import add_ticket


def test_the_owner_learns_the_status_and_the_last_public_reply(store: TicketStore) -> None:
    ticket = add_ticket(store)
    found = store.status.lookup(ticket.reference.lower(), "Contact@Espoir.org", "another-conversation", "192.0.2.9")
    assert found.status.status == "new" and found.status.last_reply is None
    store.replies.reply(ticket.reference, "Pouvez-vous envoyer une capture ?", "agent@helpdesk.org", status="pending")
    store.triage.add_note(ticket.reference, "note interne : rien pour le partenaire", "agent@helpdesk.org")
    found = store.status.lookup(ticket.reference, "contact@espoir.org", None, None).status
    assert (found.status, found.last_reply) == ("pending", "Pouvez-vous envoyer une capture ?"), "notes never show"


def test_an_unknown_reference_and_a_wrong_email_look_the_same(store: TicketStore) -> None:
    ticket = add_ticket(store)
    wrong_email = store.status.lookup(ticket.reference, "someone@else.org", "conv-9", None)
    unknown = store.status.lookup("HD-2026-999999", "contact@espoir.org", "conv-9", None)
    assert wrong_email == unknown == type(unknown)(None)


def test_the_conversation_that_opened_it_needs_no_email_and_no_other_does(store: TicketStore) -> None:
    ticket = add_ticket(store, key="own")
    assert store.status.lookup(ticket.reference, None, "conv-own", None).status is not None
    assert store.status.lookup(ticket.reference, None, "conv-other", None).status is None
    assert store.status.lookup(ticket.reference, None, None, None).status is None


def test_failed_tries_are_limited_per_conversation_and_per_address(store: TicketStore) -> None:
    ticket = add_ticket(store)
    store.status.limits = RateLimits(status_failures_per_hour_per_sender=3, status_failures_per_hour_per_address=5)
    for number in range(3):
        assert not store.status.lookup(f"HD-2026-{number:06d}", "x@y.org", "guesser", "198.51.100.4").limited
    blocked = store.status.lookup(ticket.reference, "contact@espoir.org", "guesser", "198.51.100.4")
    assert blocked.limited and blocked.status is None, "past the limit even a right guess is not looked up"
    for number in range(2):  # new conversations from the same address
        store.status.lookup(f"HD-2026-{number:06d}", "x@y.org", f"fresh-{number}", "198.51.100.4")
    assert store.status.lookup(ticket.reference, "contact@espoir.org", "fresh-3", "198.51.100.4").limited
    assert store.status.lookup(
        ticket.reference, "contact@espoir.org", "elsewhere", "203.0.113.1"
    ).status, "another address and conversation still get the answer"
    for _ in range(10):  # successful lookups are not failures
        assert store.status.lookup(ticket.reference, "contact@espoir.org", "owner", "203.0.113.1").status


def test_exempt_addresses_are_never_limited(store: TicketStore) -> None:
    ticket = add_ticket(store)
    store.status.limits = RateLimits(status_failures_per_hour_per_sender=1, exempt=(ip_network("127.0.0.0/8"),))
    store.status.lookup("HD-2026-000000", "x@y.org", "probe", "127.0.0.1")
    assert store.status.lookup(ticket.reference, "contact@espoir.org", "probe", "127.0.0.1").status
