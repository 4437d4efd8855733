"""Submitting a confirmed support request: stored in the ticket store, or kept in the outbox while it is away.

One use case with one answer, a word the action turns into the partner's reply:

| outcome | what happened | the partner hears |
|---|---|---|
| `stored` | the ticket is in the store (also a confirmation kept in the outbox and delivered now) | its reference |
| `already_sent` | this confirmation was stored before (a repeated click): no second ticket | the same reference |
| `kept` | the store is unreachable: the ticket waits in the outbox with its final reference | that reference |
| `refused` | this conversation or address reached its ticket limit | the limit, in their language |
| `not_saved` | neither the store nor the outbox took it: nothing is kept, the draft stays | to try again |
| `invalid` | a field fails the form's own checks (a call that skipped the form): nothing is kept | to try again |

Every field is checked again here, whatever the form checked: the use case is the last door before the store, and
a forged or replayed action call must not store markup, a `javascript:` link or a password in clear.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Literal

from bot.settings import RateLimits
from bot.text.emails import normalise_email
from bot.text.masking import mask_secrets
from bot.tickets.limits import ticket_limit_reached
from bot.tickets.models import ISSUE_TYPES
from bot.tickets.offline_outbox import DATABASE_UNREACHABLE, OutboxEntry, TicketOutbox, deliver
from bot.tickets.store import NewTicket, TicketStore
from bot.tickets.validation import check_description, check_organization_name, parse_profile_id

logger = logging.getLogger(__name__)

Outcome = Literal["stored", "already_sent", "kept", "refused", "not_saved", "invalid"]


@dataclass(frozen=True)
class Submission:
    outcome: Outcome
    reference: str | None = None  # set when the ticket is stored, already sent or kept
    contact_email: str | None = None  # the address as stored, for the reply that names it


def checked_ticket(new: NewTicket) -> NewTicket | list[str]:
    """The ticket as the store keeps it, or the fields that fail the form's checks (bot/tickets/validation.py).

    Each check runs once, here: text trimmed, the e-mail normalised, the profile id read from the link, secrets
    masked in the description. The store and the offline outbox then keep what this returns as it is.
    """
    problems = []
    organization = check_organization_name(new.organization_name).value
    if organization != new.organization_name.strip():
        problems.append("organization_name")
    profile_id = parse_profile_id(new.profile_link)
    if profile_id is None:
        problems.append("profile_link")
    if new.issue_type not in ISSUE_TYPES:
        problems.append("issue_type")
    description = check_description(mask_secrets(new.description)).value
    if description is None:
        problems.append("description")
    email = normalise_email(new.contact_email)
    if email is None:
        problems.append("contact_email")
    if problems:
        return problems
    return replace(
        new,
        organization_name=organization,
        profile_link=new.profile_link.strip(),
        profile_id=profile_id,
        description=description,
        contact_email=email,
    )


def submit(
    new: NewTicket, submission_key: str, store: TicketStore, outbox: TicketOutbox, limits: RateLimits
) -> Submission:
    """Store `new` once per `submission_key`; a repeated confirmation never counts against the limit."""
    checked = checked_ticket(new)
    if isinstance(checked, list):
        logger.warning("ticket of conversation %s refused, invalid: %s", new.conversation_id, ", ".join(checked))
        return Submission("invalid")
    email = checked.contact_email
    kept = _kept(outbox, submission_key)
    try:
        if kept is not None:
            # Confirmed before while the database was away, and the database is back: deliver it now.
            reference = deliver(store, kept).reference
            outbox.remove(submission_key)
            return Submission("stored", reference, email)
        existing = store.by_submission_key(submission_key)
        if existing is not None:
            return Submission("already_sent", existing.reference, email)
        if ticket_limit_reached(store, limits, checked.conversation_id, checked.client_address):
            return _refused(checked)
        ticket, created = store.create(checked, submission_key=submission_key)
    except DATABASE_UNREACHABLE:
        logger.warning("ticket database unreachable: conversation %s's ticket waits in the outbox", new.conversation_id)
        return _keep(checked, submission_key, outbox, limits)
    except Exception:
        logger.exception("could not store the ticket of conversation %s", new.conversation_id)
        return Submission("not_saved")
    return Submission("stored" if created else "already_sent", ticket.reference, email)


def _keep(new: NewTicket, submission_key: str, outbox: TicketOutbox, limits: RateLimits) -> Submission:
    try:
        # The limits count what waits in the outbox while the store cannot be asked.
        if outbox.get(submission_key) is None and ticket_limit_reached(
            outbox, limits, new.conversation_id, new.client_address
        ):
            return _refused(new)
        return Submission("kept", outbox.put(new, submission_key).reference, new.contact_email)
    except Exception:
        logger.exception("could not keep the ticket of conversation %s in the outbox", new.conversation_id)
        return Submission("not_saved")


def _kept(outbox: TicketOutbox, submission_key: str) -> OutboxEntry | None:
    """The outbox entry of this confirmation; None also when the outbox cannot be read (the store may work)."""
    try:
        return outbox.get(submission_key)
    except Exception:
        logger.exception("could not read the ticket outbox %s", outbox.path)
        return None


def _refused(new: NewTicket) -> Submission:
    logger.warning("ticket limit reached: conversation %s, address %s", new.conversation_id, new.client_address)
    return Submission("refused")
