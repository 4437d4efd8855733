"""The support loop by e-mail through the real servers, as `make run` has it with no mail server configured.

A partner opens a ticket in the chat; the action server's worker sends the acknowledgment to the Procfile's mail
catcher; a staff reply, then its resolution, follow in the same thread, in the partner's language.
"""

from __future__ import annotations

import time

import pytest

from bot.mail.catcher import CaughtMail, caught
from tests.support.servers import Workspace
from tests.system.conversation.chat import Assistant, texts

pytestmark = pytest.mark.model

PROFILE = "https://www.unpartnerportal.org/profile/4821/overview"


def wait_for_mail(workspace: Workspace, to: str, count: int, timeout: float = 30) -> list[CaughtMail]:
    deadline = time.monotonic() + timeout
    while True:
        mails = sorted((m for m in caught(workspace.workdir / "mail") if m.to == to), key=lambda m: m.received)
        if len(mails) >= count or time.monotonic() > deadline:
            return mails
        time.sleep(0.3)


def test_a_chat_ticket_is_acknowledged_by_email_then_answered_and_resolved_in_one_thread(
    assistant: Assistant, workspace: Workspace, sender: str
) -> None:
    partner = f"{sender}@espoir.example"
    for message in ["/request_support", "ONG Espoir", PROFILE, '/choose_issue_type{"issue_type": "other"}',
                    "Le formulaire de profil affiche une erreur 500.", partner]:  # fmt: skip
        assistant.send(sender, message)
    done = texts(assistant.send(sender, "/affirm"))
    reference = next(word.strip(" :.") for word in done.split() if word.startswith("HD-"))

    [acknowledgment] = wait_for_mail(workspace, partner, 1)
    assert acknowledgment.subject == f"[{reference}] Votre demande d'assistance est enregistrée"
    assert "Le formulaire de profil affiche une erreur 500." in acknowledgment.text()
    assert acknowledgment.message["From"] == "support@helpdesk.example"

    assistant.store.replies.reply(reference, "Pouvez-vous nous envoyer une capture ?", "agent@helpdesk.example")
    assistant.store.replies.reply(reference, "C'est corrigé.", "agent@helpdesk.example", status="resolved")
    mails = wait_for_mail(workspace, partner, 3)
    assert [m.subject for m in mails] == [
        f"[{reference}] Votre demande d'assistance est enregistrée",
        f"[{reference}] Réponse de l'équipe d'assistance",
        f"[{reference}] Votre demande est résolue",
    ]
    first = str(acknowledgment.message["Message-ID"]).strip()
    assert [str(m.message["In-Reply-To"]).strip() for m in mails[1:]] == [first, first]
    ticket = assistant.store.by_reference(reference)
    assert {m.status for m in assistant.store.mail.for_ticket(ticket.id)} == {"sent"}
    time.sleep(2)
    assert len(wait_for_mail(workspace, partner, 4, timeout=0)) == 3, "each e-mail once"
