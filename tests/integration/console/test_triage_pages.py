"""Triage in the console: filters and counts, ticket actions with their audit trail, transcript, CSV export."""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from bot.accounts.users import create_staff_user
from bot.console import create_app
from bot.tickets.store import TicketStore
from tests.integration.console.support import PASSWORD, csrf_token, log_in
from tests.support.settings import console_settings
from tests.support.tickets import add_ticket


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


def act(client: FlaskClient, reference: str, **form: str):
    token = csrf_token(client, f"/tickets/{reference}")
    return client.post(f"/tickets/{reference}", data={**form, "csrf_token": token}, follow_redirects=True)


def test_filters_search_and_status_counts(client: FlaskClient, store: TicketStore) -> None:
    espoir = add_ticket(store, "a")
    kindu = add_ticket(store, "b", organization_name="Femmes de Kindu", issue_type="duplicate_profile", language="en")
    store.triage.set_status(kindu.reference, "open", "agent@helpdesk.org")

    page = client.get("/tickets?issue_type=duplicate_profile").get_data(as_text=True)
    assert kindu.reference in page and espoir.reference not in page and "1 matching" in page
    page = client.get("/tickets?q=kindu").get_data(as_text=True)
    assert kindu.reference in page and espoir.reference not in page
    page = client.get(f"/tickets?q={espoir.reference}").get_data(as_text=True)
    assert espoir.reference in page and kindu.reference not in page
    page = client.get("/tickets?status=new").get_data(as_text=True)
    assert espoir.reference in page and kindu.reference not in page
    # Counts per status, each a link that keeps the other filters.
    assert '<span class="count">1</span>' in page
    page = client.get("/tickets?language=en&status=closed").get_data(as_text=True)
    assert "No ticket matches these filters." in page


