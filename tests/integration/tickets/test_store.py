"""The ticket store on SQLite and on PostgreSQL (the `store` fixture runs each test on both)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.tickets.reference import REFERENCE_PATTERN
from bot.tickets.store import TicketStore
from tests.support.tickets import new_ticket


def test_created_ticket_reads_back_with_every_field(store: TicketStore) -> None:
    request = new_ticket(
        organization_name="Association des Femmes de Kindu",
        issue_type="duplicate_profile",
        description="Nous avons créé deux profils par erreur ; merci de supprimer le second.",
        contact_email="awa@afk.org",
    )
    ticket, created = store.create(request, submission_key="conv-1:draft-1")
    assert created
    assert REFERENCE_PATTERN.match(ticket.reference)
    assert ticket.reference.endswith(f"-{ticket.id:06d}")

    stored = store.by_reference(ticket.reference)
    assert stored is not None
    assert stored.organization_name == "Association des Femmes de Kindu"
    assert stored.profile_link == "https://www.unpartnerportal.org/profile/4821/overview"
    assert stored.profile_id == "4821"
    assert stored.issue_type == "duplicate_profile"
    assert stored.description.startswith("Nous avons créé deux profils")
    assert stored.contact_email == "awa@afk.org"
    assert stored.language == "fr"
    assert stored.conversation_id == "conv-1"
    assert stored.status == "new"
    assert stored.created_at is not None
    assert [e.action for e in store.events(stored.id)] == ["created"]


def test_tickets_get_distinct_references_newest_first(store: TicketStore) -> None:
    first, _ = store.create(new_ticket(), submission_key="a")
    second, _ = store.create(new_ticket(organization_name="Université de Bamako"), submission_key="b")
    assert first.reference != second.reference
    assert [t.reference for t in store.newest()] == [second.reference, first.reference]
    assert store.count() == 2


def test_confirming_the_same_form_twice_stores_one_ticket(store: TicketStore) -> None:
    first, created_first = store.create(new_ticket(), submission_key="conv-1:draft-1")
    again, created_again = store.create(new_ticket(), submission_key="conv-1:draft-1")
    assert (created_first, created_again) == (True, False)
    assert again.reference == first.reference
    assert store.count() == 1


def test_simultaneous_confirmations_store_one_ticket(store: TicketStore) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: store.create(new_ticket(), submission_key="same"), range(8)))
    assert {ticket.reference for ticket, _ in results} == {results[0][0].reference}
    assert sum(created for _, created in results) == 1
    assert store.count() == 1


def test_store_refuses_an_unknown_issue_type(store: TicketStore) -> None:
    """The fields are the submission's to check (tests/integration/tickets/test_submission.py); the kind of
    request decides who handles it, so the store refuses one it does not know whoever calls it."""
    with pytest.raises(ValueError):
        store.create(new_ticket(issue_type="anything"), submission_key="y")
    assert store.count() == 0


def test_text_is_stored_as_typed_not_interpreted(store: TicketStore) -> None:
    hostile = "'); DROP TABLE tickets; -- <script>alert(1)</script> 🙂 مرحبا"
    ticket, _ = store.create(new_ticket(description=hostile), submission_key="z")
    assert store.get(ticket.id).description == hostile
    assert store.count() == 1
