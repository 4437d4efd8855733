"""Rasa's endpoints built from the environment, so one set of variables picks the embedded or the scale-out profile.

Rasa's endpoints.yml can read `${VAR}` but cannot give an unset variable a default, so `helpdesk endpoints`
writes this configuration to a file for `rasa run --endpoints` (the Procfile does it before starting Rasa),
and the console reads the tracker store from the same settings (bot/conversations/transcripts.py).

| variable | default | becomes |
|---|---|---|
| ACTION_SERVER_URL | http://127.0.0.1:$ACTION_SERVER_PORT/webhook (5055) | `action_endpoint.url` |
| TRACKER_STORE_URL | sqlite:///$HELPDESK_VAR_DIR/rasa-tracker.db | `tracker_store` (the masking SQL store) |
| LOCK_STORE_URL | empty: Rasa's in-memory lock store | `lock_store` (`redis://[[user]:password@]host[:port][/db]`) |
| LOCK_STORE_KEY_PREFIX | helpdesk | `lock_store.key_prefix` (letters and digits only) |
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from bot.settings import PROJECT_ROOT

TRACKER_STORE_TYPE = "bot.rasa_server.tracker_store.MaskingSQLTrackerStore"
DEFAULT_KEY_PREFIX = "helpdesk"
DEFAULT_REDIS_PORT = 6379


class EndpointsError(ValueError):
    """A variable that cannot be turned into Rasa's endpoints; the message names it."""


def _environ(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def var_dir(environ: Mapping[str, str] | None = None) -> Path:
    """HELPDESK_VAR_DIR as bot.settings reads it (relative paths are under the project)."""
    path = Path(_environ(environ).get("HELPDESK_VAR_DIR") or "var")
    return path if path.is_absolute() else PROJECT_ROOT / path


def default_output(environ: Mapping[str, str] | None = None) -> Path:
    return var_dir(environ) / "endpoints.yml"


def action_server_url(environ: Mapping[str, str] | None = None) -> str:
    env = _environ(environ)
    return env.get("ACTION_SERVER_URL") or f"http://127.0.0.1:{env.get('ACTION_SERVER_PORT') or 5055}/webhook"


def tracker_store_url(environ: Mapping[str, str] | None = None) -> URL:
    """TRACKER_STORE_URL as an SQLAlchemy URL; SQLite paths are made absolute so every process finds one file."""
    value = _environ(environ).get("TRACKER_STORE_URL")
    if not value:
        return URL.create("sqlite", database=str(var_dir(environ) / "rasa-tracker.db"))
    try:
        url = make_url(value)
    except ArgumentError as error:
        raise EndpointsError(f"TRACKER_STORE_URL is not an SQLAlchemy URL: {error}") from None
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).is_absolute():
        url = url.set(database=str(PROJECT_ROOT / url.database))
    return url


def tracker_store_config(url: URL) -> dict[str, Any]:
    """The SQL tracker-store keys of Rasa's endpoints (dialect, url, port, db, username, password, query)."""
    if url.get_backend_name() == "sqlite":
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": url.database}
    # psycopg2 is PostgreSQL's default driver; Rasa applies SQL_POOL_SIZE only to a plain `postgresql` dialect.
    dialect = "postgresql" if url.drivername == "postgresql+psycopg2" else url.drivername
    config: dict[str, Any] = {
        "type": TRACKER_STORE_TYPE,
        "dialect": dialect,
        "url": url.host,
        "port": url.port,
        "db": url.database,
        "username": url.username,
        "password": url.password,
        "query": dict(url.query) or None,
    }
    return {key: value for key, value in config.items() if value is not None}


def sql_url_of(store: Mapping[str, Any]) -> URL | None:
    """The database an SQL tracker-store configuration points at, read as Rasa's SQLTrackerStore reads it."""
    if not str(store.get("type", "")).lower().endswith(("sql", "sqltrackerstore")):
        return None
    host = store.get("url") or store.get("host")
    if host and "://" in str(host):  # Rasa accepts a whole database URL in `url`
        return make_url(str(host))
    dialect = store.get("dialect") or "sqlite"
    database = str(store.get("db") or "rasa.db")
    if dialect == "sqlite":
        path = Path(database)
        return URL.create("sqlite", database=str(path if path.is_absolute() else PROJECT_ROOT / path))
    port = store.get("port")
    if host and ":" in str(host):  # Rasa also accepts host:port in `url`
        host, _, port = str(host).partition(":")
    return URL.create(
        "postgresql+psycopg2" if dialect == "postgresql" else dialect,
        username=store.get("username"),
        password=store.get("password"),
        host=host or None,
        port=int(port) if port else None,
        database=database,
        query=store.get("query") or {},
    )


def lock_store_config(value: str | None, key_prefix: str | None = None) -> dict[str, Any]:
    """Rasa's Redis lock store from a redis:// URL (rediss:// for TLS); Rasa's in-memory one when empty."""
    if not value:
        return {"type": "in_memory"}
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise EndpointsError(f"LOCK_STORE_URL must look like redis://host:6379/0, not {value!r}")
    prefix = key_prefix or DEFAULT_KEY_PREFIX
    if not prefix.isalnum():
        # Rasa would silently fall back to its default prefix and share keys with other assistants.
        raise EndpointsError(f"LOCK_STORE_KEY_PREFIX must be letters and digits only, not {prefix!r}")
    database = parts.path.strip("/")
    if database and not database.isdigit():
        raise EndpointsError(f"LOCK_STORE_URL's database must be a number, not {database!r}")
    config: dict[str, Any] = {
        "type": "redis",
        "url": parts.hostname,
        "port": parts.port or DEFAULT_REDIS_PORT,
        "db": int(database or 0),
        "key_prefix": prefix,
    }
    if parts.username:
        config["username"] = unquote(parts.username)
    if parts.password:
        config["password"] = unquote(parts.password)
    if parts.scheme == "rediss":
        config["use_ssl"] = True
    return config


def endpoints_config(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Rasa's endpoints configuration for this environment (`os.environ` when none is given)."""
    env = _environ(environ)
    return {
        # Rasa sends its domain with an action call only to the actions marked `send_domain` in domain.yml.
        "action_endpoint": {"url": action_server_url(env), "enable_selective_domain": True},
        "tracker_store": tracker_store_config(tracker_store_url(env)),
        "lock_store": lock_store_config(env.get("LOCK_STORE_URL"), env.get("LOCK_STORE_KEY_PREFIX")),
    }


def single_server_settings(environ: Mapping[str, str] | None = None) -> list[str]:
    """What in this environment only works for one Rasa server (said to whoever starts several)."""
    env = _environ(environ)
    problems = []
    if not env.get("LOCK_STORE_URL"):
        problems.append(
            "LOCK_STORE_URL is empty: each Rasa server would lock conversations in its own memory, and two servers "
            "could answer turns of one conversation at once; set it to a Redis every server reaches"
        )
    if tracker_store_url(env).get_backend_name() == "sqlite":
        problems.append(
            "TRACKER_STORE_URL is a SQLite file: Rasa servers on other machines cannot share it; "
            "set it to a PostgreSQL database every server reaches"
        )
    return problems


def write_endpoints(path: Path, config: Mapping[str, Any]) -> Path:
    """Write atomically (several Rasa servers may start at once), readable by the owner only (it may hold passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by `helpdesk endpoints` from the environment (bot/rasa_server/endpoints.py); edit .env.\n"
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(header + yaml.safe_dump(dict(config), sort_keys=False))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
