"""The var folder: private to this account, and the tokens made there once, the same for every process."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from bot.settings import get_settings
from bot.var.folder import secure
from bot.var.tokens import action_server_token, rasa_api_token


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_kept() -> Iterator[None]:
    """`secure` sets the process's umask, as the servers want; the test process gets its own back."""
    kept = os.umask(0o022)
    os.umask(kept)
    yield
    os.umask(kept)


def test_an_open_var_folder_from_an_older_version_is_closed(tmp_path: Path, umask_kept: None) -> None:
    var = tmp_path / "var"
    var.mkdir()
    var.chmod(0o755)
    (var / "tickets.db").write_text("")
    (var / "tickets.db").chmod(0o644)

    secure(var)
    (var / "made-later.log").write_text("")  # the umask holds for what the process makes next

    assert mode(var) == 0o700
    assert mode(var / "tickets.db") == 0o600 and mode(var / "made-later.log") == 0o600


def _token(var: str) -> str:
    return rasa_api_token(get_settings({"HELPDESK_VAR_DIR": var}))


def test_processes_starting_at_once_share_one_generated_token(tmp_path: Path) -> None:
    var = str(tmp_path / "var")
    with ProcessPoolExecutor(4) as pool:
        tokens = set(pool.map(_token, [var] * 8))
    assert len(tokens) == 1 and len(tokens.pop()) >= 40
    assert mode(tmp_path / "var" / "rasa-token") == 0o600


def test_a_token_set_in_the_settings_is_used_as_it_is(tmp_path: Path) -> None:
    settings = get_settings({"HELPDESK_VAR_DIR": str(tmp_path), "ACTION_SERVER_TOKEN": "set-by-the-operator"})
    assert action_server_token(settings) == "set-by-the-operator"
    assert not (tmp_path / "action-server-token").exists()
    assert rasa_api_token(settings) != action_server_token(settings)
