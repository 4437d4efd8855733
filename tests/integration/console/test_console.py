"""The staff console: login, ticket list and ticket page, escaping, CSRF, and the public widget page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.security import check_password_hash

from bot.accounts.models import StaffUser
from bot.accounts.users import authenticate, create_staff_user, ensure_first_admin, find_user
from bot.console import create_app
from bot.database import Database, make_engine
from bot.tickets.store import TicketStore
from tests.integration.console.support import PASSWORD, csrf_token, log_in
from tests.support.settings import console_settings
from tests.support.tickets import add_ticket


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
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Wrong e-mail or password" in page and 'name="password"' in page
    assert 'value="agent@helpdesk.org"' in page  # the e-mail stays typed in
    assert client.get("/tickets").status_code == 302


def test_passwords_are_stored_hashed(store: TicketStore, app: Flask) -> None:
    user = find_user(store.database, "agent@helpdesk.org")
    assert user.password_hash != PASSWORD
    assert check_password_hash(user.password_hash, PASSWORD)


def test_tickets_are_listed_newest_first(app: Flask, store: TicketStore) -> None:
    older = add_ticket(store, "a", organization_name="Université de Lomé")
    newer = add_ticket(store, "b", organization_name="Réseau Jeunesse Bamako")
    client = app.test_client()
    assert log_in(client).status_code == 302
    page = client.get("/tickets").get_data(as_text=True)
    assert page.index(newer.reference) < page.index(older.reference)
    assert "Réseau Jeunesse Bamako" in page and "2 matching" in page


def test_ticket_page_shows_every_field_and_the_audit_trail(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    client = app.test_client()
    log_in(client)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    for text in (
        "ONG Espoir",
        "<dt>Profile id</dt><dd>4821</dd>",
        '<dd class="description">Le nom légal est faux.\nMerci de le corriger.</dd>',
        "<dt>Status</dt><dd>new</dd>",
        "<dt>Language</dt><dd>fr</dd>",
        "<dt>Priority</dt><dd>normal</dd>",
        "Change profile information I cannot edit",
        "contact@espoir.org",
        "conv-a",
        ticket.reference,
        ticket.created_at.strftime("%Y-%m-%d %H:%M"),
    ):
        assert text in page
    assert "<strong>bot</strong>\n    created" in page
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
    assert app.config.get("WTF_CSRF_ENABLED", True)
    client = app.test_client()
    response = client.post("/login", data={"email": "agent@helpdesk.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired or did not come from this site" in response.get_data(as_text=True)
    assert client.get("/tickets").status_code == 302
    bad_token = {"email": "agent@helpdesk.org", "password": PASSWORD, "csrf_token": "forged"}
    assert client.post("/login", data=bad_token).status_code == 400


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
    settings = console_settings(CONSOLE_ADMIN_EMAIL="boss@helpdesk.org", CONSOLE_ADMIN_PASSWORD="a long password")
    first = ensure_first_admin(store.database, settings)
    again = ensure_first_admin(store.database, settings)
    assert first.id == again.id and first.role == "admin"


def test_a_short_password_or_duplicate_user_is_refused(store: TicketStore, app: Flask) -> None:
    with pytest.raises(ValueError, match="at least 8"):
        create_staff_user(store.database, "new@helpdesk.org", "short")
    with pytest.raises(ValueError, match="already exists"):
        create_staff_user(store.database, "Agent@Helpdesk.org", PASSWORD)


@pytest.mark.parametrize("target", ["https://evil.org/", "//evil.org/", "/\\evil.org", "/\t/evil.org", "tickets"])
def test_login_follows_next_only_to_local_paths(app: Flask, target: str) -> None:
    client = app.test_client()
    token = csrf_token(client)
    data = {"email": "agent@helpdesk.org", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", query_string={"next": target}, data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/tickets"


def test_login_follows_a_local_next_and_logout_ends_the_session(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, "a")
    client = app.test_client()
    redirect = client.get(f"/tickets/{ticket.reference}").headers["Location"]
    token = csrf_token(client, redirect)
    data = {"email": "agent@helpdesk.org", "password": PASSWORD, "csrf_token": token}
    response = client.post(redirect, data=data)
    assert response.headers["Location"] == f"/tickets/{ticket.reference}"
    assert client.get("/login").headers["Location"] == "/tickets"  # already logged in
    assert client.get("/logout").status_code == 405  # a link or an image cannot log staff out
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/tickets")}).status_code == 302
    assert client.get("/tickets").status_code == 302


def test_the_queue_has_fifty_tickets_a_page_with_links_both_ways(app: Flask, store: TicketStore) -> None:
    tickets = [add_ticket(store, f"k{i}") for i in range(51)]
    client = app.test_client()
    log_in(client)
    first = client.get("/tickets").get_data(as_text=True)
    assert "51 matching" in first and 'rel="prev"' not in first
    assert tickets[-1].reference in first and tickets[0].reference not in first
    assert first.count('href="/tickets/HD-') == 50
    next_link = re.search(r'href="(/tickets\?after=[^"]+)" rel="next"', first).group(1)
    second = client.get(next_link.replace("&amp;", "&")).get_data(as_text=True)
    assert tickets[0].reference in second and second.count('href="/tickets/HD-') == 1
    assert 'rel="next"' not in second
    previous_link = re.search(r'href="(/tickets\?before=[^"]+)" rel="prev"', second).group(1)
    back = client.get(previous_link.replace("&amp;", "&")).get_data(as_text=True)
    assert back.count('href="/tickets/HD-') == 50 and tickets[-1].reference in back
    # A cursor that is not ours shows the first page rather than an error.
    assert client.get("/tickets?after=abc").status_code == 200


def test_a_profile_link_that_is_not_a_web_address_is_not_a_link(app: Flask, store: TicketStore) -> None:
    ticket = add_ticket(store, "j", profile_link="javascript:alert(1)")
    client = app.test_client()
    log_in(client)
    page = client.get(f"/tickets/{ticket.reference}").get_data(as_text=True)
    assert 'href="javascript' not in page and "javascript:alert(1) <em>(not a web address)</em>" in page


def test_console_pages_are_not_cached_or_framed(app: Flask, store: TicketStore) -> None:
    client = app.test_client()
    log_in(client)
    response = client.get("/tickets")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in client.get("/").headers  # the widget page may be embedded


def test_unknown_pages_get_the_not_found_page(app: Flask) -> None:
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404 and "Not found" in response.get_data(as_text=True)


def test_the_widget_page_points_at_the_configured_rasa_server(
    store: TicketStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RASA_URL", "https://bot.example.org/")
    app = create_app(console_settings(CONSOLE_SECRET_KEY="s"), store)
    client = app.test_client()
    page = client.get("/chat").get_data(as_text=True)
    assert 'data-server="https://bot.example.org"' in page and 'data-language="fr"' in page
    assert 'lang="fr"' in client.get("/chat?lang=xx").get_data(as_text=True)
    assert 'lang="en"' in client.get("/?lang=EN").get_data(as_text=True)
    monkeypatch.delenv("RASA_URL")
    app = create_app(console_settings(CONSOLE_SECRET_KEY="s"), store)
    assert 'data-server="http://localhost:5005"' in app.test_client().get("/").get_data(as_text=True)


def test_the_widget_page_gives_the_widget_the_rasa_servers_message_limit(store: TicketStore) -> None:
    page = create_app(console_settings(MAX_MESSAGE_CHARS="350"), store).test_client().get("/").get_data(as_text=True)
    assert 'data-max-chars="350"' in page
    page = create_app(console_settings(MAX_MESSAGE_CHARS="0"), store).test_client().get("/").get_data(as_text=True)
    assert 'data-max-chars="0"' in page, "0: no limit, in the widget as in the Rasa server"


def test_a_missing_socket_io_client_is_explained(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr("bot.console.public.views.SOCKET_IO_CLIENT", tmp_path / "missing.js")
    response = app.test_client().get("/vendor/socket.io.min.js")
    assert response.status_code == 404 and "npm ci" in response.get_data(as_text=True)


def test_without_a_secret_key_a_random_one_is_used_with_a_warning(
    store: TicketStore, caplog: pytest.LogCaptureFixture
) -> None:
    settings = console_settings(CONSOLE_SECRET_KEY="")
    with caplog.at_level("WARNING", logger="bot.console"):
        first = create_app(settings, store)
        second = create_app(settings, store)
    assert len(first.secret_key) >= 32 and first.secret_key != second.secret_key
    assert "CONSOLE_SECRET_KEY is not set" in caplog.text


def test_bad_users_are_refused_with_a_clear_message(store: TicketStore) -> None:
    with pytest.raises(ValueError, match="role must be one of staff, admin"):
        create_staff_user(store.database, "new@helpdesk.org", PASSWORD, role="root")
    with pytest.raises(ValueError, match="not a valid e-mail address"):
        create_staff_user(store.database, "not-an-address", PASSWORD)


def test_authenticate_refuses_unknown_and_inactive_users(store: TicketStore) -> None:
    user = create_staff_user(store.database, "agent@helpdesk.org", PASSWORD)
    assert authenticate(store.database, "AGENT@helpdesk.org", PASSWORD).id == user.id
    assert authenticate(store.database, "nobody@helpdesk.org", PASSWORD) is None
    with store.sessions() as session:
        session.get(StaffUser, user.id).active = False
        session.commit()
    assert authenticate(store.database, "agent@helpdesk.org", PASSWORD) is None


def test_a_bad_admin_from_the_environment_names_the_variables(store: TicketStore) -> None:
    settings = console_settings(CONSOLE_ADMIN_EMAIL="boss@helpdesk.org", CONSOLE_ADMIN_PASSWORD="short")
    with pytest.raises(ValueError, match="CONSOLE_ADMIN_EMAIL / CONSOLE_ADMIN_PASSWORD: the password must have"):
        ensure_first_admin(store.database, settings)


def test_an_unmigrated_database_is_explained(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    settings = console_settings(CONSOLE_ADMIN_EMAIL="boss@helpdesk.org", CONSOLE_ADMIN_PASSWORD="a long password")
    with pytest.raises(RuntimeError, match="helpdesk db upgrade"):
        create_app(settings, TicketStore(Database(engine)))
    engine.dispose()
