"""Console pages: login, the ticket queue, a ticket, and the public chat-widget page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import login_required, login_user, logout_user

from bot.console.auth import ConsoleUser
from bot.console.users import authenticate
from bot.settings import PROJECT_ROOT
from bot.tickets import issue_types
from bot.tickets.store import TicketStore

console = Blueprint(
    "console", __name__, template_folder="templates", static_folder="static", static_url_path="/static/console"
)
PAGE_SIZE = 50
SOCKET_IO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def store() -> TicketStore:
    return current_app.extensions["ticket_store"]


def _local_path(target: str | None) -> str | None:
    """Only same-site paths are followed after login, so a link cannot send staff elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@console.get("/health")
def health():
    return jsonify(status="ok")


@console.get("/")
@console.get("/chat")
def widget_page():
    language = request.args.get("lang") or current_app.config["DEFAULT_LANGUAGE"]
    return _widget(language)


@console.get("/en")
def widget_page_en():
    return _widget("en")


def _widget(language: str):
    language = language if language in ("fr", "en") else "fr"
    return render_template("widget.html", language=language, rasa_url=current_app.config["RASA_URL"])


@console.get("/vendor/socket.io.min.js")
def socket_io_client():
    if not Path(SOCKET_IO_CLIENT).exists():
        return "socket.io client missing: run `npm ci` (make setup does) in the project folder.", 404
    return send_file(SOCKET_IO_CLIENT, mimetype="application/javascript", max_age=3600)


@console.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        user = authenticate(store(), request.form.get("email", ""), request.form.get("password", ""))
        if user:
            session.clear()
            session.permanent = True
            login_user(ConsoleUser(user))
            return redirect(_local_path(request.args.get("next")) or url_for("console.tickets"))
        error = "Wrong e-mail or password."
    return render_template("login.html", error=error), (401 if error else 200)


@console.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))


@console.get("/tickets")
@login_required
def tickets():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = store().count()
    rows = store().newest(limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("tickets.html", tickets=rows, total=total, page=page, pages=pages, label=issue_types.label)


@console.get("/tickets/<reference>")
@login_required
def ticket(reference: str):
    found = store().by_reference(reference)
    if found is None:
        abort(404)
    return render_template("ticket.html", ticket=found, events=store().events(found.id), label=issue_types.label)


@console.app_errorhandler(404)
def not_found(error):
    return render_template("404.html"), 404
