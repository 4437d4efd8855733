"""What every console page shares on the way out: error pages in the console's language, browser hardening."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

# Blueprints whose pages show partner data (or drafts partners must not see).
PRIVATE_AREAS = ("tickets", "knowledge", "article_history", "accounts", "dashboard")
FRAMEABLE = ("public.widget_page", "public.widget_page_en")  # partner sites may embed the chat page


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(InternalServerError, server_error)
    app.register_error_handler(CSRFError, csrf_refused)
    app.after_request(security_headers)


def wants_json() -> bool:
    """The JSON API answers in JSON whatever went wrong: its callers are programs, not browsers."""
    return request.path.startswith("/api/")


def http_error(error: HTTPException) -> Response | tuple[object, int]:
    if wants_json():
        return jsonify(error=error.description or error.name), error.code or 500
    if error.code == 403:
        page = render_template("errors/error.html", title=_("Not allowed"), message=_("This page is for admins only."))
        return page, 403
    if error.code == 404:
        return render_template("errors/404.html"), 404
    return error.get_response()


def server_error(error: InternalServerError) -> tuple[object, int]:
    if wants_json():
        return jsonify(error="internal error: the request was not carried out"), 500
    message = _("Something went wrong on our side; nothing was changed. Please try again.")
    return render_template("errors/error.html", title=_("Error"), message=message), 500


def csrf_refused(error: CSRFError) -> tuple[str, int]:
    """A form without a valid token (expired page, or sent from another site) is refused with a way back."""
    message = _("This form has expired or did not come from this site. Please try again.")
    if request.endpoint == "auth.login":
        return render_template("auth/login.html", error=message, email=""), 400
    return render_template("errors/error.html", title=_("Form refused"), message=message), 400


@lru_cache(maxsize=8)
def content_security_policy(rasa_url: str, frameable: bool) -> str:
    """Scripts, styles and fonts from the console only (none inline); the widget talks to Rasa only."""
    rasa = urlsplit(rasa_url)
    sockets = f"{'wss' if rasa.scheme == 'https' else 'ws'}://{rasa.netloc}"
    policy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        f"connect-src 'self' {rasa.scheme}://{rasa.netloc} {sockets}",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ]
    if not frameable:
        policy.append("frame-ancestors 'none'")
    return "; ".join(policy)


def security_headers(response: Response) -> Response:
    """Browser-side hardening: no MIME sniffing, no referrer leak, a CSP; console pages cannot be framed."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    frameable = request.endpoint in FRAMEABLE
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(current_app.config["RASA_URL"], frameable)
    )
    if current_app.config.get("HTTPS"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if not frameable:
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint and request.endpoint.split(".")[0] in PRIVATE_AREAS:
        response.headers["Cache-Control"] = "no-store"  # partner data must not stay in a shared browser's cache
    return response
