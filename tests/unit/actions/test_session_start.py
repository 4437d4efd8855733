"""A new session after an hour away: the answers are kept and an unfinished support request is offered again."""

from __future__ import annotations

import asyncio

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session_start import ActionSessionStart
from bot.settings import PROJECT_ROOT


def start(**slots: object) -> tuple[list[dict], list[dict]]:
    tracker = Tracker(
        sender_id="unit",
        slots={"language": "fr", **slots},
        latest_message={},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name=None,
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSessionStart().run(dispatcher, tracker, {}))
    return events, dispatcher.messages


def test_a_request_left_in_the_middle_is_offered_again_with_its_answers_kept() -> None:
    events, messages = start(
        organization_name="ONG Espoir", profile_link="https://x/profile/1", requested_slot="issue_type"
    )
    [offer] = messages
    assert offer["response"] == "utter_unfinished_request" and (offer["filled"], offer["total"]) == (2, 5)
    carried = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert carried["organization_name"] == "ONG Espoir" and carried["profile_link"] == "https://x/profile/1"
    assert "requested_slot" not in carried, "the form works out its step again when it resumes"


def test_nothing_is_offered_without_a_request_or_once_it_is_at_its_summary_or_sent() -> None:
    assert start()[1] == []
    assert start(organization_name="ONG Espoir", ticket_stage="confirm")[1] == []
    assert start(organization_name="ONG Espoir", ticket_stage="submitted")[1] == []


def test_the_offer_has_finish_and_cancel_buttons_in_both_languages() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    variants = domain["responses"]["utter_unfinished_request"]
    assert len(variants) == 2
    for variant in variants:
        assert "{organization_name}" in variant["text"]
        assert [b["payload"] for b in variant["buttons"]] == ["/request_support", "/cancel"]
