"""A support request as a partner confirms it, numbered so that each test can make several distinct ones."""

from __future__ import annotations

from bot.tickets.store import NewTicket


def new_ticket(n: int = 1, **changes: str) -> NewTicket:
    fields = {
        "organization_name": f"Association des Femmes de Kindu {n}",
        "profile_link": f"https://www.unpartnerportal.org/profile/{4800 + n}/overview",
        "issue_type": "duplicate_profile",
        "description": "Nous avons créé deux profils par erreur, merci de supprimer le second.",
        "contact_email": f"awa.{n}@afk.org",
        "language": "fr",
        "conversation_id": f"conversation-{n}",
        "client_address": "192.0.2.7",
        **changes,
    }
    return NewTicket(**fields)
