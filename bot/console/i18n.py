"""The console's two languages: English text in the code and templates, French from `translations/`.

The language is the one the staff member picked (kept in the session), else the browser's preference.
Templates call `t("English text", name=value)`; a missing French text falls back to the English one.
"""

from __future__ import annotations

from flask import request, session

from bot.console.translations import FRENCH

LANGUAGES = ("en", "fr")


def console_language() -> str:
    chosen = session.get("console_language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="en") if request else "en"


def t(text: str, **values: object) -> str:
    """`text` in the console's language, with `{name}` placeholders filled from `values`."""
    translated = FRENCH.get(text, text) if console_language() == "fr" else text
    return translated.format(**values) if values else translated
