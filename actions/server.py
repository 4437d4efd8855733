"""The action server: rasa-sdk's app for the actions of this package, with the services that run beside them.

`helpdesk actions --port 5055` (both Procfiles) in place of `rasa run actions`: the same app rasa-sdk builds, its
plug-ins attached as rasa-sdk does, then this assistant's own services started with the server and stopped with
it (the outbox drain). Nothing starts when an action module is imported (tests, scripts).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging

import orjson
from rasa_sdk import endpoint, utils
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse, json

from actions.services import Services, configure
from bot.mail.smtp import SmtpServer
from bot.mail.worker import SendReport, send_due, send_forever
from bot.settings import Settings
from bot.tickets.offline_outbox import drain_forever
from bot.var.tokens import action_server_token

logger = logging.getLogger(__name__)


def attach_services(app: Sanic, shared: Services) -> None:
    """In each Sanic worker: the offline-outbox drain (OUTBOX_DRAIN_SECONDS) and the mail worker
    (MAIL_SEND_SECONDS); 0 turns one off. Several running at once is safe for both."""
    settings = shared.settings
    tasks = {}
    if settings.outbox.drain_seconds > 0:
        seconds = settings.outbox.drain_seconds
        tasks["outbox_drain"] = lambda: drain_forever(seconds, shared.offline_outbox, shared.tickets)
    if settings.mail.send_seconds > 0:
        server = SmtpServer.from_url(settings.mail.server_url)  # a wrong SMTP_URL stops the start, with why

        def send() -> SendReport:
            return send_due(shared.mail_outbox, server, settings.mail.sender, settings.mail.reply_to or None)

        tasks["mail_worker"] = lambda: send_forever(settings.mail.send_seconds, send)
    if not tasks:
        return

    async def start(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        for name, task in tasks.items():
            setattr(app.ctx, name, loop.create_task(task()))

    async def stop(app: Sanic, loop: asyncio.AbstractEventLoop) -> None:
        for name in tasks:
            task = getattr(app.ctx, name, None)
            if task is not None:
                task.cancel()

    app.register_listener(start, "after_server_start")
    app.register_listener(stop, "before_server_stop")


def require_rasa(app: Sanic, token: str, max_body: int) -> None:
    """Only our Rasa server runs actions: every call but /health carries its token, or gets 401.

    A forged call would otherwise store tickets under any address, past every channel guard and limit. Bodies
    are capped (413) and compressed bodies refused (415): rasa-sdk would inflate a small deflate bomb into memory.
    """
    app.config.REQUEST_MAX_SIZE = max_body
    expected = f"Bearer {token}".encode()

    async def check(request: Request) -> HTTPResponse | None:
        if request.path == "/health":
            return None
        if not hmac.compare_digest(request.headers.get("authorization", "").encode(), expected):
            return json({"error": "this action server answers only its Rasa server (missing or wrong token)"}, 401)
        if request.headers.get("content-encoding", "identity").lower() != "identity":
            return json({"error": "compressed action calls are not accepted"}, 415)
        return None

    async def parse(request: Request) -> None:
        """The call's JSON read with orjson, which rasa-sdk then finds in `request.json` (a tenth of this server's
        time went into the standard library's reading of the conversation each call carries)."""
        if request.body:
            with contextlib.suppress(orjson.JSONDecodeError):  # Sanic's own reader then answers as it always did
                request.parsed_json = orjson.loads(request.body)

    async def too_large(request: Request, error: PayloadTooLarge) -> HTTPResponse:
        return json({"error": f"an action call is at most {max_body} bytes"}, 413)

    app.register_middleware(check, "request")
    app.register_middleware(parse, "request")
    app.error_handler.add(PayloadTooLarge, too_large)  # rasa-sdk's catch-all would make it a 500


def create_app(settings: Settings) -> Sanic:
    """The action server on `settings`, read once when the process started: the actions' services are made from
    them here, so no action call reads the environment again."""
    shared = configure(settings)
    app = endpoint.create_app("actions", cors_origins=None)  # only the Rasa server calls it: no browser, no CORS
    require_rasa(app, action_server_token(settings), settings.rasa.action_server_max_body)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    attach_services(app, shared)
    return app


def serve(settings: Settings, host: str, port: int) -> None:
    utils.configure_colored_logging("INFO")  # as `rasa run actions` logs
    utils.update_sanic_log_level()
    app = create_app(settings)
    logger.info("Action server on http://%s:%s", host, port)
    app.run(host, port, workers=utils.number_of_sanic_workers())
