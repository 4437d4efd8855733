"""A Rasa socket.io channel with a scripted bot instead of a model, for testing the chat widget on loopback.

The channel is the one `credentials.yml` configures (Rasa's own `socketio`, or a module path to a project
class), built with Rasa's `from_credentials`, so the widget is tested against the code the server really runs.

    python tests/integration/console/rasa_socketio_stub.py PORT      (from the project folder)

Nothing here works around Rasa: if the channel or the pinned python-socketio drops replies (RasaHQ/rasa#13027:
Rasa 3.6 does not await `enter_room`, a coroutine from python-socketio 5.10 on), the widget tests see it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.shared.utils.common import class_from_module_path
from sanic import Sanic

ROOT = Path(__file__).resolve().parents[3]
# What the scripted bot says; the test checks the widget shows it as text, links as <a>, buttons as buttons.
GREETING = (
    "Bonjour ! <b>Pas de HTML</b> <img src=x onerror=alert(1)>\n" "Guide : https://www.unpartnerportal.org/landing/."
)
ARTICLE = "create-user-account"
# An article answer, then the "was this helpful?" question with its buttons, as domain.yml's utter_kb_followup.
ANSWER = "Cliquez sur « Mot de passe oublié » sur la page de connexion."
FEEDBACK = {
    "text": "Cette réponse vous aide-t-elle ?",
    "buttons": [
        {"title": "Oui, merci", "payload": "/affirm"},
        {"title": "Non, j'ai besoin d'aide", "payload": "/deny"},
    ],
}
BUTTONS = [
    {"title": "Accès au compte", "payload": '/choose_issue{"issue_type": "account_access"}'},
    {"title": "Autre", "payload": '/choose_issue{"issue_type": "other"}'},
]


def configured_channel() -> InputChannel:
    """The socket.io channel of credentials.yml, as `rasa run` would build it."""
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text()) or {}
    for name, options in credentials.items():
        if name == "socketio":
            from rasa.core.channels.socketio import SocketIOInput

            return SocketIOInput.from_credentials(options)
        if "." in name:
            channel_class = class_from_module_path(name)
            if channel_class.name() == "socketio" or "socketio" in name.lower():
                return channel_class.from_credentials(options)
    raise SystemExit("credentials.yml configures no socket.io channel")


async def scripted_bot(message: UserMessage) -> None:
    """Answer like the assistant would: a greeting with buttons, then an echo of what the widget sent."""
    output = message.output_channel
    if message.text == "article?":
        await output.send_response(message.sender_id, {"text": ANSWER, "custom": {"kb_article": "forgot-password"}})
        feedback = {"text": FEEDBACK["text"], "buttons": [dict(button) for button in FEEDBACK["buttons"]]}
        await output.send_response(message.sender_id, feedback)
        return
    if message.text and message.text.startswith("/choose_issue"):
        reply: dict[str, Any] = {"text": "payload=" + message.text}
    elif message.text == "metadata?":
        reply = {"text": "metadata=" + json.dumps(message.metadata, sort_keys=True)}
    else:
        reply = {"text": GREETING, "buttons": [dict(button) for button in BUTTONS], "custom": {"kb_article": ARTICLE}}
    await output.send_response(message.sender_id, reply)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("port", type=int)
    args = parser.parse_args()

    channel = configured_channel()
    app = Sanic("widget_test_stub")
    app.blueprint(channel.blueprint(scripted_bot))
    print("ready", flush=True)
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False)


if __name__ == "__main__":
    main()
