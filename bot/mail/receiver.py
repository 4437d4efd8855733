"""`helpdesk mail receive`: the SMTP (or LMTP) server a mail server delivers partners' answers to, on loopback.

Each message is handed to `deliver` (bot/tickets/email_answers.py), which says whether it joined a ticket; one that
matches no ticket is refused with 550 and a sentence saying why, so the partner's own mail server tells them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 30 * 1024 * 1024
Deliver = Callable[[bytes], str]  # the reply line: "250 …" or "550 …"


class AnswerHandler:
    def __init__(self, deliver: Deliver):
        self.deliver = deliver

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd)
        raw = envelope.original_content or envelope.content or b""
        try:
            return await asyncio.get_running_loop().run_in_executor(None, self.deliver, bytes(raw))
        except Exception:
            logger.exception("an incoming e-mail could not be stored")
            return "451 4.3.0 Could not store the message now, please try again later"


class _LmtpController(Controller):
    def factory(self) -> LMTP:
        return LMTP(self.handler, data_size_limit=MAX_MESSAGE_BYTES)


def controller(deliver: Deliver, port: int, host: str = "127.0.0.1", lmtp: bool = False) -> Controller:
    kind = _LmtpController if lmtp else Controller
    options = {} if lmtp else {"data_size_limit": MAX_MESSAGE_BYTES}
    return kind(AnswerHandler(deliver), hostname=host, port=port, **options)
