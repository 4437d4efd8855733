"""The staff console: login, ticket list and ticket page, escaping, CSRF, and the public widget page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import check_password_hash

from bot.console import create_app
from bot.console.users import create_staff_user, ensure_admin_from_env, find_user
from bot.settings import get_settings
from bot.tickets.migrate import upgrade
from bot.tickets.store import NewTicket, TicketStore, make_engine

PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TicketStore]:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    yield TicketStore(engine)
    engine.dispose()


@pytest.fixture
def app(store: TicketStore) -> Flask:
    settings = replace(get_settings(), secret_key="test-secret", admin_email=None, admin_password=None)
    app = create_app(settings, store)
    app.config.update(TESTING=True)
    create_staff_user(store, "agent@helpdesk.org", PASSWORD, role="staff")
    return app


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client: FlaskClient, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"email": "agent@helpdesk.org", "password": password, "csrf_token": token})


def add_ticket(store: TicketStore, key: str, **changes: str):
    fields = {
        "organization_name": "ONG Espoir",
        "profile_link": "https://www.unpartnerportal.org/profile/4821/overview",
        "issue_type": "non_editable_info",
        "description": "Le nom légal est faux.\nMerci de le corriger.",
        "contact_email": "contact@espoir.org",
        "language": "fr",
        "conversation_id": "conv-" + key,
    }
    fields.update(changes)
    return store.create(NewTicket(**fields), submission_key=key)[0]


def test_pages_need_a_login(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    client = app.test_client()
    for path in ("/tickets", f"/tickets/{ticket.reference}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_wrong_password_is_refused(app: Flask) -> None:
    client = app.test_client()
    response = log_in(client, password="wrong password")
    assert response.status_code == 401
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert client.get("/tickets").status_code == 302


def test_passwords_are_stored_hashed(store: TicketStore, app: Flask) -> None:
    user = find_user(store, "agent@helpdesk.org")
    assert user.password_hash != PASSWORD
    assert check_password_hash(user.password_hash, PASSWORD)


def test_tickets_are_listed_newest_first(app: Flask, store: TicketStore) -> None:
    older = add_ticket(store, "a", organization_name="Université de Lomé")
    newer = add_ticket(store, "b", organization_name="Réseau Jeunesse Bamako")
    client = app.test_client()
    assert log_in(client).status_code == 302
    page = client.get("/tickets").get_data(as_text=True)
    assert page.index(newer.reference) < page.index(older.reference)
    assert "Réseau Jeunesse Bamako" in page and "2 in all" in page


def test_ticket_page_shows_every_field_and_the_audit_trail(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    client = app.test_client()
    log_in(client)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    for text in (
        "ONG Espoir",
        "profile id 4821",
        "Change profile information I cannot edit",
        "Le nom légal est faux.",
        "contact@espoir.org",
        "conv-a",
        "created",
    ):
        assert text in page
    assert 'href="https://www.unpartnerportal.org/profile/4821/overview" rel="noopener noreferrer"' in page
    assert client.get("/tickets/HD-1999-000999").status_code == 404


def test_partner_text_is_shown_escaped(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, "x", description="<script>alert(1)</script>", organization_name="<b>ONG</b>")
    client = app.test_client()
    log_in(client)
    for path in ("/tickets", f"/tickets/{ticket.reference}"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "<b>ONG</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)


def test_a_login_without_csrf_token_is_refused(app: Flask) -> None:
    response = app.test_client().post("/login", data={"email": "agent@helpdesk.org", "password": PASSWORD})
    assert response.status_code == 400


def test_health_and_widget_pages_are_public(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/health").get_json() == {"status": "ok"}
    french = client.get("/").get_data(as_text=True)
    assert 'lang="fr"' in french and "Service d'aide" in french and "/vendor/socket.io.min.js" in french
    english = client.get("/?lang=en").get_data(as_text=True)
    assert 'lang="en"' in english and "Help desk for UN partners" in english
    assert 'data-language="en"' in client.get("/en").get_data(as_text=True)


def test_the_pinned_socket_io_client_is_served(app: Flask) -> None:
    response = app.test_client().get("/vendor/socket.io.min.js")
    assert response.status_code == 200
    assert b"io" in response.data[:2000]


def test_first_admin_from_the_environment_is_created_once(store: TicketStore) -> None:
    settings = replace(get_settings(), admin_email="boss@helpdesk.org", admin_password="a long password")
    first = ensure_admin_from_env(store, settings)
    again = ensure_admin_from_env(store, settings)
    assert first.id == again.id and first.role == "admin"


def test_a_short_password_or_duplicate_user_is_refused(store: TicketStore, app: Flask) -> None:
    with pytest.raises(ValueError, match="at least 8"):
        create_staff_user(store, "new@helpdesk.org", "short")
    with pytest.raises(ValueError, match="already exists"):
        create_staff_user(store, "Agent@Helpdesk.org", PASSWORD)
