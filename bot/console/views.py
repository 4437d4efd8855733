"""Public pages (chat widget, health, the vendored socket.io client), login and logout, language, error pages."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import CSRFError

from bot.accounts.users import authenticate
from bot.console.auth import ConsoleUser
from bot.console.i18n import LANGUAGES as CONSOLE_LANGUAGES
from bot.console.i18n import t
from bot.console.throttle import LoginThrottle
from bot.settings import LANGUAGES, PROJECT_ROOT
from bot.tickets.store import TicketStore
from bot.tickets.validation import web_address

console = Blueprint(
    "console", __name__, template_folder="templates", static_folder="static", static_url_path="/static/console"
)
SOCKET_IO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"
LOGIN_ERROR = "Wrong e-mail or password."


def store() -> TicketStore:
    return current_app.extensions["ticket_store"]


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


def profile_href(link: str) -> str | None:
    """An http(s) address for the partner's profile link, or None when it cannot be one (never `javascript:`)."""
    parts = web_address(link)
    return parts.geturl() if parts else None


@console.get("/health")
def health() -> Response:
    return jsonify(status="ok")


@console.get("/")
@console.get("/chat")
def widget_page() -> str:
    language = (request.args.get("lang") or current_app.config["DEFAULT_LANGUAGE"]).strip().lower()
    return _widget(language)


@console.get("/en")
def widget_page_en() -> str:
    return _widget("en")


def _widget(language: str) -> str:
    language = language if language in LANGUAGES else "fr"
    return render_template(
        "widget.html",
        language=language,
        rasa_url=current_app.config["RASA_URL"],
        max_chars=current_app.config["MAX_MESSAGE_CHARS"],
    )


@console.get("/vendor/socket.io.min.js")
def socket_io_client() -> Response | tuple[str, int, dict[str, str]]:
    """The pinned socket.io client from node_modules: no CDN, so the widget works on a closed network."""
    if not Path(SOCKET_IO_CLIENT).is_file():
        message = (
            "The socket.io client is missing: run `npm ci --no-audit --no-fund` (or `make setup`) "
            "in the project folder, then reload this page."
        )
        return message, 404, {"Content-Type": "text/plain; charset=utf-8"}
    return send_file(SOCKET_IO_CLIENT, mimetype="application/javascript", max_age=3600)


@console.route("/login", methods=["GET", "POST"])
def login():
    target = local_path(request.args.get("next")) or url_for("tickets.queue")
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target)
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        throttle: LoginThrottle = current_app.extensions["login_throttle"]
        keys = (f"address:{request.remote_addr}", f"account:{email.lower()}")
        wait = throttle.retry_after(*keys)
        if wait:
            error = t("Too many failed logins. Try again in {seconds} seconds.", seconds=wait)
            return render_template("login.html", error=error, email=email), 429, {"Retry-After": str(wait)}
        user = authenticate(store(), email, request.form.get("password", ""))
        if user:
            throttle.succeeded(keys[1])
            language = session.get("console_language")
            session.clear()  # a fresh session on login: no fixation of a session set before it
            if language:
                session["console_language"] = language
            session.permanent = True
            login_user(ConsoleUser(user))
            return redirect(target)
        throttle.failed(*keys)
        error = t(LOGIN_ERROR)
    return render_template("login.html", error=error, email=email)


@console.post("/language")
def choose_language():
    """The console's language, kept in the session; back to the page the staff member was on."""
    chosen = request.form.get("language")
    if chosen in CONSOLE_LANGUAGES:
        session["console_language"] = chosen
    return redirect(local_path(request.form.get("next")) or url_for("tickets.queue"))


@console.app_errorhandler(403)
def forbidden(error: Exception) -> tuple[str, int]:
    return render_template("error.html", title=t("Not allowed"), message=t("This page is for admins only.")), 403


@console.post("/logout")
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("console.login"))


@console.app_errorhandler(404)
def not_found(error: Exception) -> tuple[str, int]:
    return render_template("404.html"), 404


@console.app_errorhandler(CSRFError)
def csrf_refused(error: CSRFError) -> tuple[str, int]:
    """A form without a valid token (expired page, or sent from another site) is refused with a way back."""
    message = t("This form has expired or did not come from this site. Please try again.")
    if request.endpoint == "console.login":
        return render_template("login.html", error=message, email=""), 400
    return render_template("error.html", title=t("Form refused"), message=message), 400


@console.after_app_request
def security_headers(response: Response) -> Response:
    """Browser-side hardening: no MIME sniffing, no referrer leak; console pages cannot be framed."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint not in ("console.widget_page", "console.widget_page_en"):
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint and request.endpoint.split(".")[0] in ("tickets", "knowledge_admin", "users"):
        response.headers["Cache-Control"] = "no-store"  # partner data must not stay in a shared browser's cache
    return response
