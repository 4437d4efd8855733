"""Failed-login throttling shared by every console process through Redis (used when `REDIS_URL` is set).

Each key is a Redis sorted set of failure times (wall clock, so processes on several machines agree) that
expires one window after its last failure. Keys are SHA-256 digests of `address:<ip>` / `account:<e-mail>`, so
Redis holds no address or e-mail in clear. Every failure is also counted in the process (the parent class):
while Redis is unreachable the console keeps throttling per process, as the default throttle does, and logs
an error instead of failing logins.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
import uuid
from collections.abc import Callable

import redis

from bot.console.auth.throttle import DEFAULTS, LoginThrottle

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 2.0  # a stuck Redis slows a login by this much at most, then the process count decides


class RedisLoginThrottle(LoginThrottle):
    def __init__(
        self,
        url: str,
        max_failures: int = DEFAULTS.login_max_failures,
        window_seconds: float = DEFAULTS.login_window_seconds,
        prefix: str = DEFAULTS.login_throttle_prefix,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(max_failures, window_seconds, clock)
        self.prefix = prefix
        self.redis = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS, health_check_interval=30
        )
        options = self.redis.connection_pool.connection_kwargs
        self._where = options.get("path") or f"{options.get('host')}:{options.get('port')}"  # never the password
        self._reachable = True
        try:
            self.redis.ping()
        except redis.RedisError as error:
            self._unreachable(error)

    def key(self, key: str) -> str:
        """The Redis key for a throttle key: the prefix and a digest, never the address or e-mail itself."""
        return self.prefix + hashlib.sha256(key.encode()).hexdigest()

    def retry_after(self, *keys: str) -> int:
        local = super().retry_after(*keys)
        now = self._clock()
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.zrangebyscore(self.key(key), f"({now - self.window}", "+inf", withscores=True)
                windows = pipe.execute()
        except redis.RedisError as error:
            self._unreachable(error)
            return local
        self._back()
        waits = [
            entries[-self.max_failures][1] + self.window - now
            for entries in windows
            if len(entries) >= self.max_failures
        ]
        return max(local, int(max(waits)) + 1 if waits else 0)

    def failed(self, *keys: str) -> None:
        super().failed(*keys)
        now = self._clock()
        try:
            with self.redis.pipeline(transaction=True) as pipe:
                for key in keys:
                    name = self.key(key)
                    pipe.zremrangebyscore(name, "-inf", now - self.window)
                    pipe.zadd(name, {f"{now!r}:{uuid.uuid4().hex}": now})
                    pipe.pexpire(name, math.ceil(self.window * 1000))
                pipe.execute()
        except redis.RedisError as error:
            self._unreachable(error)
        else:
            self._back()

    def succeeded(self, account_key: str) -> None:
        super().succeeded(account_key)
        try:
            self.redis.delete(self.key(account_key))
        except redis.RedisError as error:
            self._unreachable(error)
        else:
            self._back()

    def _unreachable(self, error: Exception) -> None:
        if self._reachable:  # once per outage, not once per login attempt
            logger.error(
                "login throttle: Redis at %s is unreachable (%s); failed logins are counted per console process "
                "until it is back",
                self._where,
                error,
            )
        self._reachable = False

    def _back(self) -> None:
        if not self._reachable:
            logger.warning("login throttle: Redis at %s is reachable again; failed logins are shared", self._where)
        self._reachable = True
