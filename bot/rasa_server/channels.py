"""Our chat channels: Rasa's REST and socket.io channels, each only a transport around one intake.

Each parses what its client sends (a REST body, a socket.io event), refuses what is malformed, and gives the
sender, the text, the metadata and the client's address to the intake (bot/rasa_server/intake.py), which screens
the message (floods, empty or too long messages, control characters), masks its secrets and detects its
language once. The channel sends the refusal or the secret warning it returns, and hands the masked message on to
Rasa with the client's address in the metadata (`client_address`, always ours, never the client's) for the
ticket limit of the action server, and the intake's record (`intake`).

The channels read their settings once, when built: Rasa builds them without arguments (`from_credentials`), so
they take the process's (`process_settings()`); tests give theirs.

The socket.io channel also emits custom payloads ({"kb_article": ...}) as event data: Rasa 3.6's SocketIOOutput
passes them as keyword arguments to `emit()`, which only works for payloads shaped like emit's own parameters;
ours would raise and lose the rest of the reply.
"""

from __future__ import annotations

import json
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.rasa_server import api_token
from bot.rasa_server.install import install
from bot.rasa_server.intake import Intake, Refused
from bot.settings import Settings, process_settings
from bot.text.plain_text import is_control

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 255  # the tracker store's and the ticket store's conversation id columns
MAX_METADATA_BYTES = 8192  # metadata is stored with every message: a language, a page, not a payload


def sender_problem(sender: Any) -> str | None:
    if not isinstance(sender, str) or not sender.strip():
        return "'sender' must be a non-empty string"
    if len(sender) > MAX_SENDER_CHARS or any(is_control(c) for c in sender):
        return f"'sender' must be at most {MAX_SENDER_CHARS} printable characters"
    return None


def metadata_of(value: Any) -> dict[str, Any] | None:
    """The message metadata as a dict ({} when absent), or None when it is not an object or too large."""
    if value is None:
        return {}
    if not isinstance(value, dict) or len(json.dumps(value, default=str)) > MAX_METADATA_BYTES:
        return None
    return dict(value)


def request_problem(body: Any) -> str | None:
    """What is wrong with a REST webhook body, in words for the client's developer; None when it is usable."""
    if not isinstance(body, dict):
        return "the body must be a JSON object with 'sender' and 'message'"
    if not isinstance(body.get("message"), str):
        return "'message' must be a string"
    if metadata_of(body.get("metadata")) is None:
        return f"'metadata' must be a JSON object of at most {MAX_METADATA_BYTES} bytes"
    return sender_problem(body.get("sender"))


class GuardedRestInput(RestInput):
    """Rasa's REST channel, guarded. credentials.yml: `bot.rasa_server.channels.GuardedRestInput:` in place of `rest:`.

    Same name, so the same URL (`/webhooks/rest/webhook`) and the same replies: a JSON list of bot messages.
    Errors are JSON `{"error": ...}`: 400 for a malformed request, 429 (with `message`, in the partner's
    language, and `Retry-After`) for too many messages; Sanic answers 413 to a body over SANIC_REQUEST_MAX_SIZE.
    """

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GuardedRestInput:
        return cls()

    def __init__(self, settings: Settings | None = None) -> None:
        install()
        api_token.install()  # the channels are built before Rasa's HTTP API
        self.settings = settings if settings is not None else process_settings()  # Rasa gives none
        self.intake = Intake(self.settings)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = json.loads(request.body or b"")
            except (ValueError, RecursionError):  # not UTF-8 or not JSON, or nested thousands deep
                return response.json({"error": "the body is not valid JSON"}, status=400)
            problem = request_problem(body)
            if problem:
                return response.json({"error": problem}, status=400)
            sender, metadata = body["sender"], metadata_of(body.get("metadata")) or {}
            agent = getattr(request.app.ctx, "agent", None)
            forwarded = request.headers.get("x-forwarded-for")
            taken = await self.intake.take(sender, body["message"], metadata, request.ip, forwarded, agent)
            if isinstance(taken, Refused):
                if not taken.too_many_messages:
                    return response.json([{"recipient_id": sender, "text": taken.reply}])
                return response.json(
                    {"error": "too many messages", "message": taken.reply, "retry_after": taken.retry_after},
                    status=429,
                    headers={"Retry-After": str(taken.retry_after)},
                )
            collector = CollectingOutputChannel()
            if taken.warning:
                collector.messages.append({"recipient_id": sender, **taken.warning})
            message = UserMessage(taken.text, collector, sender, input_channel=self.name(), metadata=taken.metadata)
            try:
                await on_new_message(message)
            except CancelledError:
                logger.error("message of %s timed out", sender)
            except Exception:
                logger.exception("message of %s failed", sender)
            return response.json(collector.messages)

        return webhook


