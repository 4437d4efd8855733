"""Who the console refuses, proven route by route.

The walks go over `app.url_map`, so a route added later is checked without editing this file: anonymous visitors
are sent to the login page (401 on the JSON API), staff get 403 on admin-only routes, a console session does not
open the API, and forms without a CSRF token are refused in the staff member's language. Each walk also checks
that the refused requests changed nothing. Then the cookies' flags, the reverse-proxy setting and the login
throttle, in memory and shared through the local Redis.
"""

from __future__ import annotations

import logging
import re
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import MetaData, select
from werkzeug.routing import Rule

from bot.accounts import api_tokens
from bot.accounts.users import create_staff_user, find_user
from bot.console import create_app
from bot.console.auth.redis_throttle import RedisLoginThrottle
from bot.console.auth.throttle import LoginThrottle
from bot.console.auth.user import ConsoleUser
from bot.console.roles import is_admin_only
from bot.knowledge.records import KnowledgeRecords
from bot.mail.catcher import MaildirHandler
from bot.settings import PROJECT_ROOT
from bot.tickets.store import TicketStore
from bot.training.publishing import PublishJob
from tests.integration.console.support import PASSWORD
from tests.support.services import REDIS_URL, redis_key_prefix
from tests.support.settings import console_settings
from tests.support.tickets import add_ticket

ADMIN = "admin@helpdesk.org"
STAFF = "agent@helpdesk.org"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Endpoints anyone may reach, each with the reason. Everything else must refuse an anonymous visitor.
PUBLIC_ENDPOINTS = {
    "static": "the widget's script and stylesheet (embedded by partner sites), the console's styles and scripts",
    "public.health": "health check for process managers and load balancers",
    "public.widget_page": "the partners' chat page, / and /chat",
    "public.widget_page_en": "the partners' chat page in English, /en",
    "public.socket_io_client": "the pinned socket.io client that the widget page loads",
    "public.rate": "a satisfaction link of a resolution e-mail: its random single-use token is the permission",
    "public.rating_comment": "the comment on a rating, allowed with the same token once the score is in",
    "chat_files.upload": "the widget's screenshot upload: the conversation id is the key (Origin checked)",
    "auth.login": "the login form itself",
    "auth.choose_language": "the language switch, offered on the login page too",
}
# Blueprints that exist only for admins: every route in them must carry `admin_required`.
ADMIN_BLUEPRINTS = ("accounts", "knowledge", "mail", "saved_replies")
# The CSRF refusal as the staff member reads it.
CSRF_REFUSAL = {
    "en": ("Form refused", "This form has expired or did not come from this site."),
    "fr": ("Formulaire refusé", "Ce formulaire a expiré ou ne vient pas de ce site."),
}
LOGIN_CSRF_REFUSAL = {lang: sentence for lang, (_, sentence) in CSRF_REFUSAL.items()}
KNOWLEDGE = PROJECT_ROOT / "knowledge"  # the fake steps read nothing there


# --- the console with one of everything a route can change ---------------------------------------------------------


@dataclass
class Console:
    app: Flask
    store: TicketStore
    kb_dir: Path
    publish_calls: list[str]
    values: dict[str, str]  # a real object for each URL argument, so a route that let a request through would act
    form: dict[str, str]  # form fields that would change something if a route accepted them
    api_body: dict[str, Any]
    staff_token: str


def new_app(store: TicketStore) -> Flask:
    settings = console_settings()
    app = create_app(settings, store)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=True)
    return app


