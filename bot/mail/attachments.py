"""Files partners send, with their e-mail answers or from the chat: their type read from their bytes, their size
limited, kept as data.

A file is stored under a random name with no extension (`var/attachments/<ticket id>/<token>`, or
`var/attachments/chat/<token>` for one sent from the chat, 0600): the name
the partner gave it is kept in the database only, for staff to see and to download it under, so nothing on the
disk can be run, and no name can reach outside the folder. The type is what the first bytes say, not what the
e-mail claims: a `.pdf` that is an executable is refused.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from bot.mail.models import TicketAttachment

_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
_UNSAFE_NAME = re.compile(r"[^\w .()+-]")


def sniffed_type(data: bytes) -> str | None:
    """The type the content shows, or None when it is none we know."""
    for signature, kind in _SIGNATURES:
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for c in text if (c < " " and c not in "\t\n\r\f") or c == "\x7f")
    return "text/plain" if controls == 0 else None  # a program's header is full of them


def safe_filename(name: str) -> str:
    """The partner's file name as staff will download it: no folders, no control or odd characters, 120 long."""
    base = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .") or "attachment"
    return cleaned[:120]


@dataclass(frozen=True)
class Verdict:
    content_type: str | None  # set when the file is accepted
    refusal: str | None  # why it is not kept, for the thread


def check(data: bytes, allowed: tuple[str, ...], max_bytes: int) -> Verdict:
    if len(data) > max_bytes:
        return Verdict(None, f"larger than {max_bytes // 1_000_000} MB")
    kind = sniffed_type(data)
    if kind is None or kind not in allowed:
        return Verdict(None, f"type not accepted ({kind or 'unknown content'})")
    return Verdict(kind, None)


CHAT_FOLDER = "chat"  # files sent from the chat, which may come before their ticket


def store_file(folder: Path, owner: int | str, data: bytes) -> str:
    """Write the bytes under a new random name in the ticket's folder, or the chat's (0700, file 0600); return the
    stored name."""
    where = folder / str(owner)
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = secrets.token_hex(16)
    path = where / name
    with path.open("xb") as file:
        file.write(data)
    path.chmod(0o600)
    return name


def stored_path(folder: Path, owner: int | str, stored_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", stored_name):
        raise ValueError("not a stored attachment name")
    return folder / str(owner) / stored_name


def path_of(folder: Path, attachment: TicketAttachment) -> Path:
    """Where an attachment's bytes are: a chat file stays in the chat's folder once it joins its ticket."""
    owner = CHAT_FOLDER if attachment.conversation_id else attachment.ticket_id
    return stored_path(folder, owner, attachment.stored_name)