class WidgetSocketIOOutput(SocketIOOutput):
    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, dict(json_message), room=recipient_id)


class WidgetSocketIOInput(SocketIOInput):
    """Configured in credentials.yml as `bot.rasa_server.channels.WidgetSocketIOInput`, with the socketio settings.

    A refused message gets its reply as a `bot_uttered` event to the sending socket; a malformed event (not an
    object, no string `message` or session id) is logged and dropped, as a socket has no status code.
    """

    def __init__(self, *args: Any, settings: Settings | None = None, **kwargs: Any) -> None:
        install()
        api_token.install()  # the channels are built before Rasa's HTTP API
        super().__init__(*args, **kwargs)
        self.settings = settings if settings is not None else process_settings()  # Rasa gives none
        self.intake = Intake(self.settings)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> SocketBlueprint:
        blueprint = super().blueprint(on_new_message)
        sio, namespace, intake = self.sio, self.namespace or "/", self.intake
        forward_connect = sio.handlers[namespace]["connect"]
        forward_session_request = sio.handlers[namespace]["session_request"]
        origins = frozenset(self.settings.browser_origins())

        async def connect(sid: str, handshake: dict[str, Any], auth: Any = None) -> bool:
            """A browser page of another site may not open a socket: only the console, WIDGET_ORIGINS and pages
            served from this very host (the console behind the same nginx) may.

            Browsers send the page's Origin with the WebSocket handshake and apply no CORS to it, so without
            this any site a partner visits could chat (and read the answers) in the partner's name.
            """
            origin = handshake.get("HTTP_ORIGIN")  # the handshake request's WSGI-style headers
            same_site = origin is not None and urlsplit(origin).netloc == handshake.get("HTTP_HOST")  # behind nginx
            if origin and origin not in origins and not same_site:
                logger.warning("socket.io connection from %s refused: not the console or a WIDGET_ORIGINS site", origin)
                return False
            return await forward_connect(sid, handshake, auth)

        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            usable = session_id is not None and sender_problem(session_id) is None
            await forward_session_request(sid, {"session_id": session_id} if usable else {})

        async def user_message(sid: str, data: Any = None, *_: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                logger.warning("socket.io message from %s dropped: not an object with a string 'message'", sid)
                return
            sender = data.get("session_id") if self.session_persistence else sid
            metadata = _socket_metadata(data.get(self.metadata_key))
            problem = sender_problem(sender) if metadata is not None else "bad metadata"
            if problem:
                logger.warning("socket.io message from %s dropped: %s", sid, problem)
                return
            request = (sio.get_environ(sid, namespace) or {}).get("sanic.request")
            peer, forwarded = (request.ip, request.headers.get("x-forwarded-for")) if request else (None, None)
            agent = getattr(request.app.ctx, "agent", None) if request else None
            taken = await intake.take(sender, data["message"], metadata, peer, forwarded, agent)
            if isinstance(taken, Refused):
                await sio.emit(self.bot_message_evt, {"text": taken.reply}, room=sid)
                return
            if taken.warning:
                await sio.emit(self.bot_message_evt, taken.warning, room=sid)
            output = WidgetSocketIOOutput(sio, self.bot_message_evt)
            await on_new_message(
                UserMessage(taken.text, output, sender, input_channel=self.name(), metadata=taken.metadata)
            )

        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, user_message, namespace=self.namespace)
        return blueprint


def _socket_metadata(value: Any) -> dict[str, Any] | None:
    """Socket.io clients may send metadata as a JSON string, as Rasa's own channel accepts."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else None
        except ValueError:
            return None
    return metadata_of(value)
