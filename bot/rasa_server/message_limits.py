"""Message limits that stop one sender or one client address from flooding the Rasa server.

Messages are counted in the Rasa server's memory (per process: behind N servers a client gets up to N times
the limit, still far from a flood). The limits are settings (`bot.settings.RateLimits`; 0 turns one off); the
tickets have their own, counted in the ticket store (bot/tickets/limits.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from bot.settings import RateLimits
from bot.text.addresses import limit_key

MESSAGE_WINDOW_SECONDS = 60.0


class SlidingWindowLimiter:
    """At most `limit` hits per key within `window` seconds; only accepted hits count.

    Keeps the last `limit` hit times per key, and forgets idle keys, so a sender inventing a new id for every
    message costs a few bytes for a minute.
    """

    def __init__(self, limit: int, window: float = MESSAGE_WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def retry_after(self, key: str, now: float | None = None) -> float:
        """Seconds until `key` may be hit again (0: now)."""
        if self.limit <= 0:
            return 0.0
        now = self.clock() if now is None else now
        with self._lock:
            hits = self._hits.get(key)
            if hits is None or len(hits) < self.limit:
                return 0.0
            return max(0.0, hits[0] + self.window - now)

    def hit(self, key: str, now: float | None = None) -> None:
        if self.limit <= 0:
            return
        now = self.clock() if now is None else now
        with self._lock:
            self._hits.setdefault(key, deque(maxlen=self.limit)).append(now)
            if now >= self._next_sweep:
                self._sweep(now)

    def _sweep(self, now: float) -> None:
        idle = [key for key, hits in self._hits.items() if hits[-1] <= now - self.window]
        for key in idle:
            del self._hits[key]
        self._next_sweep = now + self.window


class MessageLimiter:
    """The per-sender and per-address message limits of one Rasa server."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.clock = clock
        self.per_sender = SlidingWindowLimiter(limits.messages_per_minute_per_sender, clock=clock)
        self.per_address = SlidingWindowLimiter(limits.messages_per_minute_per_address, clock=clock)

    def admit(self, sender: str, address: str | None) -> float:
        """Count the message and return 0 when it may go on; else the seconds to wait (the message is not counted)."""
        if self.limits.is_exempt(address):
            return 0.0
        address = limit_key(address)  # an IPv6 client counts as its /64
        now = self.clock()
        wait = self.per_sender.retry_after(sender, now)
        if address:
            wait = max(wait, self.per_address.retry_after(address, now))
        if wait > 0:
            return wait
        self.per_sender.hit(sender, now)
        if address:
            self.per_address.hit(address, now)
        return 0.0
