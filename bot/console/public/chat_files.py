"""The widget's file upload: a screenshot or a PDF of the error, sent while the partner asks for help.

No login and no cookie: the conversation's id, which only the partner's browser holds, says whose request the
file goes with. The page that sends it must be one the widget may run on (the console, WIDGET_ORIGINS), like the
chat's own connection; the answer is JSON with a sentence in the partner's language for the widget to show.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from bot.console.extensions import database, settings
from bot.settings import LANGUAGES
from bot.text.addresses import limit_key
from bot.text.partner_messages import limits_message
from bot.tickets.chat_files import ChatFiles
from bot.tickets.email_answers import AttachmentRules

chat_files = Blueprint("chat_files", __name__)
CHAT_TYPES = ("image/", "application/pdf")  # screenshots and PDFs; e-mail may allow more
MAX_SESSION_ID = 255


def _allowed_origin(origin: str | None) -> bool:
    if not origin:
        return True  # not sent by a browser page (curl, tests): nothing to check
    own = f"{request.scheme}://{request.host}"
    return origin.rstrip("/") in (*settings().browser_origins(), own)


def _answer(body: dict, status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    origin = request.headers.get("Origin")
    if origin and _allowed_origin(origin):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    response.headers["Cache-Control"] = "no-store"
    return response


@chat_files.post("/chat/files")
def upload() -> Response:
    mail = settings().mail
    limit = mail.attachment_max_bytes
    language = request.args.get("language", "fr")  # the body may be too large to read
    if not _allowed_origin(request.headers.get("Origin")):
        return _answer({"ok": False, "message": limits_message("file_failed", _known(language))}, 403)
    request.max_content_length = limit + 100_000  # the file and the form's few fields, chunked bodies included
    try:
        language = request.form.get("language", language)
        conversation = (request.form.get("session_id") or "").strip()
        file = request.files.get("file")
    except RequestEntityTooLarge:
        size = _mb(request.content_length or limit + 100_000)
        return _answer(
            {"ok": False, "message": limits_message("file_too_big", _known(language), size=size, limit=_mb(limit))}, 413
        )
    language = _known(language)
    if not conversation or len(conversation) > MAX_SESSION_ID or file is None:
        return _answer({"ok": False, "message": limits_message("file_failed", language)}, 400)
    data = file.stream.read(limit + 1)
    rules = AttachmentRules(settings().var_dir / "attachments", _chat_types(mail.attachment_types), limit)
    address = limit_key(request.remote_addr)  # behind our proxy (TRUST_PROXY), ProxyFix made it the client's
    result = ChatFiles(database().sessions, rules).add(conversation, address, file.filename or "capture", data)
    if result.state == "kept":
        key = "file_joined" if result.reference else "file_kept"
        message = limits_message(key, language, filename=result.filename, reference=result.reference)
        return _answer({"ok": True, "message": message, "filename": result.filename, "size": result.size}, 201)
    if result.state == "limited":
        return _answer({"ok": False, "message": limits_message("file_limited", language)}, 429)
    if result.why == "too_big":
        message = limits_message("file_too_big", language, size=_mb(result.size), limit=_mb(limit))
        return _answer({"ok": False, "message": message}, 413)
    return _answer({"ok": False, "message": limits_message("file_wrong_type", language)}, 415)


def _known(language: str) -> str:
    return language if language in LANGUAGES else "fr"


def _chat_types(types: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(kind for kind in types if kind.startswith(CHAT_TYPES))


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f}".rstrip("0").rstrip(".")
