"""Failed-login throttling: after too many failures for one address or one account, wait before trying again.

Kept in the console process's memory: enough to make password guessing slow on one console. (Flask-Limiter
would be the library for this, but its `limits` dependency needs packaging>=21, which breaks Rasa 3.6.)
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class LoginThrottle:
    def __init__(self, max_failures: int = 5, window_seconds: float = 300.0):
        self.max_failures = max_failures
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another try for any of `keys` (0: go ahead)."""
        now = time.monotonic()
        with self._lock:
            waits = [
                failures[0] + self.window - now
                for failures in (self._recent(key, now) for key in keys)
                if len(failures) >= self.max_failures
            ]
        return int(max(waits)) + 1 if waits else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, account_key: str) -> None:
        with self._lock:
            self._failures.pop(account_key, None)
