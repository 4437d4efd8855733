"""Failed-login throttling: after too many failures for one address or one account, wait before trying again.

`LoginThrottle` (the default) counts in the console process's memory: enough to make password guessing slow on
one console. With several console processes each would count on its own, so `REDIS_URL` switches to
`RedisLoginThrottle` (`bot/console/auth/redis_throttle.py`), which shares the count through Redis.
(Flask-Limiter would be the library for this, but its `limits` dependency needs packaging>=21, which breaks
Rasa 3.6.)
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from bot.settings import ConsoleSettings

DEFAULTS = ConsoleSettings()  # LOGIN_MAX_FAILURES, LOGIN_WINDOW_SECONDS, LOGIN_THROTTLE_PREFIX when unset


class LoginThrottle:
    """Sliding window of failure times per key (`address:<ip>`, `account:<e-mail>`), in this process."""

    def __init__(
        self,
        max_failures: int = DEFAULTS.login_max_failures,
        window_seconds: float = DEFAULTS.login_window_seconds,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.max_failures = max_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        """The key's failures within the window; keys left with none are dropped, so memory stays bounded."""
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another try for any of `keys` (0: go ahead)."""
        now = self._clock()
        with self._lock:
            waits = [
                failures[-self.max_failures] + self.window - now
                for failures in (self._recent(key, now) for key in keys)
                if len(failures) >= self.max_failures
            ]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, *keys: str) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                self._failures[key] = self._recent(key, now)
                self._failures[key].append(now)

    def succeeded(self, account_key: str) -> None:
        with self._lock:
            self._failures.pop(account_key, None)
