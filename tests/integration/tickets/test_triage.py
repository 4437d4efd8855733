"""Triage on SQLite and PostgreSQL: the queue's filters, search, sort and pages; changes and their audit trail."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.accounts.users import create_staff_user
from bot.database import utcnow
from bot.tickets.models import Ticket
from bot.tickets.queue import QueueFilter
from bot.tickets.store import TicketStore
from bot.tickets.triage import TriageError
from tests.support.tickets import add_ticket


def references(tickets: list[Ticket]) -> list[str]:
    return [t.reference for t in tickets]


def test_filters_combine_and_counts_follow_the_other_filters(store: TicketStore) -> None:
    a = add_ticket(store, "a")
    b = add_ticket(store, "b", issue_type="duplicate_profile", language="en")
    c = add_ticket(store, "c", issue_type="duplicate_profile")
    store.triage.set_status(c.reference, "open", "agent@helpdesk.org")

    only_duplicates = QueueFilter(issue_type="duplicate_profile")
    assert references(store.queue.page(only_duplicates).tickets) == [c.reference, b.reference]
    assert references(store.queue.page(QueueFilter(issue_type="duplicate_profile", language="en")).tickets) == [
        b.reference
    ]
    assert references(store.queue.page(QueueFilter(status="new")).tickets) == [b.reference, a.reference]
    counts = store.queue.status_counts(QueueFilter(issue_type="duplicate_profile", status="new"))
    assert counts == {"new": 1, "open": 1, "pending": 0, "resolved": 0, "closed": 0}
    # Values that are not ours are ignored rather than failing the page.
    assert store.queue.page(QueueFilter(status="weird", language="de", sort="random")).total == 3


def test_search_by_reference_organisation_email_and_profile_id(store: TicketStore) -> None:
    espoir = add_ticket(store, "a")
    kindu = add_ticket(
        store,
        "b",
        organization_name="Association des Femmes de Kindu",
        contact_email="awa@afk.org",
        profile_link="https://www.unpartnerportal.org/profile/777/overview",
    )
    assert references(store.queue.page(QueueFilter(search=espoir.reference.lower())).tickets) == [espoir.reference]
    assert references(store.queue.page(QueueFilter(search="femmes de")).tickets) == [kindu.reference]
    assert references(store.queue.page(QueueFilter(search="AFK.ORG")).tickets) == [kindu.reference]
    assert references(store.queue.page(QueueFilter(search="777")).tickets) == [kindu.reference]
    # LIKE wildcards typed by staff are plain characters.
    assert store.queue.page(QueueFilter(search="%")).total == 0


def test_age_and_assignee_filters(store: TicketStore) -> None:
    agent = create_staff_user(store.database, "agent@helpdesk.org", "correct horse battery")
    old, recent = add_ticket(store, "old"), add_ticket(store, "recent")
    with store.sessions() as session:
        session.execute(update(Ticket).where(Ticket.id == old.id).values(created_at=utcnow() - timedelta(days=10)))
        session.commit()
    store.triage.assign(recent.reference, agent.id, "boss@helpdesk.org")
    assert references(store.queue.page(QueueFilter(age="7d")).tickets) == [recent.reference]
    assert references(store.queue.page(QueueFilter(age="over7d")).tickets) == [old.reference]
    assert references(store.queue.page(QueueFilter(assignee=str(agent.id))).tickets) == [recent.reference]
    assert references(store.queue.page(QueueFilter(assignee="none")).tickets) == [old.reference]


@pytest.mark.parametrize("sort", ["newest", "oldest", "updated", "priority"])
def test_pages_walk_every_ticket_once_forwards_and_back(store: TicketStore, sort: str) -> None:
    tickets = [add_ticket(store, f"k{i}") for i in range(7)]
    for i, priority in enumerate(["high", "urgent", "low", "high"]):
        store.triage.set_priority(tickets[i].reference, priority, "agent@helpdesk.org")
    wanted = QueueFilter(sort=sort)
    pages, cursor = [], None
    while True:
        page = store.queue.page(wanted, cursor=cursor, size=3)
        assert page.total == 7
        pages.append(references(page.tickets))
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    walked = [r for p in pages for r in p]
    assert sorted(walked) == sorted(references(tickets)) and len(set(walked)) == 7
    assert [len(p) for p in pages] == [3, 3, 1]
    if sort == "newest":
        assert walked == references(tickets)[::-1]
    if sort == "priority":
        assert walked[0] == tickets[1].reference  # urgent first
        assert walked[-1] == tickets[2].reference  # low last
    # Back from the last page: the page before it, and the first page has no previous page.
    last = store.queue.page(wanted, cursor=cursor, size=3)
    back = store.queue.page(wanted, cursor=last.previous_cursor, backwards=True, size=3)
    assert references(back.tickets) == pages[1]
    first = store.queue.page(wanted, cursor=back.previous_cursor, backwards=True, size=3)
    assert references(first.tickets) == pages[0] and first.previous_cursor is None


def test_every_change_is_in_the_audit_trail_once(store: TicketStore) -> None:
    agent = create_staff_user(store.database, "agent@helpdesk.org", "correct horse battery")
    ticket = add_ticket(store, "a")
    store.triage.assign(ticket.reference, agent.id, "boss@helpdesk.org")
    store.triage.set_status(ticket.reference, "open", "agent@helpdesk.org")
    store.triage.set_status(ticket.reference, "open", "agent@helpdesk.org")  # no change, no row
    store.triage.set_priority(ticket.reference, "high", "agent@helpdesk.org")
    store.triage.add_note(ticket.reference, "  Called the partner; waiting for the legal name.  ", "agent@helpdesk.org")
    store.triage.assign(ticket.reference, None, "agent@helpdesk.org")

    trail = [(e.actor, e.action, e.field, e.old_value, e.new_value) for e in store.events(ticket.id)]
    assert trail == [
        ("bot", "created", None, None, None),
        ("boss@helpdesk.org", "changed", "assignee", None, "agent@helpdesk.org"),
        ("agent@helpdesk.org", "changed", "status", "new", "open"),
        ("agent@helpdesk.org", "changed", "priority", "normal", "high"),
        ("agent@helpdesk.org", "note", None, None, "Called the partner; waiting for the legal name."),
        ("agent@helpdesk.org", "changed", "assignee", "agent@helpdesk.org", None),
    ]
    stored = store.by_reference(ticket.reference)
    assert (stored.status, stored.priority, stored.assignee_id) == ("open", "high", None)
    assert stored.updated_at > stored.created_at
    assert stored.resolved_at is None
    store.triage.set_status(ticket.reference, "resolved", "agent@helpdesk.org")
    assert store.by_reference(ticket.reference).resolved_at is not None, "resolved from the status menu counts too"


def test_bad_changes_are_refused_with_a_reason(store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    with pytest.raises(TriageError, match="unknown status"):
        store.triage.set_status(ticket.reference, "done", "agent@helpdesk.org")
    with pytest.raises(TriageError, match="unknown priority"):
        store.triage.set_priority(ticket.reference, "asap", "agent@helpdesk.org")
    with pytest.raises(TriageError, match="no active staff member"):
        store.triage.assign(ticket.reference, 9999, "agent@helpdesk.org")
    with pytest.raises(TriageError, match="empty"):
        store.triage.add_note(ticket.reference, "   ", "agent@helpdesk.org")
    with pytest.raises(TriageError, match="no ticket"):
        store.triage.set_status("HD-1999-000999", "open", "agent@helpdesk.org")
    assert [e.action for e in store.events(ticket.id)] == ["created"]


def test_a_duplicate_is_linked_closed_and_related_tickets_are_found(store: TicketStore) -> None:
    original = add_ticket(store, "a")
    repeat = add_ticket(store, "b", profile_link="unpartnerportal.org/profile/4821", contact_email="other@espoir.org")
    same_email = add_ticket(store, "c", profile_link="https://www.unpartnerportal.org/profile/55/overview")
    unrelated = add_ticket(
        store, "d", contact_email="x@y.org", profile_link="https://www.unpartnerportal.org/profile/9/"
    )

    assert references(store.triage.related(original)) == [same_email.reference, repeat.reference]
    assert unrelated.reference not in references(store.triage.related(repeat))

    with pytest.raises(TriageError, match="itself"):
        store.triage.mark_duplicate(repeat.reference, repeat.reference, "agent@helpdesk.org")
    store.triage.mark_duplicate(repeat.reference, original.reference.lower(), "agent@helpdesk.org")
    stored = store.by_reference(repeat.reference)
    assert stored.duplicate_of.reference == original.reference and stored.status == "closed"
    trail = [(e.field, e.new_value) for e in store.events(repeat.id)]
    assert trail[1:] == [("duplicate_of", original.reference), ("status", "closed")]
    with pytest.raises(TriageError, match="itself a duplicate"):
        store.triage.mark_duplicate(same_email.reference, repeat.reference, "agent@helpdesk.org")


def test_a_ticket_that_others_repeat_cannot_become_a_duplicate(store: TicketStore) -> None:
    """Finding 8: marking an original as a duplicate would make a chain (B → A → C)."""
    original, repeat, other = add_ticket(store, "a"), add_ticket(store, "b"), add_ticket(store, "c")
    store.triage.mark_duplicate(repeat.reference, original.reference, "agent@helpdesk.org")
    with pytest.raises(TriageError, match="is the original of 1 other ticket"):
        store.triage.mark_duplicate(original.reference, other.reference, "agent@helpdesk.org")
    assert store.by_reference(original.reference).duplicate_of_id is None


def test_two_staff_linking_two_tickets_to_each_other_at_once_make_no_loop(store: TicketStore) -> None:
    """Both rows are locked while checked: one link is made, the other refused, whichever comes first."""
    for round_ in range(5):
        a, b = add_ticket(store, f"{round_}-a"), add_ticket(store, f"{round_}-b")
        start = threading.Barrier(2)

        def link(ticket: Ticket, original: Ticket, start: threading.Barrier = start) -> str:
            start.wait()
            try:
                store.triage.mark_duplicate(ticket.reference, original.reference, "agent@helpdesk.org")
            except TriageError as error:
                return str(error)
            return "linked"

        with ThreadPoolExecutor(2) as pool:
            outcomes = list(pool.map(link, (a, b), (b, a)))
        assert sorted(o == "linked" for o in outcomes) == [False, True], outcomes
        links = [store.by_reference(t.reference).duplicate_of_id for t in (a, b)]
        assert links.count(None) == 1, "exactly one of the two points at the other"
