"""The action server dies in the middle of two ticket forms, one English and one French.

Each partner gets an apology in their language, the form keeps its question and its answers (nothing of the
failed turn is stored), and once the action server is back the same answer continues the form, which ends
with one ticket each.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bot.text.partner_messages import limits_message
from tests.support.servers import make_workspace
from tests.system.faults.stack import Stack, running_stack, ticket_store

pytestmark = pytest.mark.model

ENGLISH_LINK = "unpartnerportal.org/profile/777/undata"
FRENCH_LINK = "https://www.unpartnerportal.org/profile/4821/overview"
ACCOUNT_ACCESS = '/choose_issue_type{"issue_type": "account_access"}'
DUPLICATE_PROFILE = '/choose_issue_type{"issue_type": "duplicate_profile"}'


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(make_workspace(tmp_path_factory.mktemp("action-server-outage"))) as started:
        yield started


def form_state(tracker: dict) -> dict:
    """What the form holds: its question, its answers, and how many events the conversation has."""
    return {"active_loop": tracker.get("active_loop"), "slots": tracker["slots"], "events": len(tracker["events"])}


def test_the_form_waits_for_the_action_server_and_resumes_where_it_was(stack: Stack) -> None:
    english, french = f"outage-en-{uuid.uuid4().hex[:8]}", f"outage-fr-{uuid.uuid4().hex[:8]}"
    assert "organisation" in stack.say(english, "/request_support", {"language": "en"})
    assert "link" in stack.say(english, "Bamako Youth Network")
    assert "What kind of problem" in stack.say(english, ENGLISH_LINK)
    assert "organisation" in stack.say(french, "/request_support", {"language": "fr"})
    assert "lien" in stack.say(french, "Association des Femmes de Kindu")
    before = {english: form_state(stack.tracker(english)), french: form_state(stack.tracker(french))}
    assert before[english]["slots"]["requested_slot"] == "issue_type"
    assert before[french]["slots"]["requested_slot"] == "profile_link"

    stack.kill_actions()
    try:
        # Each answer is handed back with an apology in the partner's language, twice in a row.
        for _ in range(2):
            assert stack.send(english, ACCOUNT_ACCESS) == [
                {"recipient_id": english, "text": limits_message("action_server_unavailable", "en")}
            ]
            assert stack.send(french, FRENCH_LINK) == [
                {"recipient_id": french, "text": limits_message("action_server_unavailable", "fr")}
            ]
        # Nothing of those turns is stored: same question, same answers, not one more event.
        assert form_state(stack.tracker(english)) == before[english]
        assert form_state(stack.tracker(french)) == before[french]
    finally:
        stack.start_actions()  # same port, same files

    assert "describe the problem" in stack.say(english, ACCOUNT_ACCESS)
    assert "type de problème" in stack.say(french, FRENCH_LINK)
    assert "Décrivez" in stack.say(french, DUPLICATE_PROFILE)
    assert "e-mail" in stack.say(english, "Our only administrator left and nobody can add users any more.")
    assert "e-mail" in stack.say(french, "Nous avons créé deux profils par erreur, merci de supprimer le second.")
    assert "Account access" in stack.say(english, "admin@byn.org")
    assert "Association des Femmes de Kindu" in stack.say(french, "awa.diallo@afk.org")
    sent = {english: stack.say(english, "/affirm"), french: stack.say(french, "/affirm")}

    with ticket_store(stack.workspace.database_url) as store:
        assert store.count() == 2
        expected = {
            english: ("Bamako Youth Network", ENGLISH_LINK, "777", "account_access", "admin@byn.org", "en"),
            french: (
                "Association des Femmes de Kindu",
                FRENCH_LINK,
                "4821",
                "duplicate_profile",
                "awa.diallo@afk.org",
                "fr",
            ),
        }
        for sender, fields in expected.items():
            [ticket] = [t for t in store.newest(10) if t.conversation_id == sender]
            assert ticket.reference in sent[sender]
            assert (
                ticket.organization_name,
                ticket.profile_link,
                ticket.profile_id,
                ticket.issue_type,
                ticket.contact_email,
                ticket.language,
            ) == fields
