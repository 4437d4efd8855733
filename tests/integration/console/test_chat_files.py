"""Screenshots and PDFs sent from the chat widget: checked by their bytes, kept for staff only, joined to the ticket."""

from __future__ import annotations

import io
import stat

from flask import Flask
from flask.testing import FlaskClient

from bot.mail.outbox import MailOutbox
from bot.tickets.store import TicketStore
from tests.integration.console.support import log_in
from tests.support.tickets import add_ticket

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
PDF = b"%PDF-1.7\n" + b"0" * 500
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200


def upload(
    client: FlaskClient, conversation: str, data: bytes, name: str, origin: str | None = None, language: str = "fr"
) -> tuple[int, dict, dict]:
    form = {"session_id": conversation, "language": language, "file": (io.BytesIO(data), name)}
    headers = {"Origin": origin} if origin else {}
    response = client.post("/chat/files", data=form, headers=headers, content_type="multipart/form-data")
    return response.status_code, response.get_json(), dict(response.headers)


def test_a_screenshot_sent_before_the_request_joins_its_ticket_for_staff_only(app: Flask, store: TicketStore) -> None:
    partner = app.test_client()
    status, body, _ = upload(partner, "conv-7", PNG, "erreur profil.png")
    assert status == 201 and body["ok"] and "Fichier reçu : erreur profil.png" in body["message"]
    assert "joint à votre demande" in body["message"]
    pdf_status, _, _ = upload(partner, "conv-7", PDF, "rapport.pdf")
    assert pdf_status == 201

    ticket = add_ticket(store, key=7)  # conversation conv-7 confirms its request
    files = MailOutbox(store.database).attachments(ticket.id)
    assert [(f.filename, f.content_type) for f in files] == [
        ("erreur profil.png", "image/png"),
        ("rapport.pdf", "application/pdf"),
    ]
    assert (
        MailOutbox(store.database).attachments(add_ticket(store, key=8).id) == []
    ), "another conversation's ticket gets none"

    staff = app.test_client()
    log_in(staff)
    page = staff.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Files sent from the chat" in page and "erreur profil.png" in page
    download = staff.get(f"/tickets/{ticket.reference}/attachments/{files[0].id}")
    assert download.data == PNG and download.mimetype == "application/octet-stream"
    assert partner.get(f"/tickets/{ticket.reference}/attachments/{files[0].id}").status_code in (302, 401)
    stored = app.extensions["settings"].var_dir / "attachments" / "chat" / files[0].stored_name
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_a_file_after_the_request_was_sent_joins_it_at_once(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, key=3)
    status, body, _ = upload(app.test_client(), "conv-3", PNG, "capture.png", language="en")
    assert status == 201 and f"It is attached to your request {ticket.reference}" in body["message"]
    assert [f.filename for f in MailOutbox(store.database).attachments(ticket.id)] == ["capture.png"]
    assert [e.action for e in store.events(ticket.id)][-1] == "chat_file"


def test_files_are_judged_by_their_bytes_and_size(app: Flask, store: TicketStore) -> None:
    partner = app.test_client()
    status, body, _ = upload(partner, "conv-1", EXECUTABLE, "capture.png")
    assert status == 415 and "captures d'écran (PNG, JPEG, GIF, WebP) ou des PDF" in body["message"]
    status, body, _ = upload(partner, "conv-1", b"just some text\n", "notes.txt")
    assert status == 415, "text is fine by e-mail, not as a screenshot"
    limit = app.extensions["settings"].mail.attachment_max_bytes
    status, body, _ = upload(partner, "conv-1", PNG + b"0" * limit, "huge.png")
    assert status == 413 and "trop lourd" in body["message"]
    status, body, _ = upload(partner, "conv-1", PNG + b"0" * (limit + 200_000), "huger.png")
    assert status == 413 and "trop lourd" in body["message"], "refused before the body is read"
    ticket = add_ticket(store, key=1)
    assert MailOutbox(store.database).attachments(ticket.id) == []


def test_only_pages_the_widget_may_run_on_can_send_files(app: Flask, store: TicketStore) -> None:
    partner = app.test_client()
    status, body, headers = upload(partner, "conv-1", PNG, "capture.png", origin="https://evil.example")
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    status, body, headers = upload(partner, "conv-1", PNG, "capture.png", origin="http://localhost")
    assert status == 201 and headers["Access-Control-Allow-Origin"] == "http://localhost"


def test_one_conversation_cannot_fill_the_disk(app: Flask, store: TicketStore) -> None:
    partner = app.test_client()
    statuses = [upload(partner, "conv-flood", PNG, f"c{i}.png")[0] for i in range(11)]
    assert statuses == [201] * 10 + [429]
    assert upload(partner, "conv-flood", PNG, "again.png")[1]["message"].startswith("Vous avez envoyé beaucoup")
