"""Sending one message through the SMTP server SMTP_URL names, and telling a failure to retry from a final one.

SMTP_URL: `smtp://host:port` (plain, as to a local relay or the mail catcher), `smtp+starttls://host:587`, or
`smtps://host:465`, with `user:password@` before the host when the server wants a login.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class SmtpUrlError(ValueError):
    """SMTP_URL cannot be used; the message says why and what it should look like."""


class DeliveryError(Exception):
    """The server did not take the message. `permanent`: it never will (a refused address); else try later.

    `unreachable`: the server itself is away (no connection, or 421), so the other e-mails will fail too.
    """

    def __init__(self, message: str, permanent: bool, unreachable: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str, timeout: float = 20.0) -> SmtpServer:
        parts = urlsplit(url.strip())
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise SmtpUrlError(
                f"SMTP_URL {url!r} is not usable: write smtp://host:port, smtp+starttls://host:587 or "
                "smtps://host:465, with user:password@ before the host if the server needs a login"
            )
        try:
            port = parts.port or SCHEMES[parts.scheme]
        except ValueError as error:
            raise SmtpUrlError(f"SMTP_URL {url!r}: {error}") from None
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password else None
        return cls(parts.scheme, parts.hostname, port, username, password, timeout)

    def __repr__(self) -> str:  # never the password, in a log or a traceback
        return f"SmtpServer({self.scheme}://{self.host}:{self.port}, login={'yes' if self.username else 'no'})"

    def send(self, message: EmailMessage) -> None:
        """Hand the message to the server, or raise DeliveryError saying whether a retry can succeed."""
        try:
            with self._connect() as client:
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise DeliveryError(f"recipient refused: {_said(error.recipients)}", all(c >= 500 for c in codes)) from None
        except smtplib.SMTPResponseException as error:
            code = error.smtp_code
            raise DeliveryError(f"{code} {_text(error.smtp_error)}", code >= 500, unreachable=code == 421) from None
        except (smtplib.SMTPException, OSError) as error:  # refused, reset, timed out, TLS failed
            where = f"{self.host}:{self.port}"
            raise DeliveryError(f"cannot reach the mail server {where}: {error}", False, unreachable=True) from None
        if refused:
            raise DeliveryError(f"recipient refused: {_said(refused)}", True)

    def _connect(self) -> smtplib.SMTP:
        if self.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
        if self.username:
            client.login(self.username, self.password or "")
        return client


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _said(recipients: dict) -> str:
    return "; ".join(f"{address}: {code} {_text(reply)}" for address, (code, reply) in recipients.items())
