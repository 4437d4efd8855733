"""E-mail to partners through a real SMTP server on loopback (aiosmtpd), on SQLite and on the local PostgreSQL.

Every e-mail is a row before it is sent; a mail server that is down leaves it waiting and it goes out once when
the server is back; a refusal is shown with its reason; two workers at once send each e-mail once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from bot.database import utcnow
from bot.mail.catcher import CaughtMail, MaildirHandler, caught, controller
from bot.mail.models import OutgoingMail
from bot.mail.outbox import LEASE, RETRY_DELAYS, MailOutbox
from bot.mail.smtp import SmtpServer
from bot.mail.worker import send_due
from bot.tickets.issue_types import label
from bot.tickets.offline_outbox import TicketOutbox, deliver
from bot.tickets.store import TicketStore
from tests.support.servers import free_port
from tests.support.tickets import add_ticket, new_ticket

SENDER = "support@helpdesk.example"


class Catcher:
    def __init__(self, path: Path, handler: object | None = None):
        self.path, self.port = path, free_port()
        self.server = SmtpServer.from_url(f"smtp://127.0.0.1:{self.port}")
        self.controller = (
            controller(path, self.port)
            if handler is None
            else Controller(handler, hostname="127.0.0.1", port=self.port)
        )

    def messages(self) -> list:
        return caught(self.path)


@pytest.fixture
def catcher(tmp_path: Path) -> Iterator[Catcher]:
    started = Catcher(tmp_path / "mail")
    started.controller.start()
    yield started
    started.controller.stop()


class Refusing(MaildirHandler):
    """A mail server that refuses some recipients: for good (550) or for now (451)."""

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802 (aiosmtpd's name)
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user here"
        if address.startswith("later@"):
            return "451 4.3.0 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def header(mail: CaughtMail, name: str) -> str:
    """A header as received, unfolded (a long Message-ID is folded onto its own line)."""
    return str(mail.message[name]).strip()


def aware(moment: datetime) -> datetime:
    """SQLite gives back the UTC times it was given without their zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def send(store: TicketStore, server: SmtpServer):
    return send_due(MailOutbox(store.database), server, SENDER, "replies@helpdesk.example")


def test_a_new_ticket_is_acknowledged_in_the_partners_language_with_its_reference(
    store: TicketStore, catcher: Catcher
) -> None:
    ticket = add_ticket(store, organization_name="ONG <Espoir>")
    [mail] = MailOutbox(store.database).for_ticket(ticket.id)
    assert (mail.kind, mail.status, mail.recipient) == ("acknowledgment", "waiting", "contact@espoir.org")

    report = send(store, catcher.server)
    assert report.sent == [mail.id]
    [received] = catcher.messages()
    assert header(received, "Message-ID") == mail.message_id
    assert received.subject == f"[{ticket.reference}] Votre demande d'assistance est enregistrée"
    assert received.message["From"] == SENDER and received.message["Reply-To"] == "replies@helpdesk.example"
    text, page = received.text(), received.html()
    assert ticket.reference in text and "Le nom légal est faux.\nMerci de le corriger." in text
    assert "Organisation : ONG <Espoir>" in text and f"Type : {label('non_editable_info', 'fr')}" in text
    assert "ONG &lt;Espoir&gt;" in page and "<Espoir>" not in page, "the HTML part escapes what the partner typed"
    assert f'<a href="{ticket.profile_link}">' in page
    assert MailOutbox(store.database).get(mail.id).status == "sent"
    assert send(store, catcher.server).sent == [], "sent once"


def test_an_english_request_gets_english_mail(store: TicketStore, catcher: Catcher) -> None:
    ticket = add_ticket(store, language="en")
    send(store, catcher.server)
    [received] = catcher.messages()
    assert received.subject == f"[{ticket.reference}] Your support request is registered"
    assert f"Type: {label('non_editable_info', 'en')}" in received.text()


def test_with_the_mail_server_down_the_mail_waits_then_goes_out_once(store: TicketStore, tmp_path: Path) -> None:
    ticket = add_ticket(store)
    down = Catcher(tmp_path / "mail")  # not started yet: nothing listens on its port
    report = send(store, down.server)
    [mail] = MailOutbox(store.database).for_ticket(ticket.id)
    assert report.sent == [] and list(report.retrying) == [mail.id]
    assert (mail.status, mail.attempts) == ("waiting", 1) and "cannot reach the mail server" in mail.last_error
    wait = aware(mail.next_attempt_at) - utcnow()
    assert timedelta(seconds=RETRY_DELAYS[0] - 5) < wait <= timedelta(seconds=RETRY_DELAYS[0])
    assert send(store, down.server).sent == [], "not before its next attempt"

    down.controller.start()
    try:
        with store.sessions() as session:  # the delay has passed
            session.execute(update(OutgoingMail).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
            session.commit()
        assert send(store, down.server).sent == [mail.id]
        assert send(store, down.server).sent == []
        assert [header(m, "Message-ID") for m in down.messages()] == [mail.message_id]
        sent = MailOutbox(store.database).get(mail.id)
        assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)
    finally:
        down.controller.stop()


