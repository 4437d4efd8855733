"""The one sample ticket of the tests: a support request as a partner confirms it, stored or not.

Every ticket is the same partner's unless a test changes a field; `key` tells several apart (their conversation,
and the submission key when stored). A test that asserts a value it depends on passes that value itself.
"""

from __future__ import annotations

from bot.tickets.models import Ticket
from bot.tickets.store import NewTicket, TicketStore

PROFILE_ID = "4821"


def new_ticket(key: str | int = 1, **changes: str | None) -> NewTicket:
    fields = {
        "organization_name": "ONG Espoir",
        "profile_link": f"https://www.unpartnerportal.org/profile/{PROFILE_ID}/overview",
        "issue_type": "non_editable_info",
        "description": "Le nom légal est faux.\nMerci de le corriger.",
        "contact_email": "contact@espoir.org",
        "language": "fr",
        "conversation_id": f"conv-{key}",
        "client_address": "192.0.2.7",
        **changes,
    }
    return NewTicket(**fields)


def add_ticket(store: TicketStore, key: str | int = 1, **changes: str | None) -> Ticket:
    """Stored as the bot stores a confirmed request, with `key` as its submission key."""
    return store.create(new_ticket(key, **changes), submission_key=str(key))[0]
