"""Ticket triage pages: the filtered queue, its CSV export, a ticket with its transcript and its e-mails, and staff
changes, public replies included."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from bot.console.extensions import mail_outbox, settings, store
from bot.console.spreadsheet import csv_cell
from bot.console.tickets.filters import wanted_from
from bot.conversations.transcripts import transcript
from bot.mail.attachments import path_of
from bot.tickets.models import ISSUE_TYPES, PRIORITIES, STATUSES, Ticket
from bot.tickets.queue import AGES, MAIL_FILTERS, RATINGS, SORTS
from bot.tickets.triage import TriageError
from bot.tickets.validation import record_id, web_address

tickets = Blueprint("tickets", __name__)
PAGE_SIZE = 50
FILTER_FIELDS = ("status", "issue_type", "assignee", "language", "age", "rating", "mail", "q", "sort")
CSV_COLUMNS = (
    "reference",
    "created_at",
    "updated_at",
    "status",
    "priority",
    "issue_type",
    "organization_name",
    "profile_link",
    "profile_id",
    "contact_email",
    "language",
    "assignee",
    "duplicate_of",
    "conversation_id",
    "first_response_at",
    "resolved_at",
    "rating",
    "rated_at",
    "description",
)


def profile_href(link: str) -> str | None:
    """An http(s) address for the partner's profile link, or None when it cannot be one (never `javascript:`)."""
    parts = web_address(link)
    return parts.geturl() if parts else None


def mailto(address: str) -> str:
    """A mailto: link to exactly this address: `?`, `&` and `=` are legal in an address's local part and would
    otherwise add recipients (`?bcc=`) or a subject to the staff member's new e-mail."""
    return "mailto:" + quote(address, safe="@")


def filter_args() -> dict[str, str]:
    """The filters in this request, to carry into links (pages, export, status counts)."""
    return {name: request.args[name] for name in FILTER_FIELDS if request.args.get(name)}


@tickets.get("/tickets")
@login_required
def queue() -> str:
    wanted = wanted_from(request.args, int(current_user.id))
    page = store().queue.page(
        wanted,
        cursor=request.args.get("after") or request.args.get("before"),
        backwards=bool(request.args.get("before")) and not request.args.get("after"),
        size=PAGE_SIZE,
    )
    return render_template(
        "tickets/queue.html",
        page=page,
        counts=store().queue.status_counts(wanted),
        wanted=wanted,
        args=filter_args(),
        staff=store().triage.staff(),
        statuses=STATUSES,
        issue_types=ISSUE_TYPES,
        ages=AGES,
        ratings=RATINGS,
        mail_filters=MAIL_FILTERS,
        sorts=SORTS,
    )


def csv_row(ticket: Ticket) -> list[str]:
    values = {
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "assignee": ticket.assignee.email if ticket.assignee else "",
        "duplicate_of": ticket.duplicate_of.reference if ticket.duplicate_of else "",
        **{name: _moment(getattr(ticket, name)) for name in ("first_response_at", "resolved_at", "rated_at")},
    }
    return [csv_cell(values[c] if c in values else getattr(ticket, c)) for c in CSV_COLUMNS]


def _moment(value: datetime | None) -> str:
    return value.isoformat() if value else ""


@tickets.get("/tickets/export.csv")
@login_required
def export() -> Response:
    """Every ticket of the current filtered view, streamed in batches, so 100,000 rows need little memory."""
    wanted = wanted_from(request.args, int(current_user.id))
    queue = store().queue  # read now: the rows are written after this request's context has ended

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for ticket in queue.all_matching(wanted):
            writer.writerow(csv_row(ticket))
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="tickets.csv"', "Cache-Control": "no-store"}
    return Response(rows(), mimetype="text/csv", headers=headers)


@tickets.get("/tickets/<reference>")
@login_required
def detail(reference: str) -> str:
    ticket = store().by_reference(reference)
    if ticket is None:
        abort(404)
    return render_template(
        "tickets/ticket.html",
        ticket=ticket,
        events=store().events(ticket.id),
        related=store().triage.related(ticket),
        lines=transcript(ticket.conversation_id, settings()),
        thread=mail_outbox().thread(ticket.id),
        mails=mail_outbox().for_ticket(ticket.id),
        attachments=mail_outbox().attachments(ticket.id),
        ratings=[rating for rating in store().ratings.for_ticket(ticket.id) if rating.score],
        saved_replies=store().saved_replies.all(ticket.language),
        reply_text=_saved_text(request.args.get("saved"), ticket.language),
        staff=store().triage.staff(),
        statuses=STATUSES,
        priorities=PRIORITIES,
        profile_href=profile_href(ticket.profile_link),
        mailto=mailto,
    )


def _saved_text(saved: str | None, language: str) -> str:
    """The saved reply chosen to start the reply with (in the ticket's language), else nothing."""
    reply_id = record_id(saved or "")
    reply = store().saved_replies.get(reply_id) if reply_id else None
    return reply.body if reply is not None and reply.language == language else ""


@tickets.get("/tickets/<reference>/attachments/<int:attachment_id>")
@login_required
def attachment(reference: str, attachment_id: int) -> Response:
    """A file a partner sent, downloaded (never shown inline) under the name they gave it."""
    ticket = store().by_reference(reference)
    found = next((a for a in mail_outbox().attachments(ticket.id) if a.id == attachment_id), None) if ticket else None
    if found is None:
        abort(404)
    path = path_of(settings().var_dir / "attachments", found)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/octet-stream", as_attachment=True, download_name=found.filename)


@tickets.post("/tickets/<reference>")
@login_required
def change(reference: str) -> Response:
    """One form per action on the ticket page; each change lands in the audit trail."""
    triage = store().triage
    actor = current_user.email
    action = request.form.get("action")
    try:
        if action == "assign":
            assignee = request.form.get("assignee", "")
            if request.form.get("to_me") or assignee == "me":  # the "Assign to me" button, or the choice
                assignee_id: int | None = int(current_user.id)
            else:
                assignee_id = record_id(assignee)
            triage.assign(reference, assignee_id, actor)
        elif action == "status":
            triage.set_status(reference, request.form.get("status", ""), actor)
        elif action == "priority":
            triage.set_priority(reference, request.form.get("priority", ""), actor)
        elif action == "note":
            triage.add_note(reference, request.form.get("note", ""), actor)
        elif action == "reply":
            status = request.form.get("reply_status") or None  # "" keeps the status
            store().replies.reply(reference, request.form.get("reply", ""), actor, status=status)
        elif action == "duplicate":
            triage.mark_duplicate(reference, request.form.get("original", ""), actor)
        else:
            abort(400)
    except TriageError as error:
        if str(error).startswith("no ticket") and action != "duplicate":
            abort(404)
        flash(_("Not saved: %(reason)s", reason=str(error)), "error")
    else:
        flash(_("Saved; the reply is e-mailed to the partner.") if action == "reply" else _("Saved."), "notice")
    return redirect(url_for("tickets.detail", reference=reference.upper()))
