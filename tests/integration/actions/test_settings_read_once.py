"""The action server reads its settings once, when it starts: answering a partner's message parses none.

The real action server (rasa-sdk's app as `helpdesk actions` builds it) on loopback, called as the Rasa server
calls it, while any reading of the settings raises. Before, the per-message path re-read all the variables at
eleven call sites, so one message could act on two readings (ticket limits from one, status limits from another).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sanic import Sanic

import actions.services
import bot.settings
from actions.server import create_app
from bot.migrations import upgrade
from bot.settings import Settings
from tests.support.settings import settings_with
from tests.support.stand_ins import serving

TOKEN = "action-token-for-this-test"


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[Settings]:
    url = f"sqlite:///{tmp_path / 'tickets.db'}"
    upgrade(url)
    yield settings_with(
        DATABASE_URL=url,
        HELPDESK_VAR_DIR=str(tmp_path / "var"),
        ACTION_SERVER_TOKEN=TOKEN,
        TICKET_REFERENCE_PREFIX="QA",
        DEFAULT_LANGUAGE="en",
        OUTBOX_DRAIN_SECONDS="0",
        MAIL_SEND_SECONDS="0",
    )
    actions.services.use(None)


def tracker(sender: str, slots: dict[str, Any], latest: dict[str, Any]) -> dict[str, Any]:
    return {
        "sender_id": sender,
        "slots": slots,
        "latest_message": latest,
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }


FORM = {
    "organization_name": "Association Espoir",
    "profile_link": "https://www.unpartnerportal.org/profile/12345/overview",
    "issue_type": "account_access",
    "description": "Our administrator left and nobody can add users any more.",
    "contact_email": "Contact@Espoir.org",
}


def calls(sender: str) -> list[tuple[str, dict[str, Any]]]:
    """One conversation's action calls: an article answer, the ticket summary and submission, its status."""
    article = {
        "text": "how do I reset my password",
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {"faq": {"ranking": [{"intent_response_key": "faq/forgot-password", "confidence": 0.9}]}},
        "metadata": {"client_address": "192.0.2.7"},
    }
    plain = {"text": "yes", "intent": {"name": "affirm"}, "metadata": {"client_address": "192.0.2.7"}}
    form = {**FORM, "ticket_draft_id": "draft-1"}
    return [
        ("action_answer_article", tracker(sender, {}, article)),
        ("action_ticket_summary", tracker(sender, form, plain)),
        ("action_submit_ticket", tracker(sender, form, plain)),
    ]


async def post(session: aiohttp.ClientSession, url: str, action: str, state: dict[str, Any]) -> dict[str, Any]:
    body = {"next_action": action, "sender_id": state["sender_id"], "tracker": state, "domain": {}, "version": "3.6"}
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with session.post(url, data=json.dumps(body), headers=headers) as response:
        assert response.status == 200, await response.text()
        return await response.json()


def serve_and_call(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    # As sanic-testing does: Sanic 21.12 otherwise rewrites its own methods again for each app, and fails.
    monkeypatch.setattr(Sanic, "test_mode", True)
    app = create_app(settings)  # the services are made here, from the settings handed in

    def no_reading(*_: Any, **__: Any) -> None:
        raise AssertionError("the settings were parsed while answering a message")

    monkeypatch.setattr(bot.settings, "_read", no_reading)
    bot.settings.process_settings.cache_clear()  # a cached reading from another test would hide a call

    async def main() -> list[dict[str, Any]]:
        async with serving(app) as address, aiohttp.ClientSession() as session:
            url = f"{address}/webhook"
            sender = f"partner-{uuid.uuid4().hex[:8]}"
            replies = [await post(session, url, action, state) for action, state in calls(sender)]
            status = {"status_reference": replies[-1]["events"][-1]["value"], "status_email": FORM["contact_email"]}
            latest = {"text": "where is my request", "metadata": {"client_address": "192.0.2.7"}}
            replies.append(await post(session, url, "action_ticket_status", tracker(sender, status, latest)))
            return replies

    return asyncio.run(main())


def test_a_conversation_through_the_action_server_parses_no_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer, summary, submitted, status = serve_and_call(settings, monkeypatch)

    assert answer["responses"][0]["custom"] == {"kb_article": "forgot-password"}
    assert summary["responses"][-1]["response"] == "utter_ticket_summary"
    created = submitted["responses"][0]
    assert created["response"] == "utter_ticket_created"
    assert created["ticket_reference"].startswith("QA-"), "the reference prefix of the settings handed in"
    assert created["contact_email"] == "Contact@espoir.org", "the address as stored, normalised once"
    assert status["responses"][0]["response"] == "utter_status_new"
    assert status["responses"][0]["status_reference"] == created["ticket_reference"]
