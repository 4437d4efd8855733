"""The Rasa server is killed between two answers of a ticket form and started again on the same files.

The conversation lives in the SQLite tracker store, not in the server: the restarted server asks the same
question, and the form ends with one ticket.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.support.servers import make_workspace
from tests.system.faults.stack import Stack, running_stack, ticket_store

pytestmark = pytest.mark.model

LINK = "https://www.unpartnerportal.org/profile/4821/overview"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(make_workspace(tmp_path_factory.mktemp("rasa-restart"))) as started:
        yield started


def test_a_killed_rasa_server_picks_the_form_up_where_it_was(stack: Stack) -> None:
    sender = f"restart-{uuid.uuid4().hex[:8]}"
    assert "organisation" in stack.say(
        sender, "J'ai besoin d'aide de l'équipe support, pouvez-vous ouvrir une demande ?"
    )
    assert "lien" in stack.say(sender, "Association des Femmes de Kindu")
    assert "type de problème" in stack.say(sender, LINK)
    before = stack.tracker(sender)

    stack.kill_rasa()  # SIGKILL: nothing flushed, nothing said goodbye
    stack.start_rasa()  # same port, same model, same tracker store file

    after = stack.tracker(sender)
    assert after["slots"] == before["slots"] and after["active_loop"] == before["active_loop"]
    assert after["slots"]["requested_slot"] == "issue_type"
    assert "Décrivez" in stack.say(sender, '/choose_issue_type{"issue_type": "duplicate_profile"}')
    assert "e-mail" in stack.say(sender, "Nous avons créé deux profils par erreur, merci de supprimer le second.")
    assert "Association des Femmes de Kindu" in stack.say(sender, "awa.diallo@afk.org")
    sent = stack.say(sender, "/affirm")

    with ticket_store(stack.workspace.database_url) as store:
        [ticket] = store.newest(10)
        assert ticket.reference in sent
        assert (ticket.conversation_id, ticket.organization_name, ticket.profile_id, ticket.issue_type) == (
            sender,
            "Association des Femmes de Kindu",
            "4821",
            "duplicate_profile",
        )
        assert (ticket.contact_email, ticket.language) == ("awa.diallo@afk.org", "fr")
