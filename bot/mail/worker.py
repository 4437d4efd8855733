"""The worker that empties the mail outbox: claim what is due, send each through SMTP, record how it went.

It runs in every action server (every MAIL_SEND_SECONDS) and as `helpdesk mail send`; any number may run at
once (bot/mail/outbox.py says why no e-mail is sent twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.mail.compose import Composed, email_message
from bot.mail.outbox import MailOutbox
from bot.mail.smtp import DeliveryError, SmtpServer

logger = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: list[int] = field(default_factory=list)
    retrying: dict[int, str] = field(default_factory=dict)  # mail id: why it waits
    failed: dict[int, str] = field(default_factory=dict)  # mail id: why it will not go

    def __bool__(self) -> bool:
        return bool(self.sent or self.retrying or self.failed)


def send_due(outbox: MailOutbox, server: SmtpServer, sender: str, reply_to: str | None = None) -> SendReport:
    """Send every e-mail that is due now (claimed by this worker), one by one."""
    report = SendReport()
    while True:
        claims = outbox.claim()
        if not claims:
            break
        for position, claim in enumerate(claims):
            mail = outbox.get(claim.mail_id)
            if mail is None:
                continue
            message = email_message(
                Composed(mail.subject, mail.body_text, mail.body_html),
                sender=sender,
                recipient=mail.recipient,
                message_id=mail.message_id,
                reply_to=reply_to,
                in_reply_to=mail.in_reply_to,
                automatic=mail.kind == "acknowledgment",
            )
            try:
                server.send(message)
            except DeliveryError as error:
                if error.permanent:
                    outbox.mark_failed(claim, str(error))
                    report.failed[mail.id] = str(error)
                    continue
                outbox.mark_retry(claim, str(error))
                report.retrying[mail.id] = str(error)
                if not error.unreachable:
                    continue  # this address is busy; the next may not be
                # The server is away: the rest of this batch goes back, its attempts not counted, to wait as long.
                retry_at = outbox.get(claim.mail_id).next_attempt_at
                for rest in claims[position + 1 :]:
                    outbox.release(rest, retry_at, f"waiting for the mail server: {error}")
                    report.retrying[rest.mail_id] = f"not tried: {error}"
                return _logged(report)
            outbox.mark_sent(claim)
            report.sent.append(mail.id)
    return _logged(report)


def _logged(report: SendReport) -> SendReport:
    if report.sent:
        logger.info("mail: %d e-mail(s) sent", len(report.sent))
    if report.retrying:
        logger.warning(
            "mail: %d e-mail(s) waiting for the mail server: %s",
            len(report.retrying),
            next(iter(report.retrying.values())),
        )
    for mail_id, reason in report.failed.items():
        logger.error("mail: e-mail %d failed for good: %s", mail_id, reason)
    return report


async def send_forever(seconds: float, work: Callable[[], SendReport]) -> None:
    """Send now, then every `seconds`; in a thread, as a mail server that does not answer can take its time."""
    loop = asyncio.get_running_loop()
    while True:
        try:
            await loop.run_in_executor(None, work)
        except Exception:
            logger.exception("mail worker failed; next pass in %s s", seconds)
        await asyncio.sleep(seconds)
