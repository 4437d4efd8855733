"""Rasa's endpoints from the environment (bot/rasa_server/endpoints.py), read back as Rasa and the console read them."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
import yaml
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from sqlalchemy.engine import make_url

from bot.cli import main as helpdesk
from bot.conversations.transcripts import transcript
from bot.rasa_server.endpoints import (
    LOCK_STORE_TYPE,
    EndpointsError,
    endpoints_config,
    lock_store_config,
    sql_url_of,
    tracker_store_config,
)
from bot.rasa_server.tracker_store import MaskingSQLTrackerStore
from bot.settings import PROJECT_ROOT, expand_variables, get_settings

POSTGRES = "postgresql+psycopg2://rasa:p%40ss%3Aword@db.internal:5433/conversations?sslmode=require"


def test_without_variables_it_is_the_project_endpoints_yml() -> None:
    """`make run` and a plain `rasa run --endpoints endpoints.yml` keep their conversations in the same file."""
    token = "the-action-server-token"
    built = endpoints_config(get_settings({"ACTION_SERVER_TOKEN": token}))
    plain = expand_variables((PROJECT_ROOT / "endpoints.yml").read_text(), {"ACTION_SERVER_TOKEN": token})
    project = yaml.safe_load(plain)
    assert built["action_endpoint"] == project["action_endpoint"]
    assert built["action_endpoint"]["headers"] == {"Authorization": f"Bearer {token}"}
    assert built["tracker_store"]["type"] == project["tracker_store"]["type"]
    assert sql_url_of(built["tracker_store"]) == sql_url_of(project["tracker_store"])
    assert sql_url_of(built["tracker_store"]).database == str(PROJECT_ROOT / "var" / "rasa-tracker.db")
    assert isinstance(LockStore.create(EndpointConfig.from_dict(built["lock_store"])), InMemoryLockStore)


def test_the_defaults_follow_the_var_dir_and_the_action_port(tmp_path: Path) -> None:
    built = endpoints_config(get_settings({"HELPDESK_VAR_DIR": str(tmp_path), "ACTION_SERVER_PORT": "6055"}))
    assert built["action_endpoint"]["url"] == "http://127.0.0.1:6055/webhook"
    assert built["tracker_store"]["db"] == str(tmp_path / "rasa-tracker.db")


def test_a_postgresql_url_becomes_the_keys_rasa_turns_back_into_it() -> None:
    keys = tracker_store_config(make_url(POSTGRES))
    assert keys["dialect"] == "postgresql"  # the plain name: Rasa applies SQL_POOL_SIZE to it only
    rasa_url = SQLTrackerStore.get_db_url(
        keys["dialect"], keys["url"], keys["port"], keys["db"], keys["username"], keys["password"], query=keys["query"]
    )
    assert rasa_url.render_as_string(hide_password=False) == POSTGRES.replace("+psycopg2", "")
    assert sql_url_of(keys) == make_url(POSTGRES)  # and the console reads the same database


def test_a_redis_url_becomes_rasas_redis_lock_store_with_our_prefix() -> None:
    config = lock_store_config("redis://:s%40cret@redis.internal:6380/3", "helpdesk7")
    store = LockStore.create(EndpointConfig.from_dict(config))  # Rasa's own factory; Redis is not contacted yet
    assert isinstance(store, RedisLockStore)
    connection = store.red.connection_pool.connection_kwargs
    assert (connection["host"], connection["port"], connection["db"]) == ("redis.internal", 6380, 3)
    assert connection["password"] == "s@cret"
    assert store.key_prefix == "helpdesk7:lock:"
    assert lock_store_config("rediss://cache:6379")["use_ssl"] is True
    assert lock_store_config("redis://127.0.0.1")["port"] == 6379


@pytest.mark.parametrize(
    ("url", "prefix", "named"),
    [
        ("http://127.0.0.1:6379/0", None, "LOCK_STORE_URL"),
        ("redis://127.0.0.1:6379/locks", None, "LOCK_STORE_URL"),
        # Rasa would ignore such a prefix and share its default keys with every other assistant on the server.
        ("redis://127.0.0.1:6379/0", "helpdesk-prod", "LOCK_STORE_KEY_PREFIX"),
    ],
)
def test_a_wrong_lock_store_setting_is_refused_by_name(url: str, prefix: str | None, named: str) -> None:
    with pytest.raises(EndpointsError, match=named):
        lock_store_config(url, prefix)


def test_helpdesk_endpoints_writes_a_file_rasa_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRACKER_STORE_URL", POSTGRES)
    monkeypatch.setenv("LOCK_STORE_URL", "redis://127.0.0.1:6379/2")
    monkeypatch.setenv("LOCK_STORE_KEY_PREFIX", "partners")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://10.0.0.5:5055/webhook")
    output = tmp_path / "endpoints.yml"
    assert helpdesk(["endpoints", "--output", str(output)]) == 0
    assert capsys.readouterr().out.strip() == str(output)
    assert stat.S_IMODE(output.stat().st_mode) == 0o600, "the file holds the database password"

    endpoints = AvailableEndpoints.read_endpoints(str(output))
    assert endpoints.action.url == "http://10.0.0.5:5055/webhook"
    assert endpoints.tracker_store.type == "bot.rasa_server.tracker_store.MaskingSQLTrackerStore"
    assert (endpoints.tracker_store.url, endpoints.tracker_store.kwargs["password"]) == ("db.internal", "p@ss:word")
    assert endpoints.lock_store.type == LOCK_STORE_TYPE and endpoints.lock_store.kwargs["key_prefix"] == "partners"


def test_helpdesk_endpoints_says_what_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOCK_STORE_URL", "127.0.0.1:6379")
    assert helpdesk(["endpoints", "--output", str(tmp_path / "endpoints.yml")]) == 1
    assert "LOCK_STORE_URL" in capsys.readouterr().err
    assert not (tmp_path / "endpoints.yml").exists()


def test_several_servers_are_refused_in_memory_locks_and_a_sqlite_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """deploy/Procfile.scaleout asks `--shared`: the embedded defaults would let two servers answer one turn each."""
    output = tmp_path / "endpoints.yml"
    for name in ("LOCK_STORE_URL", "TRACKER_STORE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HELPDESK_VAR_DIR", str(tmp_path / "var"))
    for name in ("RASA_TOKEN", "ACTION_SERVER_TOKEN", "TRUST_PROXY"):
        monkeypatch.delenv(name, raising=False)
    assert helpdesk(["endpoints", "--shared", "--output", str(output)]) == 1
    said = capsys.readouterr().err
    assert "LOCK_STORE_URL" in said and "TRACKER_STORE_URL" in said and not output.exists()
    assert "RASA_TOKEN is empty" in said and "ACTION_SERVER_TOKEN is empty" in said and "TRUST_PROXY is 0" in said
    assert helpdesk(["endpoints", "--output", str(output)]) == 0, "one server (make run) is fine with them"

    monkeypatch.setenv("LOCK_STORE_URL", "redis://127.0.0.1:6379/1")
    monkeypatch.setenv("TRACKER_STORE_URL", POSTGRES)
    monkeypatch.setenv("RASA_TOKEN", "shared-rasa-token")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "shared-action-server-token")
    monkeypatch.setenv("TRUST_PROXY", "1")
    assert helpdesk(["endpoints", "--shared", "--output", str(output)]) == 0


def test_the_console_reads_the_conversation_from_the_configured_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without RASA_ENDPOINTS the transcript comes from TRACKER_STORE_URL, the store Rasa was given."""
    database = tmp_path / "conversations.db"
    store = MaskingSQLTrackerStore(domain=Domain.load(PROJECT_ROOT / "domain.yml"), db=str(database))
    said = [ActionExecuted("action_listen"), UserUttered("I need help"), BotUttered("What is your organisation?")]
    asyncio.run(store.save(DialogueStateTracker.from_events("partner-1", said)))
    store.engine.dispose()

    monkeypatch.delenv("RASA_ENDPOINTS", raising=False)
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{database}")
    assert [(line.speaker, line.text) for line in transcript("partner-1", get_settings())] == [
        ("partner", "I need help"),
        ("bot", "What is your organisation?"),
    ]
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    missing = transcript("partner-1", get_settings())
    assert missing is None, "a store that does not exist is not read as an empty conversation"


def test_the_scale_out_rasa_server_refuses_to_start_without_shared_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`helpdesk rasa --shared` (deploy/Procfile.scaleout) stops before Rasa starts, and says what to set."""
    monkeypatch.setenv("HELPDESK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("LOCK_STORE_URL", "redis://127.0.0.1:6379/1")
    monkeypatch.setenv("TRACKER_STORE_URL", POSTGRES)
    for name in ("RASA_TOKEN", "ACTION_SERVER_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert helpdesk(["rasa", "--shared", "--endpoints", str(tmp_path / "endpoints.yml")]) == 1
    said = capsys.readouterr().err
    assert "The Rasa server was not started" in said and "RASA_TOKEN is empty" in said
    assert not (tmp_path / "endpoints.yml").exists()
