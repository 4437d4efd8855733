"""Partners answer the e-mails: through the real receiving server (SMTP and LMTP on loopback) into their ticket.

On SQLite and PostgreSQL: the answer joins the ticket it answers, trimmed, with its files (kept as data, checked by
their bytes), and a resolved ticket reopens; a stranger quoting a reference is refused with 550.
"""

from __future__ import annotations

import smtplib
import stat
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask

from bot.accounts.users import create_staff_user
from bot.console import create_app
from bot.mail.outbox import MailOutbox
from bot.mail.receiver import controller
from bot.tickets.email_answers import AttachmentRules, receive
from bot.tickets.store import TicketStore
from tests.integration.console.support import PASSWORD, log_in
from tests.support.servers import free_port
from tests.support.settings import console_settings
from tests.support.tickets import add_ticket

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


class Receiving:
    def __init__(self, store: TicketStore, folder: Path, lmtp: bool = False):
        self.rules = AttachmentRules(folder)
        self.port, self.lmtp = free_port(), lmtp
        outcomes = {
            "added": "250 2.0.0 added",
            "ignored": "250 2.0.0 ignored",
            "empty": "250 2.0.0 empty",
            "bounced": "250 2.0.0 bounced",
            "unmatched": "550 5.1.1 This message answers no request of ours",
        }
        self.server = controller(
            lambda raw: outcomes[receive(store.sessions, raw, self.rules).outcome], self.port, lmtp=lmtp
        )

    def send(self, message: EmailMessage) -> None:
        client = smtplib.LMTP("127.0.0.1", self.port) if self.lmtp else smtplib.SMTP("127.0.0.1", self.port)
        with client:
            client.send_message(message)


@pytest.fixture(params=["smtp", "lmtp"])
def receiving(request: pytest.FixtureRequest, store: TicketStore, tmp_path: Path) -> Iterator[Receiving]:
    started = Receiving(store, tmp_path / "attachments", lmtp=request.param == "lmtp")
    started.server.start()
    yield started
    started.server.stop()


def answer(to_mail_id: str | None, sender: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, "replies@helpdesk.example", subject
    if to_mail_id:
        message["In-Reply-To"] = message["References"] = to_mail_id
    message.set_content(text)
    return message


def test_an_answer_joins_its_ticket_trimmed_with_its_files_and_reopens_it(
    store: TicketStore, receiving: Receiving
) -> None:
    ticket = add_ticket(store)
    store.replies.reply(ticket.reference, "Pouvez-vous envoyer une capture ?", "agent@helpdesk.example", "resolved")
    replied = MailOutbox(store.database).for_ticket(ticket.id)[-1]
    message = answer(
        replied.message_id,
        "Awa Diallo <awa.diallo@gmail.com>",  # another address than the ticket's: the
        f"RE: {replied.subject}",  # Message-ID it answers is what only the partner's mailbox has
        "Voici la capture.\n\nLe 2 déc. 2026, Support <support@helpdesk.example> a écrit :\n> Pouvez-vous ...",
    )
    message.add_attachment(PNG, maintype="image", subtype="png", filename="capture écran.png")
    message.add_attachment(EXECUTABLE, maintype="application", subtype="pdf", filename="facture.pdf")
    receiving.send(message)

    thread = MailOutbox(store.database).thread(ticket.id)
    partner = thread[-1]
    assert (partner.direction, partner.author) == ("in", "awa.diallo@gmail.com")
    assert partner.body.startswith("Voici la capture.") and "a écrit" not in partner.body
    assert "[facture.pdf: not kept, type not accepted (unknown content)]" in partner.body
    [kept] = MailOutbox(store.database).attachments(ticket.id)
    assert (kept.filename, kept.content_type, kept.size, kept.message_id) == (
        "capture écran.png",
        "image/png",
        len(PNG),
        partner.id,
    )
    path = receiving.rules.folder / str(ticket.id) / kept.stored_name
    assert path.read_bytes() == PNG and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path], "the refused file is not on disk"
    after = store.by_reference(ticket.reference)
    assert after.status == "open", "a resolved ticket reopens when the partner answers"
    actions = [(e.action, e.field, e.new_value) for e in store.events(ticket.id)]
    assert ("changed", "status", "open") in actions and actions[-2][0] == "partner_reply"


def test_a_reference_in_the_subject_counts_only_from_the_tickets_own_address(
    store: TicketStore, receiving: Receiving
) -> None:
    ticket = add_ticket(store)
    with pytest.raises(smtplib.SMTPDataError if not receiving.lmtp else smtplib.SMTPException) as refused:
        receiving.send(answer(None, "intruder@example.org", f"[{ticket.reference}] update", "Changez l'e-mail."))
    assert "550" in str(refused.value) or getattr(refused.value, "smtp_code", None) == 550
    assert MailOutbox(store.database).thread(ticket.id) == []

    receiving.send(answer(None, "Contact@Espoir.org", f"Re: [{ticket.reference}] suite", "Une précision."))
    [message] = MailOutbox(store.database).thread(ticket.id)
    assert message.body == "Une précision."