@pytest.fixture
def console(store: TicketStore, tmp_path: Path, clean_env: pytest.MonkeyPatch) -> Console:
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", kb_dir)
    clean_env.setenv("KNOWLEDGE_DIR", str(kb_dir))
    clean_env.setenv("HELPDESK_VAR_DIR", str(tmp_path / "var"))
    clean_env.setenv("SMTP_URL", "")  # the mail catcher's messages are an admin page
    caught_key = MaildirHandler(tmp_path / "var" / "mail").maildir.add(b"To: a@b.org\nSubject: caught\n\nhello")
    app = new_app(store)
    staff = create_staff_user(store.database, STAFF, PASSWORD, role="staff")
    create_staff_user(store.database, ADMIN, PASSWORD, role="admin")
    other = create_staff_user(store.database, "colleague@helpdesk.org", PASSWORD, role="staff")
    staff_token = api_tokens.issue(store.database, staff.id, "CRM sync")
    token_id = api_tokens.list_tokens(store.database)[0].id
    first, second = add_ticket(store, "a"), add_ticket(store, "b")
    question_id = KnowledgeRecords(store.database).record_unanswered("une question", "fr", [], "c1")

    calls: list[str] = []
    app.extensions["knowledge_publisher"] = PublishJob(  # a publication that only notes that it was started
        knowledge_dir=KNOWLEDGE,
        rasa_url="http://127.0.0.1:5005",
        check=lambda directory: calls.append("check"),
        build=lambda directory: calls.append("build"),
        train=lambda directory, on_line: calls.append("train"),
        load=lambda url: calls.append("load"),
    )
    values = {
        "reference": first.reference,
        "article_id": "forgot-password",
        "question_id": str(question_id),
        "user_id": str(other.id),
        "token_id": str(token_id),
        "filename": "console.css",
        "key": caught_key,
        "reply_id": str(store.saved_replies.save(None, "fr", "Capture", "Une capture ?", ADMIN).id),
    }
    form = {
        "action": "note",
        "note": "written by an intruder",
        "status": "closed",
        "priority": "high",
        "assignee": "me",
        "to_me": "1",
        "original": second.reference,
        "email": "intruder@example.org",
        "password": "an intruder's password",
        "role": "admin",
        "active": "0",
        "user_id": str(other.id),
        "name": "intruder's token",
        "article_id": "forgot-password",
        "id": "intruder-article",
        "language": "fr",
        "next": "/tickets",
    }
    api_body = {"status": "closed", "priority": "high", "text": "written by an intruder", "of": second.reference}
    return Console(app, store, kb_dir, calls, values, form, api_body, staff_token)


def snapshot(console: Console) -> dict[str, Any]:
    """Every row of every table, every knowledge file, and the publication: what a let-through request would change."""
    metadata = MetaData()
    metadata.reflect(console.store.database.engine)
    rows = {}
    with console.store.database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            # Using a token notes when it was last used: that is not a change a refused request could make.
            columns = [column for column in table.columns if column.name != "last_used_at"]
            rows[table.name] = sorted(map(tuple, connection.execute(select(*columns))), key=repr)
    paths = [path for path in console.kb_dir.rglob("*") if path.is_file()]
    files = {str(path.relative_to(console.kb_dir)): path.read_bytes() for path in paths}
    publication = console.app.extensions["knowledge_publisher"].status().stage
    return {"rows": rows, "files": files, "publication": publication, "publish_calls": list(console.publish_calls)}


# Public endpoints that change something without any cookie (so no CSRF token), each with what guards it instead.
COOKIELESS = {"chat_files.upload": "the conversation id only the partner's browser holds; the page's Origin"}


# --- walking the routes --------------------------------------------------------------------------------------------


def is_api(rule: Rule) -> bool:
    return rule.rule.startswith("/api/")


def methods(rule: Rule) -> list[str]:
    """Every method the rule answers but OPTIONS, which Flask answers itself (the allowed methods; no view runs)."""
    return sorted(rule.methods - {"OPTIONS"})


def routes(app: Flask, *, public: bool = False) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        if public or rule.endpoint not in PUBLIC_ENDPOINTS
        for method in methods(rule)
    ]


def path_for(app: Flask, rule: Rule, method: str, values: dict[str, str]) -> str:
    """The rule's address with a real object per argument ("1" for an argument this file does not know yet)."""
    built = rule.build({name: values.get(name, "1") for name in rule.arguments})
    assert built, f"cannot build {rule.rule}"
    path = built[1]
    matched, _ = app.url_map.bind("localhost").match(path, method=method, return_rule=True)
    assert matched is rule, f"{path} reaches {matched.rule}, not {rule.rule}: give its argument another value"
    return path


