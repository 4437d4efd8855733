"""The ticket database stops accepting connections just as a partner presses "Send".

The action server stores tickets in a PostgreSQL database of this run's own, which the test closes
(`ALLOW_CONNECTIONS false`, its sessions terminated) and reopens. The partner still gets a reference; the
ticket waits in the durable outbox (through a crash of the action server), and the action server's background
drain (every second here) brings it to the store once the database is back: exactly one ticket, under that
reference, every field right.
"""

from __future__ import annotations

import re
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from bot.migrations import upgrade
from bot.tickets.offline_outbox import OUTBOX_FILE, TicketOutbox
from tests.support.servers import BIN, make_workspace
from tests.support.services import POSTGRES_ADMIN_URL, REQUIRE_POSTGRES
from tests.system.faults.stack import Stack, running_stack, ticket_store

pytestmark = [pytest.mark.model, pytest.mark.postgres]

OUTBOX_REFERENCE = re.compile(r"\bHD-\d{4}-\d{12}\b")  # stored tickets' numbers have six digits


class Database:
    """A fresh PostgreSQL database that can be closed to every connection and opened again."""

    def __init__(self) -> None:
        from sqlalchemy.exc import OperationalError

        self.admin = create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
        self.name = f"helpdesk_outage_{uuid.uuid4().hex[:10]}"
        try:
            self.run(f'CREATE DATABASE "{self.name}"')
        except OperationalError as error:
            self.admin.dispose()
            if REQUIRE_POSTGRES:
                pytest.fail(f"PostgreSQL is required here but unreachable: {error}")
            pytest.skip(f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}")
        self.url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{self.name}"

    def run(self, statement: str, **values: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement), values)

    def close(self) -> None:
        """No new connection is accepted and the open ones are cut, as when the server goes away."""
        self.run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
        self.run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name", name=self.name)

    def reopen(self) -> None:
        self.run(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')

    def drop(self) -> None:
        self.run(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self.admin.dispose()


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    database = Database()
    try:
        upgrade(database.url)
        yield database
    finally:
        database.drop()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, database: Database) -> Iterator[Stack]:
    workspace = make_workspace(tmp_path_factory.mktemp("database-outage"))
    env = {"DATABASE_URL": database.url, "OUTBOX_DRAIN_SECONDS": "1"}
    with running_stack(workspace, env) as started:
        yield started


def test_a_ticket_confirmed_while_the_database_is_away_reaches_it_once_under_the_given_reference(
    stack: Stack, database: Database
) -> None:
    sender = f"db-outage-{uuid.uuid4().hex[:8]}"
    link = "https://www.unpartnerportal.org/profile/4821/overview"
    description = "Nous avons créé deux profils par erreur, merci de supprimer le second."
    with ticket_store(database.url) as store:
        assert store.count() == 0
    assert "organisation" in stack.say(sender, "/request_support", {"language": "fr"})
    assert "lien" in stack.say(sender, "Association des Femmes de Kindu")
    assert "type de problème" in stack.say(sender, link)
    assert "Décrivez" in stack.say(sender, '/choose_issue_type{"issue_type": "duplicate_profile"}')
    assert "e-mail" in stack.say(sender, description)
    assert "Association des Femmes de Kindu" in stack.say(sender, "awa.diallo@afk.org")

    outbox = TicketOutbox(stack.workdir / OUTBOX_FILE)
    database.close()
    try:
        sent = stack.say(sender, "/affirm")
        assert "transmise" in sent, sent
        [reference] = OUTBOX_REFERENCE.findall(sent)
        [entry] = outbox.pending()
        assert entry.reference == reference
        # The background drain tries, fails, and keeps the ticket; a second "Send" finds it already sent.
        deadline = time.monotonic() + 30
        while not outbox.pending()[0].attempts and time.monotonic() < deadline:
            time.sleep(0.5)
        assert outbox.pending()[0].attempts >= 1
        assert reference in stack.say(sender, "/affirm")
        assert len(outbox.pending()) == 1
        # The action server crashes with the ticket still waiting: the outbox is on disk, the next one delivers it.
        stack.kill_actions()
        stack.start_actions()
    finally:
        database.reopen()

    with ticket_store(database.url) as store:
        deadline = time.monotonic() + 60
        while store.by_reference(reference) is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert store.count() == 1
        ticket = store.by_reference(reference)
        assert (ticket.conversation_id, ticket.organization_name, ticket.profile_link, ticket.profile_id) == (
            sender,
            "Association des Femmes de Kindu",
            link,
            "4821",
        )
        assert (ticket.issue_type, ticket.description, ticket.contact_email, ticket.language) == (
            "duplicate_profile",
            description,
            "awa.diallo@afk.org",
            "fr",
        )
        assert ticket.created_at == entry.confirmed_at
    assert outbox.pending() == []

    # A drain by hand afterwards finds nothing left to deliver, and the store still holds one ticket.
    drained = subprocess.run(
        [str(BIN / "helpdesk"), "outbox", "drain"], env=stack.env, capture_output=True, text=True, timeout=120
    )
    assert drained.returncode == 0, drained.stderr
    assert "empty" in drained.stdout
    with ticket_store(database.url) as store:
        assert store.count() == 1
