"""One settings object read by one parser: every variable in `.env.example`, nothing read anywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT, get_settings, setting_names

ENV_EXAMPLE = PROJECT_ROOT / ".env.example"


def test_every_setting_is_in_env_example_and_every_variable_there_is_a_setting() -> None:
    listed = re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(encoding="utf-8"))
    names = setting_names()
    assert len(names) == len(set(names)) > 30, "each variable is read once"
    assert sorted(listed) == sorted(names)


def test_the_defaults_are_the_values_env_example_shows() -> None:
    shown = dict(re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(encoding="utf-8")))
    assert get_settings(shown) == get_settings({}), "copying .env.example as it is changes nothing"


def test_no_module_reads_the_environment_but_the_settings() -> None:
    reads = re.compile(r"\bos\.environ\b|\bgetenv\(|\benviron\.get\(")
    found = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in ("bot", "actions")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        if path != PROJECT_ROOT / "bot" / "settings.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    assert found == []


def test_values_are_read_into_the_tree() -> None:
    settings = get_settings(
        {
            "HELPDESK_VAR_DIR": "/srv/helpdesk",
            "CONSOLE_HTTPS": "yes",
            "LOGIN_WINDOW_SECONDS": "90.5",
            "ACTION_SERVER_PORT": "6055",
            "RASA_URL": "https://chat.example.org/",
            "MAX_MESSAGE_CHARS": "0",
            "RATE_LIMIT_EXEMPT_ADDRESSES": "10.0.0.0/8, ::1",
            "DEFAULT_LANGUAGE": "en",
        }
    )
    assert settings.var_dir == Path("/srv/helpdesk") and settings.database_url == "sqlite:////srv/helpdesk/tickets.db"
    assert settings.console.https is True and settings.console.login_window_seconds == 90.5
    assert settings.rasa.action_server_url == "http://127.0.0.1:6055/webhook"
    assert settings.console.rasa_url == settings.rasa.server_url == "https://chat.example.org"
    assert settings.messages.max_chars == 0 and settings.default_language == "en"
    assert settings.limits.is_exempt("10.1.2.3") and settings.limits.is_exempt("::1")
    assert get_settings({}).knowledge_dir == PROJECT_ROOT / "knowledge"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CONSOLE_PORT", "eighty", "a whole number of at least 1"),
        ("MESSAGES_PER_MINUTE_PER_SENDER", "-3", "a whole number of at least 0"),
        ("TRANSCRIPT_RETENTION_DAYS", "0", "a whole number of at least 1"),
        ("OUTBOX_DRAIN_SECONDS", "soon", "a number of at least 0"),
        ("LOGIN_WINDOW_SECONDS", "nan", "a number of at least 1"),
        ("TRUST_PROXY", "maybe", "1 or 0"),
        ("DEFAULT_LANGUAGE", "de", "one of fr, en"),
        ("RATE_LIMIT_EXEMPT_ADDRESSES", "localhost", "addresses or networks"),
    ],
)
def test_a_wrong_value_is_named_with_what_it_must_be(name: str, value: str, expected: str) -> None:
    with pytest.raises(ValueError, match=rf"^{name} must be {re.escape(expected)}.*, got '{re.escape(value)}'$"):
        get_settings({name: value})