def send(
    console: Console,
    client: FlaskClient,
    rule: Rule,
    method: str,
    *,
    csrf_token: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The request a browser (or an API client, under /api/) would send, carrying a change."""
    path = path_for(console.app, rule, method, console.values)
    if method not in UNSAFE_METHODS:
        return client.open(path, method=method, headers=headers)
    if is_api(rule):
        return client.open(path, method=method, json=console.api_body, headers=headers)
    form = dict(console.form, **({"csrf_token": csrf_token} if csrf_token else {}))
    return client.open(path, method=method, data=form, headers=headers)


def csrf_token_of(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_token_of(client)}
    assert client.post("/login", data=form).status_code == 302
    return client


# --- 1. anonymous visitors -----------------------------------------------------------------------------------------


def test_the_public_allow_list_names_only_existing_endpoints(console: Console) -> None:
    """A renamed or removed public page must leave the list, so that its old name cannot excuse a new route."""
    assert set(PUBLIC_ENDPOINTS) <= set(console.app.view_functions)


def test_every_route_refuses_an_anonymous_visitor(console: Console) -> None:
    client = console.app.test_client()
    token = csrf_token_of(client)  # a valid token: the refusal must come from the missing login, not from CSRF
    before = snapshot(console)
    checked = 0
    for rule, method in routes(console.app):
        response = send(console, client, rule, method, csrf_token=token)
        where = f"anonymous {method} {rule.rule}"
        if is_api(rule):
            assert response.status_code == 401, where
            assert response.headers["WWW-Authenticate"] == "Bearer", where
        else:
            assert response.status_code == 302, where
            assert urlsplit(response.headers["Location"]).path == "/login", where
        checked += 1
    assert checked >= 30  # the walk really went over the console (33 route-methods when this was written)
    assert snapshot(console) == before
    assert client.get("/tickets").status_code == 302  # and the visitor is still not logged in


# --- 2. staff on admin routes; the API needs a token ---------------------------------------------------------------


def admin_routes(app: Flask) -> list[tuple[Rule, str]]:
    return [(rule, method) for rule, method in routes(app) if is_admin_only(app.view_functions[rule.endpoint])]


def test_every_route_of_the_admin_blueprints_is_marked_admin_only(console: Console) -> None:
    """The marker is what the next test walks: a route added to an admin blueprint without it fails here."""
    admin_endpoints = {rule.endpoint for rule, _ in admin_routes(console.app)}
    in_admin_blueprints = {name for name in console.app.view_functions if name.split(".")[0] in ADMIN_BLUEPRINTS}
    assert in_admin_blueprints and in_admin_blueprints <= admin_endpoints
    assert not any(name.startswith("tickets.") for name in admin_endpoints)  # staff triage tickets


def test_staff_are_refused_every_admin_only_route(console: Console) -> None:
    staff = logged_in(console.app, STAFF)
    token = csrf_token_of(staff, "/tickets")
    # The staff member's API token too, so an admin-only API call would know who is asking and still refuse.
    bearer = {"Authorization": f"Bearer {console.staff_token}"}
    before = snapshot(console)
    refused = admin_routes(console.app)
    for rule, method in refused:
        response = send(console, staff, rule, method, csrf_token=token, headers=bearer)
        where = f"staff {method} {rule.rule}"
        assert response.status_code == 403, where
        if method != "HEAD" and not is_api(rule):
            assert "This page is for admins only." in response.get_data(as_text=True), where
    assert snapshot(console) == before
    pages = {rule.rule for rule, _ in refused}
    assert {"/users", "/users/tokens", "/knowledge", "/knowledge/publish"} <= pages

    admin = logged_in(console.app, ADMIN)  # the same routes open for an admin: the 403 is about the role
    for rule, method in refused:
        if method == "GET":
            path = path_for(console.app, rule, method, console.values)
            assert admin.get(path).status_code == 200, f"admin GET {rule.rule}"


@pytest.mark.parametrize("email", [STAFF, ADMIN])
def test_a_console_session_does_not_open_the_api(console: Console, email: str) -> None:
    client = logged_in(console.app, email)
    token = csrf_token_of(client, "/tickets")
    before = snapshot(console)
    api_routes = [(rule, method) for rule, method in routes(console.app) if is_api(rule)]
    assert api_routes
    for rule, method in api_routes:
        response = send(console, client, rule, method, csrf_token=token)
        assert response.status_code == 401, f"{email} with a session cookie only: {method} {rule.rule}"
    assert snapshot(console) == before
    bearer = {"Authorization": f"Bearer {console.staff_token}"}
    assert client.get("/api/v1/tickets", headers=bearer).status_code == 200  # what opens it: a token


# --- 3. CSRF -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr"])
def test_forms_without_a_valid_csrf_token_are_refused_in_the_staff_language(console: Console, language: str) -> None:
    client = logged_in(console.app, ADMIN)  # an admin, so every page lets the form through but for its token
    client.post("/language", data={"language": language, "csrf_token": csrf_token_of(client, "/tickets")})
    console.form["language"] = "en" if language == "fr" else "fr"  # the refused language switch would change it
    before = snapshot(console)
    posts = [(rule, method) for rule, method in routes(console.app, public=True) if method in UNSAFE_METHODS]
    # The API and the widget's upload take no cookies: nothing for a forged cross-site request to ride on.
    posts = [(rule, method) for rule, method in posts if not is_api(rule) and rule.endpoint not in COOKIELESS]
    assert any(rule.endpoint == "auth.login" for rule, _ in posts)
    for rule, method in posts:
        for token in (None, "forged"):
            response = send(console, client, rule, method, csrf_token=token)
            page = response.get_data(as_text=True)
            where = f"{method} {rule.rule} with token {token!r}"
            assert response.status_code == 400, where
            if rule.endpoint == "auth.login":
                assert LOGIN_CSRF_REFUSAL[language] in page, where
            else:
                title, sentence = CSRF_REFUSAL[language]
                assert f"<h1>{title}</h1>" in page and sentence in page, where
    assert snapshot(console) == before
    queue = client.get("/tickets")  # still logged in (the logout form was refused too), still in the same language
    assert queue.status_code == 200 and f'lang="{language}"' in queue.get_data(as_text=True)


# --- 4. cookies and the reverse proxy ------------------------------------------------------------------------------

PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7", "Referer": "https://localhost/login"}


def cookie_flags(response: Response, name: str) -> dict[str, str]:
    """The attributes of the `name` cookie in the response's Set-Cookie headers (lower-case names)."""
    for header in response.headers.getlist("Set-Cookie"):
        first, *attributes = (part.strip() for part in header.split(";"))
        if first.split("=", 1)[0] == name:
            return {key.lower(): value for key, _, value in (item.partition("=") for item in attributes)}
    raise AssertionError(f"no {name} cookie in {response.headers.getlist('Set-Cookie')}")


def proxied(client: FlaskClient, headers: dict[str, str]) -> FlaskClient:
    """Every request of `client` as the reverse proxy passes it on."""
    for name, value in headers.items():
        client.environ_base["HTTP_" + name.upper().replace("-", "_")] = value
    return client


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_session_and_remember_cookies_are_httponly_lax_and_secure_over_https(
    store: TicketStore, clean_env: pytest.MonkeyPatch, https: bool
) -> None:
    clean_env.setenv("CONSOLE_HTTPS", "1" if https else "0")
    clean_env.setenv("TRUST_PROXY", "1" if https else "0")  # behind nginx, as docs/scale-out.md sets it up
    app = new_app(store)
    create_staff_user(store.database, STAFF, PASSWORD)
    client = proxied(app.test_client(), PROXY if https else {})
    form = {"email": STAFF, "password": PASSWORD, "csrf_token": csrf_token_of(client)}
    login = client.post("/login", data=form)
    assert login.status_code == 302
    flags = cookie_flags(login, app.config["SESSION_COOKIE_NAME"])
    assert "httponly" in flags and flags["samesite"] == "Lax" and ("secure" in flags) is https

    # No console form offers "remember me" yet; the cookie Flask-Login would set gets the same flags.
    with app.test_request_context("/login", method="POST"):
        login_user(ConsoleUser(find_user(store.database, STAFF)), remember=True)
        response = app.process_response(app.make_response("logged in"))
    flags = cookie_flags(response, "remember_token")
    assert "httponly" in flags and flags["samesite"] == "Lax" and ("secure" in flags) is https


def test_behind_https_a_form_posted_from_another_site_is_refused(
    store: TicketStore, clean_env: pytest.MonkeyPatch
) -> None:
    """The proxy's X-Forwarded-Proto tells the console it is on HTTPS, where the form's referrer must be itself."""
    clean_env.setenv("CONSOLE_HTTPS", "1")
    clean_env.setenv("TRUST_PROXY", "1")
    app = new_app(store)
    create_staff_user(store.database, STAFF, PASSWORD)
    client = proxied(app.test_client(), dict(PROXY, Referer="https://evil.example/phish"))
    form = {"email": STAFF, "password": PASSWORD, "csrf_token": csrf_token_of(client)}
    response = client.post("/login", data=form)
    assert response.status_code == 400 and "did not come from this site" in response.get_data(as_text=True)
    assert client.get("/tickets").status_code == 302


def test_a_wrong_console_https_value_is_named(store: TicketStore, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CONSOLE_HTTPS", "maybe")
    with pytest.raises(ValueError, match="CONSOLE_HTTPS must be 1 or 0 .*, got 'maybe'"):
        new_app(store)


def fail_logins(client: FlaskClient, count: int, forwarded_for: list[str] | None = None) -> None:
    """`count` wrong passwords, each for another account (so only the address can be what gets throttled)."""
    for attempt in range(count):
        if forwarded_for:
            client.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for[attempt % len(forwarded_for)]
        form = {"email": f"guess{attempt}@helpdesk.org", "password": "wrong", "csrf_token": csrf_token_of(client)}
        assert client.post("/login", data=form).status_code == 200


def attempt_login(client: FlaskClient) -> Response:
    return client.post("/login", data={"email": STAFF, "password": PASSWORD, "csrf_token": csrf_token_of(client)})


def test_without_https_a_forged_forwarded_for_does_not_dodge_the_throttle(
    store: TicketStore, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("LOGIN_MAX_FAILURES", "3")
    app = new_app(store)
    create_staff_user(store.database, STAFF, PASSWORD)
    client = app.test_client()
    fail_logins(client, 3, forwarded_for=["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.4"
    response = attempt_login(client)
    assert response.status_code == 429 and "Too many failed logins" in response.get_data(as_text=True)


def test_behind_the_proxy_the_throttle_counts_the_client_address_the_proxy_saw(
    store: TicketStore, clean_env: pytest.MonkeyPatch
) -> None:
    """TRUST_PROXY=1, with or without HTTPS: five failures from anyone must not lock every staff member out."""
    clean_env.setenv("TRUST_PROXY", "1")
    clean_env.setenv("LOGIN_MAX_FAILURES", "3")
    app = new_app(store)
    create_staff_user(store.database, STAFF, PASSWORD)
    attacker = proxied(app.test_client(), PROXY)
    # The proxy appends the address it saw; what the client put before it is not believed.
    fail_logins(attacker, 3, forwarded_for=[f"198.51.100.{n}, 203.0.113.7" for n in (1, 2, 3)])
    attacker.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.4, 203.0.113.7"
    assert attempt_login(attacker).status_code == 429
    colleague = proxied(app.test_client(), dict(PROXY, **{"X-Forwarded-For": "203.0.113.8"}))
    assert attempt_login(colleague).status_code == 302  # same proxy, another client: not locked out


# --- 5. the login throttle, in memory and in Redis -----------------------------------------------------------------


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the local Redis; its keys are deleted afterwards."""
    yield from redis_key_prefix(f"helpdesk-test:{uuid.uuid4().hex}:")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make_throttle(kind: str, clock: Clock, prefix: str | None) -> LoginThrottle:
    if kind == "memory":
        return LoginThrottle(max_failures=3, window_seconds=300, clock=clock)
    return RedisLoginThrottle(REDIS_URL, max_failures=3, window_seconds=300, prefix=prefix, clock=clock)


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def throttle_kind(request: pytest.FixtureRequest) -> Iterator[tuple[str, str | None]]:
    if request.param == "memory":
        yield "memory", None
    else:
        yield "redis", request.getfixturevalue("redis_prefix")


def test_both_throttles_wait_after_too_many_failures_and_forget_after_the_window(
    throttle_kind: tuple[str, str | None],
) -> None:
    kind, prefix = throttle_kind
    clock = Clock()
    throttle = make_throttle(kind, clock, prefix)
    throttle.failed("address:203.0.113.7", "account:agent@helpdesk.org")
    throttle.failed("address:203.0.113.7", "account:agent@helpdesk.org")
    assert throttle.retry_after("address:203.0.113.7") == 0  # two failures: still allowed
    clock.now += 100
    throttle.failed("address:203.0.113.7", "account:agent@helpdesk.org")
    assert throttle.retry_after("address:203.0.113.7", "account:other@helpdesk.org") == 201  # until the first expires
    assert throttle.retry_after("address:203.0.113.8", "account:other@helpdesk.org") == 0
    throttle.succeeded("account:agent@helpdesk.org")  # a success clears the account, not the address
    assert throttle.retry_after("address:203.0.113.8", "account:agent@helpdesk.org") == 0
    assert throttle.retry_after("address:203.0.113.7") == 201
    clock.now += 200
    assert throttle.retry_after("address:203.0.113.7") == 0


@pytest.mark.redis
def test_redis_keys_hold_no_address_and_expire_with_the_window(redis_prefix: str) -> None:
    throttle = RedisLoginThrottle(REDIS_URL, max_failures=3, window_seconds=60, prefix=redis_prefix)
    throttle.failed("address:203.0.113.7", "account:agent@helpdesk.org")
    keys = sorted(key.decode() for key in throttle.redis.scan_iter(match=redis_prefix + "*"))
    assert len(keys) == 2 and not any("203.0.113.7" in key or "agent@" in key for key in keys)
    for key in keys:
        assert 0 < throttle.redis.pttl(key) <= 60_000


@pytest.mark.redis
def test_two_console_processes_share_the_failed_login_count_through_redis(
    store: TicketStore, clean_env: pytest.MonkeyPatch, redis_prefix: str
) -> None:
    clean_env.setenv("REDIS_URL", REDIS_URL)
    clean_env.setenv("LOGIN_THROTTLE_PREFIX", redis_prefix)
    clean_env.setenv("LOGIN_MAX_FAILURES", "4")
    first, second = new_app(store), new_app(store)
    create_staff_user(store.database, STAFF, PASSWORD)
    fail_logins(first.test_client(), 2)
    fail_logins(second.test_client(), 2)
    for app in (first, second):
        response = attempt_login(app.test_client())
        assert response.status_code == 429 and "Too many failed logins" in response.get_data(as_text=True)


def test_without_redis_each_console_process_counts_alone(store: TicketStore, clean_env: pytest.MonkeyPatch) -> None:
    """Why REDIS_URL exists: without it, failures spread over two processes never reach the limit."""
    clean_env.setenv("LOGIN_MAX_FAILURES", "4")
    first, second = new_app(store), new_app(store)
    create_staff_user(store.database, STAFF, PASSWORD)
    fail_logins(first.test_client(), 2)
    fail_logins(second.test_client(), 2)
    assert attempt_login(second.test_client()).status_code == 302


def test_an_unreachable_redis_falls_back_to_counting_in_the_process(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.console.auth.redis_throttle"):
        throttle = RedisLoginThrottle("redis://127.0.0.1:1/0", max_failures=2, window_seconds=300)
        for _ in range(2):
            throttle.failed("address:203.0.113.7")
    assert throttle.retry_after("address:203.0.113.7") > 0
    assert throttle.retry_after("address:203.0.113.8") == 0
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1 and "127.0.0.1:1 is unreachable" in messages[0]  # once per outage, not per login
