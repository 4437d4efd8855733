"""The JSON API (`/api/v1`): the console's ticket operations for other helpdesk tools, token-authenticated.

Authentication is `Authorization: Bearer <token>` (tokens from the Users page or `helpdesk create-token`);
no cookie session, so no CSRF token either. Every change is made as the token's account and audited.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from bot.accounts import api_tokens
from bot.accounts.models import StaffUser
from bot.accounts.users import find_user
from bot.console.extensions import database, mail_outbox, store
from bot.console.tickets.filters import wanted_from
from bot.mail.models import TicketMessage
from bot.tickets.models import Ticket, TicketEvent
from bot.tickets.triage import Triage, TriageError

api = Blueprint("api", __name__, url_prefix="/api/v1")
MAX_PAGE_SIZE = 200


def error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status


def token_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else ""
        user = api_tokens.user_for(database(), token)
        if user is None:
            response, status = error(401, "a valid API token is required: Authorization: Bearer <token>")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response, status
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "reference": ticket.reference,
        "organization_name": ticket.organization_name,
        "profile_link": ticket.profile_link,
        "profile_id": ticket.profile_id,
        "issue_type": ticket.issue_type,
        "description": ticket.description,
        "contact_email": ticket.contact_email,
        "language": ticket.language,
        "conversation_id": ticket.conversation_id,
        "status": ticket.status,
        "priority": ticket.priority,
        "assignee": ticket.assignee.email if ticket.assignee else None,
        "duplicate_of": ticket.duplicate_of.reference if ticket.duplicate_of else None,
        "created_at": ticket.created_at.isoformat(),
        "updated_at": ticket.updated_at.isoformat(),
        "first_response_at": ticket.first_response_at.isoformat() if ticket.first_response_at else None,
        "resolved_at": ticket.resolved_at.isoformat() if ticket.resolved_at else None,
        "rating": ticket.rating,
        "rated_at": ticket.rated_at.isoformat() if ticket.rated_at else None,
    }


def event_json(event: TicketEvent) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
    }


@api.get("/tickets")
@token_required
def list_tickets() -> Response:
    """Filters as in the console (status, issue_type, assignee id or "none", language, age, q, sort);
    `after` is the `next` cursor of the previous page; `limit` up to 200."""
    wanted = wanted_from(request.args, g.api_user.id)
    size = min(max(request.args.get("limit", 50, type=int) or 50, 1), MAX_PAGE_SIZE)
    page = store().queue.page(wanted, cursor=request.args.get("after"), size=size)
    return jsonify(tickets=[ticket_json(t) for t in page.tickets], total=page.total, next=page.next_cursor)


@api.get("/tickets/<reference>")
@token_required
def get_ticket(reference: str) -> Any:
    ticket = store().by_reference(reference)
    if ticket is None:
        return error(404, f"no ticket {reference}")
    return jsonify(ticket=ticket_json(ticket), events=[event_json(e) for e in store().events(ticket.id)])


@api.patch("/tickets/<reference>")
@token_required
def change_ticket(reference: str) -> Any:
    """JSON body with any of: status, priority, assignee (an account's e-mail, or null to unassign)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body:
        return error(400, "send a JSON object with status, priority or assignee")
    unknown = set(body) - {"status", "priority", "assignee"}
    if unknown:
        return error(400, f"unknown field(s): {', '.join(sorted(unknown))}")

    def apply(triage: Triage, actor: str) -> None:
        if "assignee" in body:
            triage.assign(reference, _assignee_id(body["assignee"]), actor)
        if "status" in body:
            triage.set_status(reference, str(body["status"]), actor)
        if "priority" in body:
            triage.set_priority(reference, str(body["priority"]), actor)

    _, refused = triaged(reference, apply)
    return refused or get_ticket(reference)


def triaged(reference: str, apply: Callable[[Triage, str], Any]) -> tuple[Any, Any]:
    """Make a change as the token's account: (its result, None), or (None, a 404 or 422 error response)."""
    if store().by_reference(reference) is None:
        return None, error(404, f"no ticket {reference}")
    try:
        return apply(store().triage, g.api_user.email), None
    except TriageError as problem:
        return None, error(422, str(problem))


def _assignee_id(email: Any) -> int | None:
    if email is None:
        return None
    user: StaffUser | None = find_user(database(), str(email))
    if user is None:
        raise TriageError(f"no account {email}")
    return user.id


@api.post("/tickets/<reference>/notes")
@token_required
def add_note(reference: str) -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return error(400, 'send {"text": "..."}')
    event, refused = triaged(reference, lambda triage, actor: triage.add_note(reference, body["text"], actor))
    return refused or (jsonify(event=event_json(event)), 201)


@api.post("/tickets/<reference>/replies")
@token_required
def add_reply(reference: str) -> Any:
    """A public reply, e-mailed to the partner: {"text": "...", "status": optional new status, e.g. "resolved"}."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return error(400, 'send {"text": "...", "status": "resolved" (optional)}')
    status = body.get("status")
    if status is not None and not isinstance(status, str):
        return error(400, "status must be a string or absent")
    message, refused = triaged(
        reference, lambda triage, actor: store().replies.reply(reference, body["text"], actor, status=status)
    )
    if refused:
        return refused
    mail = mail_outbox().get(message.mail_id)
    return jsonify(
        reply=reply_json(message, mail.status if mail else None), ticket=ticket_json(store().by_reference(reference))
    ), 201


def reply_json(message: TicketMessage, mail_status: str | None) -> dict[str, Any]:
    return {
        "id": message.id,
        "at": message.at.isoformat(),
        "author": message.author,
        "text": message.body,
        "mail_status": mail_status,
    }


@api.post("/tickets/<reference>/duplicate")
@token_required
def mark_duplicate(reference: str) -> Any:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("of"), str):
        return error(400, 'send {"of": "<reference of the original ticket>"}')
    _, refused = triaged(reference, lambda triage, actor: triage.mark_duplicate(reference, body["of"], actor))
    return refused or get_ticket(reference)
