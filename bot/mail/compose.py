"""The e-mails partners get, in their language: one template per kind gives both the plain-text and the HTML part.

A template is paragraphs of plain text with {fields}. The text part is the template filled in; the HTML part is
the same paragraphs with every field escaped and links made clickable, so the two never say different things.
The subject carries the ticket's reference in brackets: a partner's answer comes back with it, and so finds its
ticket (with the In-Reply-To and References headers, which carry the Message-ID).
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

SUBJECTS = {
    "acknowledgment": {
        "fr": "[{reference}] Votre demande d'assistance est enregistrée",
        "en": "[{reference}] Your support request is registered",
    },
    "reply": {
        "fr": "[{reference}] Réponse de l'équipe d'assistance",
        "en": "[{reference}] Reply from the support team",
    },
    "resolution": {
        "fr": "[{reference}] Votre demande est résolue",
        "en": "[{reference}] Your request is resolved",
    },
}

BODIES = {
    "acknowledgment": {
        "fr": (
            "Bonjour,\n\n"
            "Nous avons bien reçu votre demande d'assistance. Sa référence est {reference} : rappelez-la si vous "
            "nous écrivez.\n\n"
            "Organisation : {organization_name}\nProfil UNPP : {profile_link}\nType : {issue_label}\n\n"
            "Description :\n{description}\n\n"
            "L'équipe d'assistance vous répondra à cette adresse. Pour ajouter une précision, répondez simplement "
            "à ce message. N'envoyez jamais de mot de passe.\n\n"
            "{signature}"
        ),
        "en": (
            "Hello,\n\n"
            "We have received your support request. Its reference is {reference}: please quote it if you write "
            "to us.\n\n"
            "Organisation: {organization_name}\nUNPP profile: {profile_link}\nType: {issue_label}\n\n"
            "Description:\n{description}\n\n"
            "The support team will answer you at this address. To add a detail, simply reply to this message. "
            "Never send a password.\n\n"
            "{signature}"
        ),
    },
    "reply": {
        "fr": (
            "Bonjour,\n\n{body}\n\n{signature}\n\n"
            "Référence : {reference}. Répondez à ce message pour continuer l'échange."
        ),
        "en": "Hello,\n\n{body}\n\n{signature}\n\nReference: {reference}. Reply to this message to continue.",
    },
    "resolution": {
        "fr": (
            "Bonjour,\n\n{body}\n\nNous considérons votre demande {reference} comme résolue. Si le problème "
            "persiste, répondez à ce message : la demande sera rouverte.\n\n"
            "Notre réponse vous a-t-elle aidé ? Un clic suffit :\nOui : {rating_good}\nNon : {rating_bad}\n\n"
            "{signature}"
        ),
        "en": (
            "Hello,\n\n{body}\n\nWe consider your request {reference} resolved. If the problem is still there, "
            "reply to this message and the request will be reopened.\n\n"
            "Did our answer help? One click is enough:\nYes: {rating_good}\nNo: {rating_bad}\n\n{signature}"
        ),
    },
}

SIGNATURES = {"fr": "L'équipe d'assistance aux partenaires", "en": "The partner support team"}
_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)]")


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def compose(kind: str, language: str, fields: dict[str, str]) -> Composed:
    """The e-mail of `kind` in `language` ("en" for any other), its {fields} filled in."""
    language = language if language in SIGNATURES else "en"
    values = {"signature": SIGNATURES[language], **fields}
    template = BODIES[kind][language]
    subject = SUBJECTS[kind][language].format(**values)
    text = template.format(**values)
    escaped = {key: _html(value) for key, value in values.items()}
    paragraphs = template.split("\n\n")
    body = "\n".join("<p>" + paragraph.format(**escaped).replace("\n", "<br>\n") + "</p>" for paragraph in paragraphs)
    page = (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8"><title>{_html(subject)}</title>'
        f'</head>\n<body style="font-family: sans-serif; line-height: 1.5">\n{body}\n</body></html>\n'
    )
    return Composed(subject=subject, text=text, html=page)


def _html(value: str) -> str:
    """Escaped, with links made clickable."""
    escaped, position, pieces = str(value), 0, []
    for match in _LINK.finditer(escaped):
        pieces.append(html.escape(escaped[position : match.start()]))
        link = html.escape(match.group(), quote=True)
        pieces.append(f'<a href="{link}">{link}</a>')
        position = match.end()
    pieces.append(html.escape(escaped[position:]))
    return "".join(pieces)


def new_message_id(reference: str, kind: str, domain: str) -> str:
    """A Message-ID made once per e-mail and kept across retries: `<…HD-2026-000042.reply.3f2a…@domain>`."""
    return make_msgid(idstring=f"{reference}.{kind}.{uuid.uuid4().hex[:12]}", domain=domain or "helpdesk.invalid")


def email_message(
    composed: Composed,
    *,
    sender: str,
    recipient: str,
    message_id: str,
    reply_to: str | None = None,
    in_reply_to: str | None = None,
    automatic: bool = False,
) -> EmailMessage:
    """The message as sent: plain text first, HTML as the alternative, the thread's headers set.

    `automatic`: written by no person (the acknowledgment), so out-of-office replies do not answer it (RFC 3834).
    """
    message = EmailMessage()
    message["Subject"] = composed.subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id
    if reply_to:
        message["Reply-To"] = reply_to
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message["Auto-Submitted"] = "auto-generated" if automatic else "no"
    message.set_content(composed.text)
    message.add_alternative(composed.html, subtype="html")
    return message
