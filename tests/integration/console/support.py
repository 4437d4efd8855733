"""Console test helpers: log in through the real form (with its CSRF token), add tickets."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from bot.tickets.models import Ticket
from bot.tickets.store import NewTicket, TicketStore

PASSWORD = "correct horse battery"


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def log_in(client: FlaskClient, password: str = PASSWORD, email: str = "agent@helpdesk.org"):
    token = csrf_token(client)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def add_ticket(store: TicketStore, key: str, **changes: str) -> Ticket:
    fields = {
        "organization_name": "ONG Espoir",
        "profile_link": "https://www.unpartnerportal.org/profile/4821/overview",
        "issue_type": "non_editable_info",
        "description": "Le nom légal est faux.\nMerci de le corriger.",
        "contact_email": "contact@espoir.org",
        "language": "fr",
        "conversation_id": "conv-" + key,
    }
    fields.update(changes)
    return store.create(NewTicket(**fields), submission_key=key)[0]
