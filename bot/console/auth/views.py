"""Login, logout and the console's language switch."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from bot.accounts.users import authenticate, end_sessions
from bot.console.auth.user import ConsoleUser, start_session
from bot.console.extensions import database, login_throttle
from bot.console.i18n import LANGUAGES as CONSOLE_LANGUAGES
from bot.text.emails import normalise_email

auth = Blueprint("auth", __name__)


def local_path(target: str | None) -> str | None:
    """Only same-site paths are followed after login, so a crafted link cannot send staff elsewhere.

    Browsers read `\\` as `/` and drop tabs and newlines, so `/\\evil.org` or `/\t/evil.org` would leave the site.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@auth.route("/login", methods=["GET", "POST"])
def login():
    target = local_path(request.args.get("next")) or url_for("tickets.queue")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target)
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        throttle = login_throttle()
        # The account as login resolves it: `Admin@X.org.` or `<admin@x.org>` get no fresh tries on admin@x.org.
        keys = (f"address:{request.remote_addr}", f"account:{(normalise_email(email) or email).lower()}")
        wait = throttle.retry_after(*keys)
        if wait:
            error = _("Too many failed logins. Try again in %(seconds)s seconds.", seconds=wait)
            return render_template("auth/login.html", error=error, email=email), 429, {"Retry-After": str(wait)}
        user = authenticate(database(), email, request.form.get("password", ""))
        if user:
            throttle.succeeded(keys[1])
            language = session.get("console_language")
            session.clear()  # a fresh session on login: no fixation of a session set before it
            if language:
                session["console_language"] = language
            session.permanent = True
            start_session(session, user)
            login_user(ConsoleUser(user))
            return redirect(target)
        throttle.failed(*keys)
        error = _("Wrong e-mail or password.")
    return render_template("auth/login.html", error=error, email=email)


@auth.post("/language")
def choose_language():
    """The console's language, kept in the session; back to the page the staff member was on."""
    chosen = request.form.get("language")
    if chosen in CONSOLE_LANGUAGES:
        session["console_language"] = chosen
    return redirect(local_path(request.form.get("next")) or url_for("tickets.queue"))


@auth.post("/logout")
@login_required
def logout():
    end_sessions(database(), int(current_user.id))  # a copy of this session's cookie is worth nothing from now on
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))
