"""What every console page shares on the way out: error pages in the console's language, browser hardening."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

PRIVATE_AREAS = ("tickets", "knowledge", "accounts")  # blueprints whose pages show partner data
FRAMEABLE = ("public.widget_page", "public.widget_page_en")  # partner sites may embed the chat page


def init_app(app: Flask) -> None:
    app.register_error_handler(403, forbidden)
    app.register_error_handler(404, not_found)
    app.register_error_handler(CSRFError, csrf_refused)
    app.after_request(security_headers)


def forbidden(error: Exception) -> tuple[str, int]:
    page = render_template("errors/error.html", title=_("Not allowed"), message=_("This page is for admins only."))
    return page, 403


def not_found(error: Exception) -> tuple[str, int]:
    return render_template("errors/404.html"), 404


def csrf_refused(error: CSRFError) -> tuple[str, int]:
    """A form without a valid token (expired page, or sent from another site) is refused with a way back."""
    message = _("This form has expired or did not come from this site. Please try again.")
    if request.endpoint == "auth.login":
        return render_template("auth/login.html", error=message, email=""), 400
    return render_template("errors/error.html", title=_("Form refused"), message=message), 400


def security_headers(response: Response) -> Response:
    """Browser-side hardening: no MIME sniffing, no referrer leak; console pages cannot be framed."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint not in FRAMEABLE:
        response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint and request.endpoint.split(".")[0] in PRIVATE_AREAS:
        response.headers["Cache-Control"] = "no-store"  # partner data must not stay in a shared browser's cache
    return response
