"""The Mail page: with no SMTP_URL, the e-mails partners would get, as the local mail catcher kept them (admins)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from bot.console.extensions import settings
from bot.console.roles import admin_required
from bot.mail.catcher import caught

mail = Blueprint("mail", __name__)


def _kept() -> list:
    if not settings().mail.catching:
        abort(404)  # e-mails go to a real server: there is nothing here to read
    return caught(settings().var_dir / "mail")


@mail.get("/mail")
@admin_required
def inbox() -> str:
    return render_template("mail/inbox.html", messages=_kept())


@mail.get("/mail/<key>")
@admin_required
def message(key: str) -> str:
    found = next((m for m in _kept() if m.key == key), None)
    if found is None:
        abort(404)
    return render_template("mail/message.html", mail=found)
