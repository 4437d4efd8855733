"""The whole support loop through the real servers, as `make run` has it with no mail server configured.

A partner opens a request in the chat and gets the acknowledgment (read back from the mail catcher, the SMTP server
that received it); staff reply from the console's ticket page while the SMTP server is down, and the reply goes out
once, when it is back; the partner answers by e-mail through `helpdesk mail receive`; staff resolve; the partner
rates the answer from the resolution e-mail; and the partner's "status of HD-…" in the chat follows every stage.
"""

from __future__ import annotations

import re
import smtplib
import socket
import time
from email.message import EmailMessage

import pytest
import requests

from bot.mail.catcher import CaughtMail, caught
from bot.mail.outbox import MailOutbox
from tests.support.servers import BIN, Console, Workspace, free_port, launch, stop
from tests.system.conversation.chat import Assistant, texts

pytestmark = pytest.mark.model

PROFILE = "https://www.unpartnerportal.org/profile/4821/overview"


def wait_for_mail(workspace: Workspace, to: str, count: int, timeout: float = 30) -> list[CaughtMail]:
    deadline = time.monotonic() + timeout
    while True:
        mails = sorted((m for m in caught(workspace.workdir / "mail") if m.to == to), key=lambda m: m.received)
        if len(mails) >= count or time.monotonic() > deadline:
            return mails
        time.sleep(0.3)


def staff_session(console: Console) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{console.url}/login", timeout=10).text
    form = {"email": console.admin_email, "password": console.admin_password, "csrf_token": csrf(page)}
    assert session.post(f"{console.url}/login", data=form, timeout=10).ok
    return session


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def reply_in_console(session: requests.Session, console: Console, reference: str, text: str, then: str = "") -> str:
    page = session.get(f"{console.url}/tickets/{reference}", timeout=10).text
    form = {"action": "reply", "reply": text, "reply_status": then, "csrf_token": csrf(page)}
    return session.post(f"{console.url}/tickets/{reference}", data=form, timeout=10).text


def status_in_chat(assistant: Assistant, sender: str, reference: str, email: str) -> str:
    """Asked from a new conversation each time, as a partner coming back days later would."""
    conversation = f"{sender}-status-{time.monotonic_ns()}"
    return texts(
        assistant.send(conversation, f"où en est ma demande {reference} ? {email}", metadata={"language": "fr"})
    )


def test_the_whole_support_loop_with_the_smtp_server_down_in_the_middle(
    assistant: Assistant, workspace: Workspace, console_server: Console, sender: str
) -> None:
    partner = f"{sender}@espoir.example"
    for message in [
        "/request_support",
        "ONG Espoir",
        PROFILE,
        '/choose_issue_type{"issue_type": "other"}',
        "Le formulaire de profil affiche une erreur 500.",
        partner,
    ]:
        assistant.send(sender, message)
    done = texts(assistant.send(sender, "/affirm"))
    reference = next(word.strip(" :.") for word in done.split() if word.startswith("HD-"))

    [acknowledgment] = wait_for_mail(workspace, partner, 1)
    assert acknowledgment.subject == f"[{reference}] Votre demande d'assistance est enregistrée"
    assert "Le formulaire de profil affiche une erreur 500." in acknowledgment.text()
    assert acknowledgment.message["From"] == "support@helpdesk.example"
    assert "est bien reçue et attend un membre de l'équipe" in status_in_chat(assistant, sender, reference, partner)

    # The SMTP server goes down; staff reply and ask for a screenshot: saved, shown as waiting, sent later.
    staff = staff_session(console_server)
    workspace.mail_catcher.stop()
    page = reply_in_console(staff, console_server, reference, "Pouvez-vous nous envoyer une capture ?", "pending")
    assert "Saved; the reply is e-mailed to the partner." in page
    time.sleep(3)  # several rounds of the worker against a closed port
    page = staff.get(f"{console_server.url}/tickets/{reference}", timeout=10).text
    assert "waiting to be sent" in page and "next try at" in page, "staff see the reply is not sent yet"
    told = status_in_chat(assistant, sender, reference, partner)
    assert "attend votre réponse" in told and "Pouvez-vous nous envoyer une capture ?" in told
    workspace.mail_catcher.start(append=True).wait()
    mails = wait_for_mail(workspace, partner, 2, timeout=90)  # the first retry comes within a minute
    assert [m.subject for m in mails] == [acknowledgment.subject, f"[{reference}] Réponse de l'équipe d'assistance"]

    # The partner answers the e-mail from their mail client; the answer joins the ticket and reopens it.
    inbound_port = free_port()
    listening = lambda: socket.create_connection(("127.0.0.1", inbound_port), timeout=2).close() or True  # noqa: E731
    command = [str(BIN / "helpdesk"), "mail", "receive", "--port", str(inbound_port)]
    inbound = launch("mail receive", command, workspace.env, workspace.workdir / "mail-receive.log", listening)
    try:
        inbound.wait(60)
        answer = EmailMessage()
        answer["From"], answer["To"] = partner, "support@helpdesk.example"
        answer["Subject"] = "RE: " + mails[1].subject
        answer["In-Reply-To"] = answer["References"] = str(mails[1].message["Message-ID"]).strip()
        answer.set_content("Voici : l'erreur apparaît en enregistrant.\n\n> Pouvez-vous nous envoyer une capture ?")
        with smtplib.SMTP("127.0.0.1", inbound_port) as client:
            client.send_message(answer)
    finally:
        stop(inbound.process)
    page = staff.get(f"{console_server.url}/tickets/{reference}", timeout=10).text
    assert "Voici : l&#39;erreur apparaît en enregistrant." in page and "&gt; Pouvez-vous" not in page
    assert "est en cours de traitement" in status_in_chat(assistant, sender, reference, partner)

    # Staff resolve; the partner rates the answer from the resolution e-mail.
    reply_in_console(staff, console_server, reference, "C'est corrigé : réessayez.", "resolved")
    mails = wait_for_mail(workspace, partner, 3)
    resolution = mails[2]
    assert resolution.subject == f"[{reference}] Votre demande est résolue"
    good = re.search(r"Oui : (http://\S+/rate/\S+/good)", resolution.text()).group(1)
    rated = requests.get(good.replace("http://localhost", "http://127.0.0.1"), timeout=10).text
    assert f"Votre évaluation de la demande {reference} est enregistrée : bon" in rated
    page = staff.get(f"{console_server.url}/tickets/{reference}", timeout=10).text
    assert '<span class="rating rating-good">' in page
    assert "est résolue" in status_in_chat(assistant, sender, reference, partner)

    time.sleep(2)
    assert len(wait_for_mail(workspace, partner, 4, timeout=0)) == 3, "each e-mail sent once, the retried one too"
    ticket = assistant.store.by_reference(reference)
    assert {m.status for m in MailOutbox(assistant.store.database).for_ticket(ticket.id)} == {"sent"}
    assert ticket.first_response_at is not None and ticket.rating == "good"