def test_a_refused_address_fails_for_good_with_the_reason_and_a_busy_one_is_retried(
    store: TicketStore, tmp_path: Path
) -> None:
    refusing = Catcher(tmp_path / "mail", Refusing(tmp_path / "mail"))
    refused = add_ticket(store, 1, contact_email="nobody@espoir.org")
    busy = add_ticket(store, 2, contact_email="later@espoir.org")
    fine = add_ticket(store, 3)
    refusing.controller.start()
    try:
        report = send(store, refusing.server)
    finally:
        refusing.controller.stop()
    [failed] = MailOutbox(store.database).for_ticket(refused.id)
    assert failed.status == "failed" and "550" in failed.last_error and "No such user" in failed.last_error
    [waiting] = MailOutbox(store.database).for_ticket(busy.id)
    assert waiting.status == "waiting" and "451" in waiting.last_error
    [delivered] = MailOutbox(store.database).for_ticket(fine.id)
    assert delivered.status == "sent" and report.sent == [delivered.id]
    assert [m.to for m in refusing.messages()] == ["contact@espoir.org"]


def test_two_workers_at_once_send_each_mail_once(store: TicketStore, catcher: Catcher) -> None:
    tickets = [add_ticket(store, key) for key in range(30)]
    reports = []

    def worker() -> None:
        reports.append(send(store, SmtpServer.from_url(f"smtp://127.0.0.1:{catcher.port}")))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    sent = [mail_id for report in reports for mail_id in report.sent]
    assert len(sent) == len(set(sent)) == 30
    ids = [header(m, "Message-ID") for m in catcher.messages()]
    assert len(ids) == len(set(ids)) == 30
    assert {MailOutbox(store.database).for_ticket(t.id)[0].status for t in tickets} == {"sent"}


def test_a_claim_left_by_a_dead_worker_is_taken_over_and_the_late_worker_cannot_undo_it(store: TicketStore) -> None:
    add_ticket(store)
    with store.sessions() as session:
        session.execute(update(OutgoingMail).values(next_attempt_at=utcnow() - timedelta(hours=1)))
        session.commit()
    [dead] = MailOutbox(store.database).claim(
        now=utcnow() - LEASE - timedelta(minutes=1)
    )  # a claim whose lease is now over
    assert MailOutbox(store.database).claim() != [] and MailOutbox(store.database).claim() == [], "taken over once"
    assert MailOutbox(store.database).mark_sent(dead) is False, "the dead worker's late outcome is not written"


def test_a_public_reply_that_resolves_goes_to_the_partner_in_the_same_thread(
    store: TicketStore, catcher: Catcher
) -> None:
    ticket = add_ticket(store)
    message = store.replies.reply(
        ticket.reference,
        "Le nom légal est corrigé.\nVérifiez sur https://www.unpartnerportal.org.",
        "agent@helpdesk.example",
        status="resolved",
    )
    after = store.by_reference(ticket.reference)
    assert after.status == "resolved" and after.first_response_at is not None and after.resolved_at is not None
    [thread] = MailOutbox(store.database).thread(ticket.id)
    assert (thread.id, thread.direction, thread.author) == (message.id, "out", "agent@helpdesk.example")
    actions = [(e.action, e.field, e.new_value) for e in store.events(ticket.id)]
    assert ("reply", None, "Le nom légal est corrigé.\nVérifiez sur https://www.unpartnerportal.org.") in actions
    assert ("changed", "status", "resolved") in actions

    send(store, catcher.server)
    acknowledgment, resolution = sorted(catcher.messages(), key=lambda m: "résolue" in m.subject)
    assert resolution.subject == f"[{ticket.reference}] Votre demande est résolue"
    assert header(resolution, "In-Reply-To") == header(acknowledgment, "Message-ID")
    assert "Le nom légal est corrigé." in resolution.text() and "rouverte" in resolution.text()

    first = store.by_reference(ticket.reference).first_response_at
    store.replies.reply(ticket.reference, "Un détail encore.", "agent@helpdesk.example")
    assert store.by_reference(ticket.reference).first_response_at == first, "the first reply's time stays"
    assert [m.kind for m in MailOutbox(store.database).for_ticket(ticket.id)] == [
        "acknowledgment",
        "resolution",
        "reply",
    ]


def test_a_ticket_kept_in_the_outbox_is_acknowledged_with_the_reference_the_partner_was_given(
    store: TicketStore, tmp_path: Path
) -> None:
    entry = TicketOutbox(tmp_path / "ticket-outbox.db").put(new_ticket(), "kept-1")
    ticket = deliver(store, entry)
    [mail] = MailOutbox(store.database).for_ticket(ticket.id)
    assert ticket.reference == entry.reference
    assert entry.reference in mail.subject and entry.reference in mail.body_text and entry.reference in mail.body_html
