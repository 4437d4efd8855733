"""Public pages, no login: the partners' chat widget page, the health check, the vendored socket.io client."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file

from bot.settings import LANGUAGES, PROJECT_ROOT

public = Blueprint("public", __name__)
SOCKET_IO_CLIENT = PROJECT_ROOT / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


@public.get("/health")
def health() -> Response:
    return jsonify(status="ok")


@public.get("/")
@public.get("/chat")
def widget_page() -> str:
    language = (request.args.get("lang") or current_app.config["DEFAULT_LANGUAGE"]).strip().lower()
    return _widget(language)


@public.get("/en")
def widget_page_en() -> str:
    return _widget("en")


def _widget(language: str) -> str:
    language = language if language in LANGUAGES else "fr"
    return render_template(
        "public/widget.html",
        language=language,
        rasa_url=current_app.config["RASA_URL"],
        max_chars=current_app.config["MAX_MESSAGE_CHARS"],
    )


@public.get("/vendor/socket.io.min.js")
def socket_io_client() -> Response | tuple[str, int, dict[str, str]]:
    """The pinned socket.io client from node_modules: no CDN, so the widget works on a closed network."""
    if not Path(SOCKET_IO_CLIENT).is_file():
        message = (
            "The socket.io client is missing: run `npm ci --no-audit --no-fund` (or `make setup`) "
            "in the project folder, then reload this page."
        )
        return message, 404, {"Content-Type": "text/plain; charset=utf-8"}
    return send_file(SOCKET_IO_CLIENT, mimetype="application/javascript", max_age=3600)
