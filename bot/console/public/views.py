"""Public pages, no login: the partners' chat widget page, the satisfaction links, the health check, the vendored
socket.io client."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, render_template, request, send_file

from bot.console.extensions import store
from bot.settings import LANGUAGES, PROJECT_ROOT
from bot.tickets.ratings import MAX_COMMENT_LENGTH, RatingOutcome

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


@public.get("/rate/<token>/<score>")
def rate(token: str, score: str) -> tuple[str, int]:
    """The satisfaction link of a resolution e-mail: the first click records the score, then a comment is offered."""
    outcome = store().ratings.rate(token, score)
    return _rating_page(token, outcome)


@public.post("/rate/<token>")
def rating_comment(token: str) -> tuple[str, int]:
    outcome = store().ratings.comment(token, request.form.get("comment", ""))
    return _rating_page(token, outcome, commented=outcome.state == "recorded")


def _rating_page(token: str, outcome: RatingOutcome, commented: bool = False) -> tuple[str, int]:
    page = render_template(
        "public/rating.html",
        outcome=outcome,
        token=token,
        commented=commented,
        language=outcome.language if outcome.language in LANGUAGES else "en",
        max_comment=MAX_COMMENT_LENGTH,
    )
    return page, 404 if outcome.state == "unknown" else 200
