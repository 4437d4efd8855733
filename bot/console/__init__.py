"""The staff console and the chat-widget page (Flask): login, ticket list, ticket page, widget."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from bot.console.auth import ConsoleUser
from bot.console.users import ensure_admin_from_env, get_user
from bot.console.views import console
from bot.settings import Settings, get_settings
from bot.tickets.store import TicketStore, make_engine

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, store: TicketStore | None = None) -> Flask:
    settings = settings or get_settings()
    store = store or TicketStore(make_engine(settings.database_url), settings.reference_prefix)
    app = Flask(__name__)
    secret = settings.secret_key
    if not secret:
        logger.warning("CONSOLE_SECRET_KEY is not set: sessions will not survive a restart of the console")
        secret = secrets.token_hex(32)
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        RASA_URL=os.environ.get("RASA_URL", "http://localhost:5005"),
        DEFAULT_LANGUAGE=settings.default_language,
    )
    app.extensions["ticket_store"] = store
    CSRFProtect(app)

    login_manager = LoginManager(app)
    login_manager.login_view = "console.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> ConsoleUser | None:
        user = get_user(store, int(user_id)) if user_id.isdigit() else None
        return ConsoleUser(user) if user and user.active else None

    app.register_blueprint(console)
    ensure_admin_from_env(store, settings)
    return app
