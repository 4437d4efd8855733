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
from bot.text.masking import mask_secrets
from bot.tickets.limits import ticket_limit_reached
from bot.tickets.models import ISSUE_TYPES
from bot.tickets.offline_outbox import DATABASE_UNREACHABLE, OutboxEntry, TicketOutbox, deliver
from bot.tickets.store import NewTicket, TicketStore
from bot.tickets.validation import (
    check_description,
    check_organization_name,
    normalise_email,
    parse_profile_id,
    web_address,
)

logger = logging.getLogger(__name__)

Outcome = Literal["stored", "already_sent", "kept", "refused", "not_saved", "invalid"]


@dataclass(frozen=True)
class Submission:
    outcome: Outcome
    reference: str | None = None  # set when the ticket is stored, already sent or kept


def ticket_problems(new: NewTicket) -> list[str]:
    """The fields that fail the checks the form makes (bot/tickets/validation.py), by name."""
    problems = []
    if check_organization_name(new.organization_name).value != new.organization_name.strip():
        problems.append("organization_name")
    if web_address(new.profile_link) is None or parse_profile_id(new.profile_link) is None:
        problems.append("profile_link")
    if new.issue_type not in ISSUE_TYPES:
        problems.append("issue_type")
    if check_description(new.description).value is None:
        problems.append("description")
    if normalise_email(new.contact_email) is None:
        problems.append("contact_email")
    return problems


def submit(
    new: NewTicket, submission_key: str, store: TicketStore, outbox: TicketOutbox, limits: RateLimits
) -> Submission:
    """Store `new` once per `submission_key`; a repeated confirmation never counts against the limit."""
    new = replace(new, description=mask_secrets(new.description))
    problems = ticket_problems(new)
    if problems:
        logger.warning("ticket of conversation %s refused, invalid: %s", new.conversation_id, ", ".join(problems))
        return Submission("invalid")
    kept = _kept(outbox, submission_key)
    try:
        if kept is not None:
            # Confirmed before while the database was away, and the database is back: deliver it now.
            reference = deliver(store, kept).reference
            outbox.remove(submission_key)
            return Submission("stored", reference)
        if store.by_submission_key(submission_key) is None and ticket_limit_reached(
            store, limits, new.conversation_id, new.client_address
        ):
            return _refused(new)
        ticket, created = store.create(new, submission_key=submission_key)
    except DATABASE_UNREACHABLE:
        logger.warning("ticket database unreachable: conversation %s's ticket waits in the outbox", new.conversation_id)
        return _keep(new, submission_key, outbox, limits)
    except Exception:
        logger.exception("could not store the ticket of conversation %s", new.conversation_id)
        return Submission("not_saved")
    return Submission("stored" if created else "already_sent", ticket.reference)


def _keep(new: NewTicket, submission_key: str, outbox: TicketOutbox, limits: RateLimits) -> Submission:
    try:
        # The limits count what waits in the outbox while the store cannot be asked.
        if outbox.get(submission_key) is None and ticket_limit_reached(
            outbox, limits, new.conversation_id, new.client_address
        ):
            return _refused(new)
        return Submission("kept", outbox.put(new, submission_key).reference)
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