def test_an_out_of_office_reply_is_taken_but_changes_nothing(store: TicketStore, receiving: Receiving) -> None:
    ticket = add_ticket(store)
    store.triage.set_status(ticket.reference, "resolved", "agent@helpdesk.example")
    first = MailOutbox(store.database).for_ticket(ticket.id)[0]
    message = answer(first.message_id, "contact@espoir.org", "Absence", "Je suis absente jusqu'au 5.")
    message["Auto-Submitted"] = "auto-replied"
    receiving.send(message)
    assert (
        MailOutbox(store.database).thread(ticket.id) == [] and store.by_reference(ticket.reference).status == "resolved"
    )


def test_staff_download_a_file_the_partner_sent_and_never_see_it_inline(store: TicketStore, tmp_path: Path) -> None:
    rules = AttachmentRules(tmp_path / "var" / "attachments")
    ticket = add_ticket(store)
    message = answer(
        MailOutbox(store.database).for_ticket(ticket.id)[0].message_id, "contact@espoir.org", "Re", "Capture jointe."
    )
    message.add_attachment(PNG, maintype="image", subtype="png", filename="capture.png")
    assert receive(store.sessions, message.as_bytes(), rules).outcome == "added"
    [kept] = MailOutbox(store.database).attachments(ticket.id)

    app: Flask = create_app(console_settings(HELPDESK_VAR_DIR=str(tmp_path / "var")), store)
    app.config.update(TESTING=True)
    create_staff_user(store.database, "agent@helpdesk.org", PASSWORD, role="staff")
    client = app.test_client()
    path = f"/tickets/{ticket.reference}/attachments/{kept.id}"
    assert client.get(path).status_code == 302, "staff only"
    log_in(client)
    assert "capture.png" in client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    response = client.get(path)
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert client.get(f"/tickets/{ticket.reference}/attachments/{kept.id + 1}").status_code == 404


def delivery_report(returned_headers: str, action: str, status: str) -> EmailMessage:
    """A bounce as mail servers write them (RFC 3464): a human part, the status fields, the returned headers."""
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.espoir.org>\r\nTo: support@helpdesk.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"\r\n\r\n'
        "--dsn\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--dsn\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.espoir.org\r\n\r\n"
        f"Final-Recipient: rfc822; nobody@espoir.org\r\nAction: {action}\r\nStatus: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <nobody@espoir.org>: User unknown\r\n\r\n"
        f"--dsn\r\nContent-Type: text/rfc822-headers\r\n\r\n{returned_headers}\r\n--dsn--\r\n"
    )
    return message_from_bytes(raw.encode(), policy=policy.SMTP)


def test_a_bounce_marks_the_email_failed_for_staff_and_adds_nothing_to_the_thread(
    store: TicketStore, receiving: Receiving
) -> None:
    ticket = add_ticket(store, contact_email="nobody@espoir.org")
    acknowledgment = MailOutbox(store.database).for_ticket(ticket.id)[0]
    returned = f"From: support@helpdesk.example\r\nTo: nobody@espoir.org\r\nMessage-ID: {acknowledgment.message_id}"

    receiving.send(delivery_report(returned, "delayed", "4.4.1"))
    assert MailOutbox(store.database).get(acknowledgment.id).status == "waiting", "a delay is not a failure"

    receiving.send(delivery_report(returned, "failed", "5.1.1"))
    mail = MailOutbox(store.database).get(acknowledgment.id)
    assert mail.status == "failed" and "User unknown" in mail.last_error and mail.last_error.startswith("bounced")
    assert MailOutbox(store.database).thread(ticket.id) == [], "a bounce is not the partner's answer"
    assert store.by_reference(ticket.reference).status == "new"
    assert [e.action for e in store.events(ticket.id)][-1] == "mail_bounced"


def test_a_bounce_of_a_message_we_never_sent_is_refused(store: TicketStore, receiving: Receiving) -> None:
    add_ticket(store)
    returned = "From: someone@else.org\r\nMessage-ID: <forged.1@helpdesk.example>"
    with pytest.raises(smtplib.SMTPDataError if not receiving.lmtp else smtplib.SMTPException) as refused:
        receiving.send(delivery_report(returned, "failed", "5.1.1"))
    assert "550" in str(refused.value) or getattr(refused.value, "smtp_code", None) == 550
