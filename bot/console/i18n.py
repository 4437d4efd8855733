"""The console's two languages, with Flask-Babel: English msgids in the code and templates, French catalogue.

The language is the one the staff member picked (kept in the session), else the browser's preference. Texts are
marked with `_()` / `ngettext()` (or `lazy_gettext` at import time), so `helpdesk translate extract` finds them
all; the catalogue is `translations/fr/LC_MESSAGES/messages.po` and its compiled `.mo` next to it.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import Babel

LANGUAGES = ("en", "fr")
TRANSLATIONS = Path(__file__).parent / "translations"
DOMAIN = "messages"


def init_app(app: Flask) -> None:
    app.config.update(
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS),
        BABEL_DOMAIN=DOMAIN,
    )
    Babel(app, locale_selector=console_language)


def console_language() -> str:
    if not has_request_context():
        return "en"
    chosen = session.get("console_language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="en")
