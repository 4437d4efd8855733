"""The chat widget against Rasa's socket.io channel as credentials.yml configures it, on loopback.

widget.js runs in Node (fake DOM, real pinned socket.io client, see widget_harness.js); the server is the
configured channel with a scripted bot (rasa_socketio_stub.py), so protocol and pin problems show up here,
not only in a browser.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed to run the widget's JavaScript")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The configured socket.io channel with a scripted bot, started once for this module."""
    port = free_port()
    log = tmp_path_factory.mktemp("stub") / "stub.log"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(HERE / "rasa_socketio_stub.py"), str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"the socket.io stub exited:\n{log.read_text()[-3000:]}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"the socket.io stub did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if os.environ.get("WIDGET_TEST_VERBOSE"):
            print(log.read_text())


def run_widget(server: str, language: str, scenario: str) -> dict[str, Any]:
    result = subprocess.run(
        [NODE, str(HERE / "widget_harness.js"), str(PROJECT_ROOT), server, language, scenario],
        capture_output=True,
        text=True,
        timeout=90,
    )
    try:
        output = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"the widget harness failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    assert result.returncode == 0, f"{output.get('error')}\nreceived: {output.get('received')}\n{result.stderr}"
    return output


@pytest.fixture(scope="module")
def conversation(rasa_url: str) -> dict[str, Any]:
    return run_widget(rasa_url, "fr", "full")


def test_bot_text_is_shown_as_text_with_links_built_as_elements(conversation: dict[str, Any]) -> None:
    greeting = conversation["log"][1]
    assert greeting["cls"] == "hd-msg hd-bot"
    # The markup arrives as characters on the page (the fake DOM throws on any innerHTML use).
    assert "<b>Pas de HTML</b> <img src=x onerror=alert(1)>\nGuide :" in greeting["text"]
    assert greeting["elements"] == [
        {
            "tag": "A",
            "text": "https://www.unpartnerportal.org/landing/",
            "href": "https://www.unpartnerportal.org/landing/",
            "rel": "noopener noreferrer",
            "target": "_blank",
        }
    ]
    assert greeting["article"] == "create-user-account"


def test_one_script_tag_loads_the_socket_io_client_from_the_widgets_origin(conversation: dict[str, Any]) -> None:
    # widget.js came from the console, the page is a partner's site: the pinned client comes from the console.
    assert conversation["loaded"] == ["http://console.example.org:8000/vendor/socket.io.min.js"]


def test_a_message_typed_before_the_session_is_confirmed_is_sent_after(conversation: dict[str, Any]) -> None:
    assert conversation["outboxBeforeConnect"] == ["bonjour"]
    assert "Connexion à l'assistant" in conversation["statusBeforeConnect"]
    session_id = conversation["sessionRequests"][0]["session_id"]
    assert conversation["confirmed"][0] == session_id
    assert conversation["utterances"][0] == {
        "message": "bonjour",
        "session_id": session_id,
        "metadata": {"language": "fr"},
    }


def test_a_button_sends_its_payload_and_shows_its_title(conversation: dict[str, Any]) -> None:
    assert conversation["buttonTitles"] == ["Accès au compte", "Autre"]
    # The group is labelled with the question the buttons answer (the last line of the message carrying them).
    assert conversation["buttonGroup"] == {
        "role": "group",
        "label": "Guide : https://www.unpartnerportal.org/landing/.",
    }
    assert conversation["buttonsAfterClick"] == 0
    assert conversation["utterances"][1]["message"] == '/choose_issue{"issue_type": "account_access"}'
    texts = [entry["text"] for entry in conversation["log"]]
    assert texts[2] == "Accès au compte"
    assert texts[3] == 'payload=/choose_issue{"issue_type": "account_access"}'


def test_was_this_helpful_is_a_labelled_group_of_buttons(conversation: dict[str, Any]) -> None:
    assert conversation["feedback"] == {
        "cls": "hd-buttons hd-feedback",
        "role": "group",
        "label": "Cette réponse vous aide-t-elle ?",
        "buttons": [
            {"tag": "BUTTON", "type": "button", "text": "Oui, merci"},
            {"tag": "BUTTON", "type": "button", "text": "Non, j'ai besoin d'aide"},
        ],
    }
    answer = next(entry for entry in conversation["logFinal"] if entry["text"].startswith("Cliquez"))
    assert answer["article"] == "forgot-password"


def test_controls_are_labelled_buttons(conversation: dict[str, Any]) -> None:
    assert conversation["controls"] == {
        "restart": "Recommencer la conversation",
        "send": "Envoyer le message",
        "sendTag": "BUTTON",
        "input": "Écrivez votre question…",
        "log": "Conversation avec l'assistant",
        "logRole": "log",
        "logTabindex": "0",
    }


def test_the_page_language_reaches_rasa_as_metadata(conversation: dict[str, Any]) -> None:
    # The channel adds the client's address (for the ticket limits) and what its intake did (masked once, the
    # language detected once: bot/rasa_server/intake.py); the page's language arrives as sent.
    echoed = json.loads(conversation["log"][-1]["text"].removeprefix("metadata="))
    assert echoed.pop("intake")["masked"] is True
    assert echoed == {"language": "fr", "client_address": "127.0.0.1"}
    assert all(u["metadata"] == {"language": "fr"} for u in conversation["utterances"])


def test_typing_indicator_while_a_reply_is_pending(conversation: dict[str, Any]) -> None:
    assert conversation["typingWhilePending"] == 1
    assert conversation["typingAfterGreeting"] == 0


def test_a_reload_shows_the_conversation_and_keeps_the_session(conversation: dict[str, Any]) -> None:
    assert conversation["logAfterReload"] == conversation["logFinal"]
    assert conversation["logAfterReload"][-1]["cls"] == "hd-buttons hd-feedback", "the open question stays usable"
    first, second = conversation["sessionRequests"]
    assert first == second


def test_an_unreachable_server_is_said_and_messages_wait(tmp_path: Path) -> None:
    result = run_widget(f"http://127.0.0.1:{free_port()}", "en", "offline")
    assert "cannot be reached" in result["status"]
    assert result["outbox"] == ["allo ?"] and result["sent"] == 0
    assert result["log"][0]["text"] == "allo ?"
    assert "socket.io client did not load" in result["noClientStatus"]
    assert result["loaded"] == ["http://console.example.org:8000/vendor/socket.io.min.js"]
    assert result["noClientInputDisabled"] is True


def test_widget_code_never_inserts_html() -> None:
    code = (PROJECT_ROOT / "bot" / "console" / "static" / "widget.js").read_text()
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert risky not in code
