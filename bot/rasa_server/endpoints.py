"""Rasa's endpoints built from the environment, so one set of variables picks the embedded or the scale-out profile.

Rasa's endpoints.yml can read `${VAR}` but cannot give an unset variable a default, so `helpdesk endpoints`
writes this configuration to a file for `rasa run --endpoints` (the Procfile does it before starting Rasa),
and the console reads the tracker store from the same settings (bot/conversations/transcripts.py). Each function
takes the settings its caller read once (the command line, the console): nothing here reads the environment.

| variable | default | becomes |
|---|---|---|
| ACTION_SERVER_URL | http://127.0.0.1:$ACTION_SERVER_PORT/webhook (5055) | `action_endpoint.url` |
| TRACKER_STORE_URL | sqlite:///$HELPDESK_VAR_DIR/rasa-tracker.db | `tracker_store` (the masking SQL store) |
| LOCK_STORE_URL | empty: Rasa's in-memory lock store | `lock_store` (`redis://[[user]:password@]host[:port][/db]`) |
| LOCK_STORE_KEY_PREFIX | helpdesk | `lock_store.key_prefix` (letters and digits only) |
| ACTION_SERVER_TOKEN | made once into the var folder | `action_endpoint.headers.Authorization` (Bearer) |
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

from bot.settings import PROJECT_ROOT, Settings
from bot.var.tokens import action_server_token

TRACKER_STORE_TYPE = "bot.rasa_server.tracker_store.MaskingSQLTrackerStore"
LOCK_STORE_TYPE = "bot.rasa_server.lock_store.RedisTicketLockStore"  # Rasa's redis lock store, atomic and lean
DEFAULT_KEY_PREFIX = "helpdesk"
DEFAULT_REDIS_PORT = 6379


class EndpointsError(ValueError):
    """A variable that cannot be turned into Rasa's endpoints; the message names it."""


def default_output(settings: Settings) -> Path:
    return settings.var_dir / "endpoints.yml"


def tracker_store_url(settings: Settings) -> URL:
    """TRACKER_STORE_URL as an SQLAlchemy URL; SQLite paths are made absolute so every process finds one file."""
    value = settings.rasa.tracker_store_url
    if not value:
        return URL.create("sqlite", database=str(settings.var_dir / "rasa-tracker.db"))
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
    """Our Redis lock store (Rasa's settings) from a redis:// URL (rediss:// for TLS); Rasa's in-memory one if empty."""
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
        "type": LOCK_STORE_TYPE,
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


def endpoints_config(settings: Settings) -> dict[str, Any]:
    """Rasa's endpoints configuration for these settings."""
    rasa = settings.rasa
    return {
        # Rasa sends its domain with an action call only to the actions marked `send_domain` in domain.yml.
        "action_endpoint": {
            "url": rasa.action_server_url,
            "enable_selective_domain": True,
            # The action server refuses calls without it (actions/server.py): only this Rasa server may run actions.
            "headers": {"Authorization": f"Bearer {action_server_token(settings)}"},
        },
        "tracker_store": tracker_store_config(tracker_store_url(settings)),
        "lock_store": lock_store_config(rasa.lock_store_url, rasa.lock_store_key_prefix),
    }


def single_server_settings(settings: Settings) -> list[str]:
    """What in these settings only works for one Rasa server (said to whoever starts several)."""
    problems = []
    if not settings.rasa.lock_store_url:
        problems.append(
            "LOCK_STORE_URL is empty: each Rasa server would lock conversations in its own memory, and two servers "
            "could answer turns of one conversation at once; set it to a Redis every server reaches"
        )
    if not settings.limits.trust_proxy:
        problems.append(
            "TRUST_PROXY is 0: behind the proxy every partner would be the proxy's address, and the per-address "
            "limits would be shared by all of them; set TRUST_PROXY=1 (nginx sets X-Forwarded-For)"
        )
    tokens = {"RASA_TOKEN": settings.rasa.token, "ACTION_SERVER_TOKEN": settings.rasa.action_server_token}
    for name, value in tokens.items():
        if not value:
            problems.append(
                f"{name} is empty: each machine would make its own, and servers on other machines could not "
                "call each other; set the same long random value for every server"
            )
    if tracker_store_url(settings).get_backend_name() == "sqlite":
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
