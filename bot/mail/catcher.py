"""The mail catcher `make run` starts: an SMTP server on loopback that keeps every message in a Maildir.

With no SMTP_URL set, the assistant sends its e-mails here instead of to the world, so a developer (or an admin
trying the product) sees exactly what partners would get, in the console's Mail page, and nothing leaves the
machine. `helpdesk mail catch` runs it; the tests start it in their own process on a free port.
"""

from __future__ import annotations

import asyncio
import logging
import mailbox
from dataclasses import dataclass
from datetime import datetime, timezone
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

logger = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 10 * 1024 * 1024


class MaildirHandler:
    """aiosmtpd's handler: each message accepted is one file in the Maildir (new/), with its envelope."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(str(path), create=True)  # with its tmp/, new/ and cur/
        path.chmod(0o700)  # partners' addresses and what staff wrote them

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd)
        content = envelope.original_content or envelope.content or b""
        header = f"X-Catcher-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        self.maildir.add(header + (content if isinstance(content, bytes) else content.encode()))
        logger.info("mail catcher: a message to %s", ", ".join(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


def controller(path: Path, port: int, host: str = "127.0.0.1") -> Controller:
    """The catcher, not started: `start()` runs it in a thread, `stop()` ends it."""
    return Controller(MaildirHandler(path), hostname=host, port=port, data_size_limit=MAX_MESSAGE_BYTES)


def serve(path: Path, port: int, host: str = "127.0.0.1") -> None:
    """Run the catcher until interrupted (`helpdesk mail catch`)."""
    catcher = controller(path, port, host)
    catcher.start()
    logger.info("mail catcher on smtp://%s:%d, keeping messages in %s", host, port, path)
    try:
        asyncio.run(_forever())
    except KeyboardInterrupt:
        pass
    finally:
        catcher.stop()


async def _forever() -> None:
    await asyncio.Event().wait()


@dataclass(frozen=True)
class CaughtMail:
    key: str
    received: datetime
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))

    @property
    def to(self) -> str:
        return str(self.message.get("To", ""))

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


def caught(path: Path, limit: int = 200) -> list[CaughtMail]:
    """The messages the catcher kept, newest first."""
    if not path.is_dir():
        return []
    box = mailbox.Maildir(str(path), create=False)
    found = []
    for key in list(box.iterkeys()):
        try:
            kept = box.get_message(key)
        except (KeyError, OSError):
            continue  # removed meanwhile
        received = datetime.fromtimestamp(kept.get_date(), timezone.utc)
        found.append(CaughtMail(key, received, message_from_bytes(kept.as_bytes(), policy=policy.default)))
    found.sort(key=lambda mail: mail.received, reverse=True)
    return found[:limit]
