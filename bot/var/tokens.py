"""The secrets our own processes share: Rasa's HTTP API token and the action server's token.

Each is the setting when set (RASA_TOKEN, ACTION_SERVER_TOKEN); otherwise a random token made once into the var
folder (0600), so `make run` is closed by default with nothing to configure, and every process on this machine
reads the same one. Servers on several machines must agree, so the scale-out profile asks for the settings.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from bot.settings import Settings
from bot.var.folder import create_private_once

RASA_TOKEN_FILE = "rasa-token"
ACTION_SERVER_TOKEN_FILE = "action-server-token"


def rasa_api_token(settings: Settings) -> str:
    return settings.rasa.token or _generated(settings.var_dir / RASA_TOKEN_FILE)


def action_server_token(settings: Settings) -> str:
    return settings.rasa.action_server_token or _generated(settings.var_dir / ACTION_SERVER_TOKEN_FILE)


def _generated(path: Path) -> str:
    if not path.exists():
        create_private_once(path, secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="utf-8").strip()
