"""Reading an e-mail a partner sent back: who, about which ticket, what they wrote (without the quoted history and
the signature), and what they attached.

Pure functions over the message as received; bot/tickets/email_answers.py decides what joins which ticket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import message_from_bytes, message_from_string, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses

# "[HD-2026-000042]" anywhere in the subject; outbox references have 12 digits.
_REFERENCE = re.compile(r"\b([A-Z]{1,10}-\d{4}-\d{6,12})\b")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Where the quoted history starts, in the clients partners use (Gmail, Outlook, Thunderbird, Apple Mail), fr + en.
_QUOTE_HEADERS = (
    re.compile(r"^\s*On .{1,200} wrote:\s*$"),
    re.compile(r"^\s*Le .{1,200} a écrit\s*:\s*$"),
    re.compile(
        r"^\s*-{2,}\s*(Original Message|Message d'origine|Forwarded message|Message transféré)\s*-{2,}\s*$", re.I
    ),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule before its header block
    re.compile(r"^\s*(From|De)\s*:\s*.+$"),
)
_SIGNATURE = re.compile(r"^-- ?$")  # the standard signature separator
_MOBILE_SIGNATURES = re.compile(r"^\s*(Sent from my |Envoyé de mon |Envoyé depuis |Get Outlook for )", re.I)


@dataclass(frozen=True)
class Attachment:
    filename: str
    declared_type: str
    data: bytes


@dataclass(frozen=True)
class Bounce:
    """A delivery status notification (RFC 3464) saying one of our e-mails could not be delivered, for good."""

    message_id: str  # the Message-ID of our e-mail, from the returned headers
    diagnostic: str  # what the recipient's server said, e.g. "smtp; 550 5.1.1 User unknown"


@dataclass(frozen=True)
class Incoming:
    sender: str  # the From address, lower case
    subject: str
    reference: str | None  # as written in the subject
    answers: tuple[str, ...]  # the Message-IDs it answers (In-Reply-To, then References)
    text: str  # what the partner wrote, history and signature trimmed
    attachments: tuple[Attachment, ...] = field(default=())
    auto_reply: bool = False  # an out-of-office or a bounce: never reopens a ticket
    report: bool = False  # a delivery report (multipart/report): never a partner's words
    bounce: Bounce | None = None  # the report says one of our e-mails failed for good


def parse(raw: bytes) -> Incoming:
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    senders = getaddresses([str(message.get("From", ""))])
    sender = senders[0][1].strip().lower() if senders else ""
    subject = " ".join(str(message.get("Subject", "")).split())
    found = _REFERENCE.search(subject.upper())
    answers = tuple(
        dict.fromkeys(_MESSAGE_ID.findall(f"{message.get('In-Reply-To', '')} {message.get('References', '')}"))
    )
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = body.get_content()
        text = _html_to_text(content) if body.get_content_type() == "text/html" else content
    report = message.get_content_type() == "multipart/report"
    auto = (
        report
        or str(message.get("Auto-Submitted", "no")).strip().lower() not in ("", "no")
        or bool(message.get("X-Autoreply") or message.get("X-Autorespond"))
    )
    return Incoming(
        sender=sender,
        subject=subject,
        reference=found.group(1) if found else None,
        answers=answers,
        text=trimmed(text),
        attachments=tuple(_attachments(message)),
        auto_reply=auto,
        report=report,
        bounce=bounce_of(message) if report else None,
    )


def bounce_of(message: EmailMessage) -> Bounce | None:
    """The e-mail a delivery report says failed for good ("Action: failed", status 5.x.x), else None."""
    if message.get_param("report-type", header="content-type") != "delivery-status":
        return None
    failed, diagnostic, returned = False, "", None
    for part in message.iter_parts():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for fields in _status_blocks(part):
                action = str(fields.get("Action", "")).strip().lower()
                status = str(fields.get("Status", "")).strip()
                if action == "failed" or status.startswith("5"):
                    failed = True
                    diagnostic = diagnostic or " ".join(str(fields.get("Diagnostic-Code", status)).split())
        elif kind == "message/rfc822":
            payload = part.get_payload()
            returned = payload[0] if isinstance(payload, list) and payload else None
        elif kind == "text/rfc822-headers":
            returned = message_from_string(part.get_content(), policy=policy.default)
    found = _MESSAGE_ID.search(str(returned.get("Message-ID", ""))) if returned is not None else None
    if not failed or found is None:
        return None
    return Bounce(message_id=found.group(), diagnostic=diagnostic[:500] or "delivery failed")


def _status_blocks(part: Message) -> list[Message]:
    """The field blocks of a message/delivery-status part: one for the message, then one per recipient."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    return [message_from_string(block) for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]


def trimmed(text: str) -> str:
    """The new part of a reply: up to the quoted history or the signature, blank lines at the ends removed."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(">") or any(p.match(line) for p in _QUOTE_HEADERS):
            break
        if _SIGNATURE.match(line) or _MOBILE_SIGNATURES.match(line):
            break
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if data is None:
            continue
        found.append(Attachment(part.get_filename() or "attachment", part.get_content_type(), data))
    return found


_TAG = re.compile(r"<[^<>]{0,2000}>")
_BREAKS = re.compile(r"(?i)<br\s*/?>|</p\s*>|</div\s*>")


def _html_to_text(content: str) -> str:
    """Only for a reply sent as HTML alone: line breaks kept, tags dropped (never rendered)."""
    import html

    return html.unescape(_TAG.sub("", _BREAKS.sub("\n", content)))
