"""The local PostgreSQL and Redis the tests use for real: a fresh database or key prefix each, cleaned up after.

Unreachable, they skip their tests, except where CI sets HELPDESK_REQUIRE_POSTGRES=1 / HELPDESK_REQUIRE_REDIS=1,
which makes them fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_POSTGRES = os.environ.get("HELPDESK_REQUIRE_POSTGRES") == "1"
REQUIRE_REDIS = os.environ.get("HELPDESK_REQUIRE_REDIS") == "1"


def postgres_database(prefix: str = "helpdesk_test") -> Iterator[str]:
    """A fresh, empty PostgreSQL database (its URL), dropped afterwards; use it as a generator fixture's body."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    admin = create_engine(POSTGRES_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_ADMIN_URL}")
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def redis_key_prefix(prefix: str) -> Iterator[str]:
    """`prefix` (with a unique part appended by the caller or not) on the local Redis; its keys deleted after."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        if REQUIRE_REDIS:
            pytest.fail(f"Redis is required here but unreachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis unreachable at {REDIS_URL}")
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()
