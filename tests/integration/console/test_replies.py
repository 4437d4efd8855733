"""Staff reply to the partner from the ticket page and the API: distinct from notes, e-mailed, in the thread."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.accounts import api_tokens
from bot.accounts.users import create_staff_user, find_user
from bot.console import create_app
from bot.mail.catcher import MaildirHandler
from bot.mail.outbox import MailOutbox
from bot.mail.smtp import SmtpServer
from bot.mail.worker import send_due
from bot.tickets.store import TicketStore
from tests.integration.console.support import PASSWORD, csrf_token, log_in
from tests.support.servers import free_port
from tests.support.settings import console_settings
from tests.support.tickets import add_ticket


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    log_in(client)
    return client


def reply(client: FlaskClient, reference: str, text: str, status: str = "") -> str:
    token = csrf_token(client, f"/tickets/{reference}")
    form = {"action": "reply", "reply": text, "reply_status": status, "csrf_token": token}
    return client.post(f"/tickets/{reference}", data=form, follow_redirects=True).get_data(as_text=True)


def test_a_reply_from_the_ticket_page_is_queued_for_the_partner_and_shown_apart_from_notes(
    client: FlaskClient, store: TicketStore
) -> None:
    ticket = add_ticket(store)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Reply to the partner (e-mailed to contact@espoir.org)" in page and 'class="card public-reply"' in page
    assert "Internal note (staff only)" in page, "notes stay a separate form"
    assert "acknowledgment" in page and "waiting to be sent" in page, "the acknowledgment waits for the mail worker"

    page = reply(client, ticket.reference, "Bonjour,\nle nom légal est <b>corrigé</b>.", status="resolved")
    assert "Saved; the reply is e-mailed to the partner." in page
    assert '<div class="said public">Bonjour,\nle nom légal est &lt;b&gt;corrigé&lt;/b&gt;.</div>' in page
    assert "to the partner, by e-mail" in page and "<dt>Status</dt><dd>resolved</dd>" in page
    kinds = [(m.kind, m.status) for m in MailOutbox(store.database).for_ticket(ticket.id)]
    assert kinds == [("acknowledgment", "waiting"), ("resolution", "waiting")]
    assert [e.action for e in store.events(ticket.id)] == ["created", "reply", "changed"]

    assert "Not saved: the reply is empty" in reply(client, ticket.reference, "   ")
    assert len(MailOutbox(store.database).for_ticket(ticket.id)) == 2


def test_the_ticket_page_shows_why_an_email_did_not_go(client: FlaskClient, store: TicketStore) -> None:
    ticket = add_ticket(store)
    send_due(
        MailOutbox(store.database), SmtpServer.from_url(f"smtp://127.0.0.1:{free_port()}"), "support@helpdesk.example"
    )
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "waiting to be sent" in page and "next try at" in page and "cannot reach the mail server" in page


def test_the_api_sends_a_reply_and_can_resolve_in_the_same_call(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store)
    token = api_tokens.issue(store.database, find_user(store.database, "agent@helpdesk.org").id, "crm")
    client = app.test_client()
    path = f"/api/v1/tickets/{ticket.reference}/replies"
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post(path, json={"text": "Réglé."}).status_code == 401
    answer = client.post(path, json={"text": "Réglé.", "status": "resolved"}, headers=headers)
    assert answer.status_code == 201
    body = answer.get_json()
    assert body["reply"]["text"] == "Réglé." and body["reply"]["mail_status"] == "waiting"
    assert body["ticket"]["status"] == "resolved" and body["ticket"]["first_response_at"]
    assert client.post(path, json={"text": ""}, headers=headers).status_code == 422
    assert client.post(path, json={"text": "x", "status": "done"}, headers=headers).status_code == 422
    assert client.post(path, json={"body": "x"}, headers=headers).status_code == 400
    assert client.post("/api/v1/tickets/HD-1999-000001/replies", json={"text": "x"}, headers=headers).status_code == 404


def test_admins_read_the_caught_mail_and_staff_cannot(store: TicketStore, tmp_path: Path) -> None:
    settings = console_settings(HELPDESK_VAR_DIR=str(tmp_path / "var"), SMTP_URL="")
    app = create_app(settings, store)
    app.config.update(TESTING=True)
    create_staff_user(store.database, "agent@helpdesk.org", PASSWORD, role="staff")
    create_staff_user(store.database, "admin@helpdesk.org", PASSWORD, role="admin")
    handler = MaildirHandler(tmp_path / "var" / "mail")
    message = email.message_from_string(
        "From: support@helpdesk.example\nTo: contact@espoir.org\nSubject: [HD-2026-000001] Test\n"
        "Content-Type: text/plain; charset=utf-8\n\n<script>x</script> Bonjour",
        policy=policy.default,
    )
    handler.maildir.add(message)

    staff = app.test_client()
    log_in(staff)
    assert staff.get("/mail").status_code == 403
    admin = app.test_client()
    log_in(admin, email="admin@helpdesk.org")
    inbox = admin.get("/mail").get_data(as_text=True)
    assert "[HD-2026-000001] Test" in inbox and "contact@espoir.org" in inbox
    key = next(iter(handler.maildir.keys()))
    shown = admin.get(f"/mail/{key}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt; Bonjour" in shown and "<script>x" not in shown
    assert admin.get("/mail/nothing-here").status_code == 404

    sending = create_app(console_settings(SMTP_URL="smtp://mail.example.org:25"), store)
    sending.config.update(TESTING=True)
    real = sending.test_client()
    log_in(real, email="admin@helpdesk.org")
    assert real.get("/mail").status_code == 404, "with a real mail server there is no catcher to read"


def test_admins_keep_saved_replies_that_staff_insert_in_the_tickets_language(store: TicketStore) -> None:
    app = create_app(console_settings(), store)
    app.config.update(TESTING=True)
    create_staff_user(store.database, "agent@helpdesk.org", PASSWORD, role="staff")
    create_staff_user(store.database, "admin@helpdesk.org", PASSWORD, role="admin")
    admin = app.test_client()
    log_in(admin, email="admin@helpdesk.org")
    for language, title, body in [
        ("fr", "Capture", "Pouvez-vous nous envoyer une capture d'écran ?"),
        ("en", "Screenshot", "Could you send us a screenshot?"),
    ]:
        form = {"language": language, "title": title, "body": body, "csrf_token": csrf_token(admin, "/replies")}
        assert "Saved." in admin.post("/replies", data=form, follow_redirects=True).get_data(as_text=True)
    refused = {"language": "de", "title": "x", "body": "y", "csrf_token": csrf_token(admin, "/replies")}
    assert "Not saved: the language must be one of fr, en" in admin.post(
        "/replies", data=refused, follow_redirects=True
    ).get_data(as_text=True)
    french, english = sorted(store.saved_replies.all(), key=lambda r: r.language != "fr")

    staff = app.test_client()
    log_in(staff)
    assert staff.get("/replies").status_code == 403, "admins manage them"
    ticket = add_ticket(store)  # a French ticket: only the French saved reply is offered
    page = staff.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert f'<option value="{french.id}">Capture</option>' in page and "Screenshot" not in page
    filled = staff.get(f"/tickets/{ticket.reference}?saved={french.id}").get_data(as_text=True)
    assert "Pouvez-vous nous envoyer une capture d&#39;écran ?</textarea>" in filled
    other = staff.get(f"/tickets/{ticket.reference}?saved={english.id}").get_data(as_text=True)
    assert "screenshot?</textarea>" not in other, "another language's text is not inserted"

    form = {
        "title": "Capture",
        "language": "fr",
        "body": "x",
        "delete": "1",
        "csrf_token": csrf_token(admin, "/replies"),
    }
    admin.post(f"/replies/{french.id}", data=form)
    assert [r.title for r in store.saved_replies.all()] == ["Screenshot"]
