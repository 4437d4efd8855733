"""How stored code words read in the console: status, priority, role, audit fields and actions, list choices.

The database keeps the English code word ("pending"); these maps are the one place the console turns one into
text, so the extractor sees every label as a literal, and a stored value is never looked up in the catalogue as
if it were a text. A value with no label (an older row, an e-mail in the audit trail) is shown as it is stored.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from bot.console.i18n import console_language
from bot.tickets import issue_types

LABELS: dict[str, dict[str, LazyString]] = {
    "status": {
        "new": _l("new"),
        "open": _l("open"),
        "pending": _l("pending"),
        "resolved": _l("resolved"),
        "closed": _l("closed"),
    },
    "priority": {"low": _l("low"), "normal": _l("normal"), "high": _l("high"), "urgent": _l("urgent")},
    "role": {"staff": _l("staff"), "admin": _l("admin")},
    "language": {"fr": _l("French"), "en": _l("English")},
    "speaker": {"partner": _l("partner"), "bot": _l("bot")},
    # The audit trail: what was done, and to which field (`assignee_id` is stored as `assignee`).
    "action": {
        "created": _l("created the ticket"),
        "note": _l("added a note"),
        "changed": _l("changed"),
        "reply": _l("replied to the partner"),
        "partner_reply": _l("answered by e-mail"),
        "rated": _l("rated the answer"),
        "mail_bounced": _l("e-mail bounced"),
        "chat_file": _l("sent a file from the chat"),
        "rating_comment": _l("commented on the rating"),
    },
    # The partner's answer to the satisfaction question (bot/tickets/ratings.py), and the queue's filter on it.
    "rating": {"good": _l("good"), "bad": _l("bad"), "none": _l("not rated")},
    "mail_filter": {"waiting": _l("e-mail waiting"), "failed": _l("e-mail failed")},
    # The e-mails of a ticket (bot/mail/models.py): what each is, and where it stands.
    "mail_kind": {
        "acknowledgment": _l("acknowledgment"),
        "reply": _l("reply"),
        "resolution": _l("resolution"),
    },
    "mail_status": {
        "waiting": _l("waiting to be sent"),
        "sending": _l("being sent"),
        "sent": _l("sent"),
        "failed": _l("failed"),
    },
    "field": {
        "status": _l("status"),
        "priority": _l("priority"),
        "assignee": _l("assignee"),
        "duplicate_of": _l("duplicate of"),
        "rating": _l("rating"),
    },
    "order": {"newest": _l("Newest first"), "frequent": _l("Most frequent first")},  # unanswered questions
    # The queue's filter and sort choices (bot.tickets.queue.AGES and SORTS).
    "age": {
        "1d": _l("under a day"),
        "7d": _l("under 7 days"),
        "30d": _l("under 30 days"),
        "over7d": _l("over 7 days"),
        "over30d": _l("over 30 days"),
    },
    # How an article revision came about (bot.knowledge.history.KINDS), and the fields a comparison names.
    "revision_kind": {
        "console": _l("saved in the console"),
        "file": _l("changed in the folder"),
        "restore": _l("restored"),
        "draft": _l("draft published"),
        "example": _l("question added as example"),
    },
    "article_field": {
        "title": _l("title"),
        "answer": _l("answer"),
        "examples": _l("example questions"),
        "source": _l("source"),
        "related": _l("related articles"),
        "ticket_issue_type": _l("ticket issue type"),
        "citations": _l("citations"),
        "id": _l("id"),
        "illustrations": _l("illustrations"),
    },
    # The dashboard's open tickets by age (bot.dashboard.tickets.AGE_BUCKETS).
    "open_age": {
        "day": _l("under a day"),
        "week": _l("1 to 7 days"),
        "month": _l("7 to 30 days"),
        "older": _l("over 30 days"),
    },
    "sort": {
        "newest": _l("newest first"),
        "oldest": _l("oldest first"),
        "updated": _l("recently updated"),
        "priority": _l("highest priority"),
    },
}
# Audit fields whose values are code words too.
VALUE_KINDS = {"status": "status", "priority": "priority", "rating": "rating"}


def label_of(kind: str, value: str | None) -> str:
    """`value` of `kind` in the console's language; issue types have their own labels, shared with the bot."""
    if value is None:
        return ""
    if kind == "issue_type":
        return issue_types.label(value, console_language())
    text = LABELS[kind].get(value)
    return str(text) if text is not None else value


def audit_value(field: str | None, value: str | None) -> str:
    """An old or new value in the audit trail: a status or priority as its label, anything else as stored."""
    kind = VALUE_KINDS.get(field or "")
    return label_of(kind, value) if kind else (value or "")
