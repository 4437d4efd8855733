"""The console findings of the safe-by-default review (item 5), each tried as the attacker or careless user did."""

from __future__ import annotations

import csv
import io
import time

import pytest
import werkzeug.security
from flask import Flask
from flask.testing import FlaskClient

import bot.accounts.users
from bot.accounts.users import create_staff_user, find_user, set_role_and_activity
from bot.console.auth import user as session_rules
from bot.tickets.store import TicketStore
from tests.integration.console.support import PASSWORD, csrf_token, log_in
from tests.support.settings import console_settings
from tests.support.tickets import add_ticket

STAFF = "agent@helpdesk.org"


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert log_in(client).status_code == 302
    return client


def test_the_login_throttle_counts_the_account_however_its_address_is_typed(
    clean_env: pytest.MonkeyPatch, store: TicketStore
) -> None:
    from bot.console import create_app

    app = create_app(console_settings(LOGIN_MAX_FAILURES="3"), store)
    create_staff_user(store.database, STAFF, PASSWORD)
    client = app.test_client()
    for typed in ("Agent@Helpdesk.org.", "<agent@helpdesk.org>", " AGENT@helpdesk.org "):
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{len(typed)}"  # a new address each time
        assert log_in(client, password="wrong", email=typed).status_code == 200
    client.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    assert log_in(client).status_code == 429, "three failures on one account, whatever the spelling"


def test_a_copied_session_cookie_stops_working_at_logout(app: Flask, client: FlaskClient) -> None:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/tickets")}).status_code == 302

    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    assert thief.get("/tickets").status_code == 302, "the old cookie leads to the login page"


def test_a_deactivated_account_loses_its_open_sessions(app: Flask, client: FlaskClient, store: TicketStore) -> None:
    assert client.get("/tickets").status_code == 200
    set_role_and_activity(store.database, find_user(store.database, STAFF).id, "staff", active=False)
    assert client.get("/tickets").status_code == 302


def test_a_session_ends_eight_hours_after_login_however_active(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.time()
    monkeypatch.setattr(session_rules.time, "time", lambda: started + 7.9 * 3600)
    assert client.get("/tickets").status_code == 200
    monkeypatch.setattr(session_rules.time, "time", lambda: started + 8.1 * 3600)
    assert client.get("/tickets").status_code == 302


def test_an_inactive_account_is_refused_after_the_same_password_check(
    store: TicketStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No account enumeration by timing: unknown, inactive and wrong-password logins all hash the password."""
    user = create_staff_user(store.database, "former@helpdesk.org", PASSWORD)
    set_role_and_activity(store.database, user.id, "staff", active=False)
    checks: list[str] = []
    real = werkzeug.security.check_password_hash
    monkeypatch.setattr(
        bot.accounts.users, "check_password_hash", lambda stored, given: checks.append(given) or real(stored, given)
    )
    for email in ("nobody@helpdesk.org", "former@helpdesk.org", STAFF):
        assert bot.accounts.users.authenticate(store.database, email, "a wrong password") is None
    assert bot.accounts.users.authenticate(store.database, "former@helpdesk.org", PASSWORD) is None
    assert checks == ["a wrong password"] * 3 + [PASSWORD]


@pytest.mark.parametrize("value", ["²", "١٢", "99999999999999999999", "-1", "1e3"])
def test_odd_ids_are_refused_quietly_never_a_server_error(
    app: Flask, client: FlaskClient, store: TicketStore, value: str
) -> None:
    ticket = add_ticket(store)
    assert client.get(f"/tickets?assignee={value}").status_code == 200
    form = {"action": "assign", "assignee": value, "csrf_token": csrf_token(client, "/tickets")}
    assert client.post(f"/tickets/{ticket.reference}", data=form).status_code == 302
    assert store.by_reference(ticket.reference).assignee_id is None


def test_the_json_api_answers_every_error_in_json(app: Flask, store: TicketStore) -> None:
    api = app.test_client()
    for response in (
        api.get("/api/v1/nothing-here"),
        api.delete("/api/v1/tickets"),
        api.get("/api/v1/tickets?assignee=²"),
    ):
        assert response.is_json and "error" in response.get_json(), (response.status_code, response.data[:80])


def test_an_id_too_large_for_the_database_is_not_found(client: FlaskClient) -> None:
    token = csrf_token(client, "/tickets")
    assert client.post("/users/99999999999999999999", data={"csrf_token": token}).status_code == 404
    example = "/knowledge/unanswered/99999999999999999999/example"
    assert client.post(example, data={"csrf_token": token}).status_code == 404


def test_no_csv_cell_becomes_a_formula_even_after_a_separator(client: FlaskClient, store: TicketStore) -> None:
    add_ticket(store, organization_name='ACME;=HYPERLINK("http://evil.example","x")', description="-2+3")
    exported = client.get("/tickets/export.csv").get_data(as_text=True)
    for delimiter in (",", ";"):  # as a French spreadsheet reads it, too
        cells = [cell for row in csv.reader(io.StringIO(exported), delimiter=delimiter) for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))], delimiter


def test_the_contact_link_writes_to_exactly_the_partners_address(client: FlaskClient, store: TicketStore) -> None:
    ticket = add_ticket(store, contact_email="awa?bcc=boss@afk.org")
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert 'href="mailto:awa%3Fbcc%3Dboss@afk.org"' in page and "mailto:awa?bcc" not in page


def test_pages_carry_a_content_security_policy_and_hsts_under_https(
    store: TicketStore, clean_env: pytest.MonkeyPatch
) -> None:
    from bot.console import create_app

    clean_env.setenv("CONSOLE_HTTPS", "1")
    app = create_app(console_settings(RASA_URL="https://bot.example.org"), store)
    for path in ("/login", "/"):
        response = app.test_client().get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "connect-src 'self' https://bot.example.org wss://bot.example.org" in policy
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "frame-ancestors 'none'" in app.test_client().get("/login").headers["Content-Security-Policy"]
    assert "frame-ancestors" not in app.test_client().get("/").headers["Content-Security-Policy"], "embeddable"
