"""The JSON API: token authentication, the queue with filters and cursors, changes that land in the audit trail."""

from __future__ import annotations

import pytest
from flask import Flask

from bot.accounts import api_tokens
from bot.accounts.users import create_staff_user, find_user
from bot.tickets.store import TicketStore
from tests.integration.console.support import PASSWORD, csrf_token, log_in
from tests.support.tickets import add_ticket


@pytest.fixture
def token(store: TicketStore, app: Flask) -> str:
    return api_tokens.issue(store.database, find_user(store.database, "agent@helpdesk.org").id, "crm sync")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_call_needs_a_valid_token(app: Flask, store: TicketStore, token: str) -> None:
    ticket = add_ticket(store, "a")
    client = app.test_client()
    calls = [
        ("get", "/api/v1/tickets", None),
        ("get", f"/api/v1/tickets/{ticket.reference}", None),
        ("patch", f"/api/v1/tickets/{ticket.reference}", {"status": "open"}),
        ("post", f"/api/v1/tickets/{ticket.reference}/notes", {"text": "x"}),
        ("post", f"/api/v1/tickets/{ticket.reference}/duplicate", {"of": ticket.reference}),
    ]
    for method, path, body in calls:
        for headers in ({}, auth("hdk_wrong"), {"Authorization": token}):
            response = getattr(client, method)(path, json=body, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.headers["WWW-Authenticate"] == "Bearer"
    # A logged-in console session is not an API credential.
    log_in(client)
    assert client.get("/api/v1/tickets").status_code == 401
    assert store.by_reference(ticket.reference).status == "new"


def test_list_filter_and_walk_the_pages(app: Flask, store: TicketStore, token: str) -> None:
    tickets = [add_ticket(store, f"k{i}", language="en" if i % 2 else "fr") for i in range(5)]
    client = app.test_client()
    body = client.get("/api/v1/tickets?limit=2", headers=auth(token)).get_json()
    assert body["total"] == 5 and [t["reference"] for t in body["tickets"]] == [
        tickets[4].reference,
        tickets[3].reference,
    ]
    seen = [t["reference"] for t in body["tickets"]]
    while body["next"]:
        body = client.get(f"/api/v1/tickets?limit=2&after={body['next']}", headers=auth(token)).get_json()
        seen += [t["reference"] for t in body["tickets"]]
    assert seen == [t.reference for t in reversed(tickets)]
    english = client.get("/api/v1/tickets?language=en", headers=auth(token)).get_json()
    assert {t["reference"] for t in english["tickets"]} == {tickets[1].reference, tickets[3].reference}
    first = english["tickets"][0]
    assert first["profile_id"] == "4821" and first["contact_email"] == "contact@espoir.org"


def test_changes_through_the_api_are_audited_as_the_tokens_account(app: Flask, store: TicketStore, token: str) -> None:
    ticket = add_ticket(store, "a")
    original = add_ticket(store, "b")
    create_staff_user(store.database, "other@helpdesk.org", PASSWORD)
    client = app.test_client()
    path = f"/api/v1/tickets/{ticket.reference}"
    body = client.patch(
        path, json={"status": "open", "priority": "high", "assignee": "other@helpdesk.org"}, headers=auth(token)
    ).get_json()
    assert body["ticket"]["status"] == "open" and body["ticket"]["assignee"] == "other@helpdesk.org"
    assert client.post(f"{path}/notes", json={"text": "Vu avec le partenaire"}, headers=auth(token)).status_code == 201
    trail = client.get(path, headers=auth(token)).get_json()["events"]
    assert [(e["actor"], e["action"], e["field"]) for e in trail] == [
        ("bot", "created", None),
        ("agent@helpdesk.org", "changed", "assignee"),
        ("agent@helpdesk.org", "changed", "status"),
        ("agent@helpdesk.org", "changed", "priority"),
        ("agent@helpdesk.org", "note", None),
    ]
    body = client.post(f"{path}/duplicate", json={"of": original.reference}, headers=auth(token)).get_json()
    assert body["ticket"]["duplicate_of"] == original.reference and body["ticket"]["status"] == "closed"


def test_bad_requests_get_a_4xx_with_a_reason(app: Flask, store: TicketStore, token: str) -> None:
    ticket = add_ticket(store, "a")
    client = app.test_client()
    path = f"/api/v1/tickets/{ticket.reference}"
    assert client.get("/api/v1/tickets/HD-1999-000999", headers=auth(token)).status_code == 404
    response = client.patch(path, data="not json", headers=auth(token), content_type="application/json")
    assert response.status_code == 400
    response = client.patch(path, json={"reference": "HD-1"}, headers=auth(token))
    assert response.status_code == 400 and "unknown field" in response.get_json()["error"]
    response = client.patch(path, json={"status": "done"}, headers=auth(token))
    assert response.status_code == 422 and "unknown status" in response.get_json()["error"]
    response = client.patch(path, json={"assignee": "nobody@helpdesk.org"}, headers=auth(token))
    assert response.status_code == 422
    assert client.post(f"{path}/notes", json={"text": "  "}, headers=auth(token)).status_code == 422
    assert [e.action for e in store.events(ticket.id)] == ["created"]


def test_revoked_tokens_and_switched_off_accounts_stop_working(app: Flask, store: TicketStore, token: str) -> None:
    create_staff_user(store.database, "boss@helpdesk.org", PASSWORD, role="admin")
    admin = app.test_client()
    log_in(admin, email="boss@helpdesk.org")
    form = {"name": "helpdesk bridge", "user_id": str(find_user(store.database, "boss@helpdesk.org").id)}
    page = admin.post("/users/tokens", data={**form, "csrf_token": csrf_token(admin, "/users")}).get_data(as_text=True)
    assert "shown only once" in page
    issued = page.split('<code class="token">')[1].split("</code>")[0]
    client = app.test_client()
    assert client.get("/api/v1/tickets", headers=auth(issued)).status_code == 200
    stored = api_tokens.list_tokens(store.database)
    assert all(issued not in (t.token_hash, t.name) for t in stored)  # only a hash is kept
    token_id = next(t.id for t in stored if t.name == "helpdesk bridge")
    admin.post(f"/users/tokens/{token_id}/revoke", data={"csrf_token": csrf_token(admin, "/users")})
    assert client.get("/api/v1/tickets", headers=auth(issued)).status_code == 401

    agent_id = find_user(store.database, "agent@helpdesk.org").id
    admin.post(f"/users/{agent_id}", data={"role": "staff", "csrf_token": csrf_token(admin, "/users")})
    assert client.get("/api/v1/tickets", headers=auth(token)).status_code == 401


def test_a_token_from_the_command_line_works(app: Flask, store: TicketStore, monkeypatch, capsys) -> None:
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", str(store.database.engine.url))
    assert main(["create-token", "nobody@helpdesk.org", "--name", "crm"]) == 1
    assert "create it first" in capsys.readouterr().err
    assert main(["create-token", "agent@helpdesk.org", "--name", "crm"]) == 0
    issued = capsys.readouterr().out.strip().splitlines()[-1]
    assert app.test_client().get("/api/v1/tickets", headers=auth(issued)).status_code == 200
