"""A password or verification code typed into the chat is written nowhere: not in Rasa's nor the action
server's log, not in the tracker store; and the conversation goes on all the same.

Runs against the real servers (tests/support/servers.py), at the log level they run with in production (Rasa's
default, INFO), whose output goes to `rasa.log` and `actions.log` in the workspace.
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid

import pytest

from tests.support.servers import Workspace
from tests.system.conversation.chat import Assistant, texts

pytestmark = pytest.mark.model


def _logs(workspace: Workspace) -> str:
    return "\n".join((workspace.workdir / name).read_text(errors="replace") for name in ("rasa.log", "actions.log"))


def _stored(workspace: Workspace, sender: str) -> list[dict]:
    """Every event Rasa's tracker store holds for the conversation, oldest first."""
    with sqlite3.connect(workspace.workdir / "tracker.db") as db:
        rows = db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
    return [json.loads(data) for (data,) in rows]


def _fresh_code(seen: str) -> str:
    """A 6-digit code that the logs do not already hold by chance (a process id, a port...)."""
    while True:
        code = f"{random.randint(100000, 999999)}"
        if code not in seen:
            return code


def test_a_typed_password_and_code_are_neither_logged_nor_stored(assistant: Assistant, workspace: Workspace) -> None:
    sender = f"secrets-{uuid.uuid4().hex[:12]}"
    password = f"Kiwi-{uuid.uuid4().hex[:8]}!"
    code = _fresh_code(_logs(workspace))

    said_password = assistant.send(sender, f"I cannot log in, my password is {password}", {"language": "en"})
    said_code = assistant.send(sender, f"the verification code is {code} and it was refused")
    said_after = assistant.send(sender, "mon code de vérification est " + code)

    # The conversation went on: the bot answered each message.
    assert texts(said_password).strip() and texts(said_code).strip() and texts(said_after).strip()

    events = _stored(workspace, sender)
    said = [event["text"] for event in events if event["event"] == "user"]
    assert said == [
        "I cannot log in, my password is •••••",
        "the verification code is ••••• and it was refused",
        "mon code de vérification est •••••",
    ]
    stored = json.dumps(events, ensure_ascii=False)  # slots, parse data, metadata too
    assert password not in stored and code not in stored

    logs = _logs(workspace)
    assert password not in logs
    assert code not in logs
