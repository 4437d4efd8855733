"""Admin pages for saved replies: write, change and remove the texts staff insert in replies to partners."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bot.console.extensions import store
from bot.console.roles import admin_required
from bot.settings import LANGUAGES
from bot.tickets.triage import TriageError

saved_replies = Blueprint("saved_replies", __name__)


@saved_replies.get("/replies")
@admin_required
def list_page() -> str:
    return render_template("saved_replies/list.html", replies=store().saved_replies.all(), languages=LANGUAGES)


@saved_replies.post("/replies")
@admin_required
def create() -> object:
    return _save(None)


@saved_replies.post("/replies/<int(max=2147483647):reply_id>")
@admin_required
def update(reply_id: int) -> object:
    if request.form.get("delete"):
        try:
            store().saved_replies.delete(reply_id)
        except TriageError as error:
            flash(_("Not saved: %(reason)s", reason=str(error)), "error")
        else:
            flash(_("Removed."), "notice")
        return redirect(url_for("saved_replies.list_page"))
    return _save(reply_id)


def _save(reply_id: int | None) -> object:
    form = request.form
    try:
        store().saved_replies.save(
            reply_id, form.get("language", ""), form.get("title", ""), form.get("body", ""), current_user.email
        )
    except TriageError as error:
        flash(_("Not saved: %(reason)s", reason=str(error)), "error")
    else:
        flash(_("Saved."), "notice")
    return redirect(url_for("saved_replies.list_page"))
