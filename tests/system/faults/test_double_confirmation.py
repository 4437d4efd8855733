"""Two confirmations of one ticket at the same moment (a double click, a client's retry): one ticket.

First on one Rasa server (its lock makes the second confirmation wait and find the request sent), then on two
Rasa servers sharing the tracker store file but not a lock store, so both confirmations run at once and only
the ticket store's one-ticket-per-submission rule stands between them and a duplicate.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterator

import pytest

from tests.support.servers import free_port, make_workspace
from tests.system.faults.stack import Stack, running_stack, ticket_store

pytestmark = pytest.mark.model

REFERENCE = re.compile(r"\bHD-\d{4}-\d{6,}\b")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(make_workspace(tmp_path_factory.mktemp("double-confirmation"))) as started:
        yield started


def up_to_the_summary(stack: Stack, sender: str, organization: str, port: int | None = None) -> None:
    assert "organisation" in stack.say(sender, "/request_support", {"language": "en"}, port=port)
    assert "link" in stack.say(sender, organization, port=port)
    assert "What kind of problem" in stack.say(sender, "unpartnerportal.org/profile/777/undata", port=port)
    assert "describe" in stack.say(sender, '/choose_issue_type{"issue_type": "account_access"}', port=port)
    assert "e-mail" in stack.say(sender, "Our only administrator left and nobody can add users any more.", port=port)
    assert organization in stack.say(sender, "admin@byn.org", port=port)


def confirm_at_once(stack: Stack, sender: str, ports: list[int]) -> list[str]:
    """`/affirm` (the Send button's payload) sent to each port at the same moment; the replies."""
    start = threading.Barrier(len(ports))
    replies: dict[int, str] = {}

    def confirm(index: int, port: int) -> None:
        start.wait()
        replies[index] = stack.say(sender, "/affirm", port=port)

    threads = [threading.Thread(target=confirm, args=(i, port)) for i, port in enumerate(ports)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return [replies[i] for i in range(len(ports))]


def assert_one_ticket(stack: Stack, sender: str, replies: list[str]) -> None:
    with ticket_store(stack.workspace.database_url) as store:
        tickets = [t for t in store.newest(100) if t.conversation_id == sender]
    assert len(tickets) == 1, [t.reference for t in tickets]
    # Each reply names the one ticket: "sent, its reference is ..." or "already sent: its reference is ...".
    for reply in replies:
        assert REFERENCE.findall(reply) == [tickets[0].reference], replies
    assert any("has been sent" in reply for reply in replies), replies


def test_a_double_click_on_send_makes_one_ticket(stack: Stack) -> None:
    sender = f"double-{uuid.uuid4().hex[:8]}"
    up_to_the_summary(stack, sender, "Bamako Youth Network")
    replies = confirm_at_once(stack, sender, [stack.rasa_ports[0]] * 2)
    assert_one_ticket(stack, sender, replies)
    assert any("already been sent" in reply for reply in replies), replies


def test_two_rasa_servers_confirming_at_once_make_one_ticket(stack: Stack) -> None:
    second = free_port()
    stack.start_rasa(second)  # the same model, tracker store and action server; its own in-memory locks
    for attempt in range(3):  # a few conversations: the two confirmations overlap differently each time
        sender = f"double-two-{attempt}-{uuid.uuid4().hex[:8]}"
        up_to_the_summary(stack, sender, f"Goma Health Alliance {attempt}")
        replies = confirm_at_once(stack, sender, [stack.rasa_ports[0], second])
        assert_one_ticket(stack, sender, replies)
