"""The staff console and the chat-widget page (Flask), one blueprint package per area."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, session
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.exc import OperationalError, ProgrammingError
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.accounts.users import ensure_first_admin
from bot.console import errors, extensions, i18n
from bot.console.accounts.views import accounts as accounts_pages
from bot.console.api.views import api as api_pages
from bot.console.auth.user import SESSION_LIFETIME, ConsoleUser, session_user
from bot.console.auth.views import auth as auth_pages
from bot.console.dashboard.views import dashboard as dashboard_pages
from bot.console.i18n import console_language
from bot.console.knowledge.history import article_history_pages
from bot.console.knowledge.views import knowledge as knowledge_pages
from bot.console.labels import audit_value, label_of
from bot.console.mail.views import mail as mail_pages
from bot.console.public.chat_files import chat_files as chat_file_pages
from bot.console.public.views import public as public_pages
from bot.console.saved_replies.views import saved_replies as saved_replies_pages
from bot.console.tickets.views import tickets as tickets_pages
from bot.database import Database
from bot.settings import Settings
from bot.tickets.store import TicketStore

logger = logging.getLogger(__name__)
# Imported under other names: `bot.console.tickets` etc. stay the packages, not the blueprints.
BLUEPRINTS = (
    public_pages,
    chat_file_pages,
    auth_pages,
    tickets_pages,
    dashboard_pages,
    knowledge_pages,
    article_history_pages,
    accounts_pages,
    saved_replies_pages,
    mail_pages,
    api_pages,
)


def create_app(settings: Settings, store: TicketStore | None = None) -> Flask:
    """Build the console on `settings`; tests pass their own store, `helpdesk console` lets it make its own."""
    store = store or TicketStore.from_settings(settings, Database.connect(settings.database_url))
    database = store.database
    app = Flask(__name__, static_url_path="/static/console")  # the address partner sites embed the widget from
    https = settings.console.https
    if settings.limits.trust_proxy:
        # Exactly one proxy of ours in front (TRUST_PROXY=1): trust the last X-Forwarded-For / X-Forwarded-Proto
        # value it adds, so the login throttle counts each client's address, not the proxy's one for everybody.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    secret = settings.console.secret_key
    if not secret:
        logger.warning(
            "CONSOLE_SECRET_KEY is not set: using a random key, so staff are logged out when the console restarts"
        )
        secret = secrets.token_hex(32)
    app.config.update(
        SECRET_KEY=secret,
        # No script reads the cookies, no other site's form or link carries them; over HTTPS, never sent in clear.
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=https,
        PREFERRED_URL_SCHEME="https" if https else "http",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        # Where the browser reaches Rasa's socket.io channel.
        RASA_URL=settings.console.rasa_url,
        MAX_MESSAGE_CHARS=settings.messages.max_chars,  # the widget's input stops where the Rasa server refuses
        DEFAULT_LANGUAGE=settings.default_language,
        HTTPS=https,  # HSTS on every response
    )
    extensions.init_app(app, settings, store)
    errors.init_app(app)
    i18n.init_app(app)
    csrf = CSRFProtect(app)
    csrf.exempt(api_pages)  # token-authenticated, no cookies: nothing for a forged cross-site request to ride on
    csrf.exempt(chat_file_pages)  # the widget's upload: the conversation id is the key, no cookie is used

    login_manager = LoginManager(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says what it is for

    @login_manager.user_loader
    def load_user(user_id: str) -> ConsoleUser | None:
        return session_user(database, user_id, session)

    app.jinja_env.globals.update(
        console_language=console_language,
        label_of=label_of,
        audit_value=audit_value,
        has_endpoint=lambda name: name in app.view_functions,
        mail_catching=settings.mail.catching,
    )
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    try:
        ensure_first_admin(database, settings)
    except (OperationalError, ProgrammingError) as error:
        raise RuntimeError(
            f"cannot read the console users in {database.url!r}: is the database migrated "
            f"(`helpdesk db upgrade`)? {error.orig}"
        ) from error
    return app