def test_assign_status_priority_and_note_show_in_the_audit_trail(client: FlaskClient, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    assert "Saved." in act(client, ticket.reference, action="assign", assignee="", to_me="1").get_data(as_text=True)
    act(client, ticket.reference, action="status", status="pending")
    act(client, ticket.reference, action="priority", priority="urgent")
    page = act(client, ticket.reference, action="note", note="Rappeler <b>lundi</b>").get_data(as_text=True)

    assert "<dt>Assignee</dt><dd>agent@helpdesk.org</dd>" in page
    assert "<dt>Status</dt><dd>pending</dd>" in page and "<dt>Priority</dt><dd>urgent</dd>" in page
    assert "<code>assignee</code>: — → agent@helpdesk.org" in page
    assert "<code>status</code>: new → pending" in page
    assert "<code>priority</code>: normal → urgent" in page
    assert '<span class="note">Rappeler &lt;b&gt;lundi&lt;/b&gt;</span>' in page
    assert [e.action for e in store.events(ticket.id)] == ["created", "changed", "changed", "changed", "note"]
    assert store.by_reference(ticket.reference).assignee.email == "agent@helpdesk.org"
    # The queue filter "assigned to me" finds it.
    assert ticket.reference in client.get("/tickets?assignee=me").get_data(as_text=True)


def test_a_refused_change_says_why_and_changes_nothing(client: FlaskClient, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    page = act(client, ticket.reference, action="status", status="done").get_data(as_text=True)
    assert "Not saved: unknown status" in page
    page = act(client, ticket.reference, action="duplicate", original="HD-1999-000999").get_data(as_text=True)
    assert "Not saved: no ticket HD-1999-000999" in page
    assert [e.action for e in store.events(ticket.id)] == ["created"]
    token = csrf_token(client, f"/tickets/{ticket.reference}")
    assert client.post(f"/tickets/{ticket.reference}", data={"action": "status", "status": "open"}).status_code == 400
    assert (
        client.post("/tickets/HD-1999-000999", data={"action": "note", "note": "x", "csrf_token": token}).status_code
        == 404
    )


def test_duplicates_and_tickets_from_the_same_profile(client: FlaskClient, store: TicketStore) -> None:
    original = add_ticket(store, "a")
    repeat = add_ticket(store, "b", contact_email="autre@espoir.org")
    page = client.get(f"/tickets/{original.reference}").get_data(as_text=True)
    assert f'href="/tickets/{repeat.reference}"' in page  # same profile id 4821
    page = act(client, repeat.reference, action="duplicate", original=original.reference).get_data(as_text=True)
    assert f'<dt>Duplicate of</dt><dd><a href="/tickets/{original.reference}">' in page
    assert "<dt>Status</dt><dd>closed</dd>" in page
    assert "duplicate of this one" in client.get(f"/tickets/{original.reference}").get_data(as_text=True)


def test_the_transcript_is_read_from_rasas_tracker_store(
    client: FlaskClient, store: TicketStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
        rows = [
            ("conv-a", "user", {"text": "mon mot de passe est ********", "timestamp": 1.0}),
            ("conv-a", "action", {"name": "action_listen"}),
            ("conv-a", "bot", {"text": "Ne partagez jamais votre mot de passe.", "timestamp": 2.0}),
            ("conv-other", "user", {"text": "autre conversation", "timestamp": 3.0}),
            ("conv-a", "user", {"text": "<script>alert(1)</script>", "timestamp": 4.0}),
        ]
        db.executemany(
            "INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
            [(s, t, json.dumps(d)) for s, t, d in rows],
        )
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": "SQL", "dialect": "sqlite", "db": str(tracker)}}))
    ticket = add_ticket(store, "a")
    page = ticket_page_with_endpoints(store, ticket.reference, endpoints)
    said = page[page.index('class="transcript"') :]
    assert said.index("mon mot de passe est ********") < said.index("Ne partagez jamais votre mot de passe.")
    assert "autre conversation" not in page and "action_listen" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in said and "<script>alert" not in page
    # A conversation store that is missing is said, not an error page.
    page = ticket_page_with_endpoints(store, ticket.reference, tmp_path / "missing.yml")
    assert "The conversation store cannot be read from the console." in page


def ticket_page_with_endpoints(store: TicketStore, reference: str, endpoints: Path) -> str:
    """The ticket's page in a console whose RASA_ENDPOINTS names `endpoints` (the settings are read at start)."""
    app = create_app(console_settings(RASA_ENDPOINTS=str(endpoints)), store)
    app.config.update(TESTING=True)
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client.get(f"/tickets/{reference}").get_data(as_text=True)


def test_csv_export_follows_the_filters_and_defuses_formulas(client: FlaskClient, store: TicketStore) -> None:
    add_ticket(store, "a", organization_name='=HYPERLINK("http://evil")', language="en")
    add_ticket(store, "b", organization_name="ONG Ouest")
    response = client.get("/tickets/export.csv?language=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    assert rows[0]["organization_name"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["profile_id"] == "4821" and rows[0]["status"] == "new"
    assert len(list(csv.DictReader(io.StringIO(client.get("/tickets/export.csv").get_data(as_text=True))))) == 2


def test_export_and_actions_need_a_login(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    anonymous = app.test_client()
    assert anonymous.get("/tickets/export.csv").status_code == 302
    token = csrf_token(anonymous)
    response = anonymous.post(
        f"/tickets/{ticket.reference}", data={"action": "status", "status": "closed", "csrf_token": token}
    )
    assert response.status_code == 302 and store.by_reference(ticket.reference).status == "new"


def test_the_console_speaks_french(client: FlaskClient, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    token = csrf_token(client, "/tickets")
    response = client.post("/language", data={"language": "fr", "next": "/tickets", "csrf_token": token})
    assert response.headers["Location"] == "/tickets"
    page = client.get("/tickets").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Exporter en CSV" in page and "1 correspondant" in page
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert "Journal des modifications" in page and "Ajouter la note" in page


def test_staff_cannot_reach_admin_pages_and_admins_manage_accounts(app: Flask, store: TicketStore) -> None:
    staff = app.test_client()
    log_in(staff)
    assert staff.get("/users").status_code == 403
    token = csrf_token(staff, "/tickets")
    assert staff.post("/users", data={"email": "x@y.org", "password": PASSWORD, "csrf_token": token}).status_code == 403

    create_staff_user(store.database, "boss@helpdesk.org", PASSWORD, role="admin")
    admin = app.test_client()
    log_in(admin, email="boss@helpdesk.org")
    token = csrf_token(admin, "/users")
    data = {"email": "new@helpdesk.org", "password": PASSWORD, "role": "staff", "csrf_token": token}
    assert "Account new@helpdesk.org created." in admin.post("/users", data=data, follow_redirects=True).get_data(
        as_text=True
    )
    data = {"email": "bad", "password": "short", "role": "staff", "csrf_token": token}
    assert "Not saved:" in admin.post("/users", data=data, follow_redirects=True).get_data(as_text=True)
    # Switching the agent off ends their access at the next request.
    agent_id = next(u.id for u in store.triage.staff() if u.email == "agent@helpdesk.org")
    admin.post(f"/users/{agent_id}", data={"role": "staff", "csrf_token": token})
    assert staff.get("/tickets").status_code == 302


def test_failed_logins_are_slowed_down(app: Flask) -> None:
    client = app.test_client()
    for _ in range(5):
        assert log_in(client, password="wrong password").status_code == 200
    response = log_in(client)  # even the right password waits now
    assert response.status_code == 429 and "Too many failed logins" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/tickets").status_code == 302


def test_the_queue_and_ticket_pages_in_french_show_french_labels(client: FlaskClient, store: TicketStore) -> None:
    """Choices, statuses, priorities, speakers and the audit trail: labels from the catalogue, not the stored words."""
    ticket = add_ticket(store, "a")
    act(client, ticket.reference, action="status", status="pending")
    french = {"Accept-Language": "fr"}
    queue = html.unescape(client.get("/tickets", headers=french).get_data(as_text=True))
    page = html.unescape(client.get(f"/tickets/{ticket.reference}", headers=french).get_data(as_text=True))

    for label in ("plus récentes d'abord", "moins de 7 jours", "plus de 30 jours", "priorité la plus haute"):
        assert label in queue
    assert "Exporter en CSV" in queue and "1 correspondante" in queue
    assert "Me l'attribuer" in page and "a créé la demande" in page
    assert "a modifié <code>statut</code>: nouvelle → en attente" in page
    for english in ("newest first", "under 7 days", "Export CSV", "Assign to me", "created the ticket", "→ pending"):
        assert english not in queue + page
