"""The ticket limits, counted in the ticket store itself so that every action server sees the same count."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from bot.settings import RateLimits

if TYPE_CHECKING:
    from bot.tickets.store import TicketStore

TICKET_WINDOW = timedelta(hours=1)


def ticket_limit_reached(
    store: TicketStore, limits: RateLimits, sender: str | None, address: str | None, now: datetime | None = None
) -> bool:
    """True when this sender or this address already created its quota of tickets within the last hour."""
    if limits.is_exempt(address):
        return False
    since = (now or datetime.now(timezone.utc)) - TICKET_WINDOW
    per_sender, per_address = limits.tickets_per_hour_per_sender, limits.tickets_per_hour_per_address
    if sender and per_sender and store.created_since(since, conversation_id=sender) >= per_sender:
        return True
    return bool(address and per_address and store.created_since(since, client_address=address) >= per_address)
