"""Rate limits that stop one sender or one client address from flooding the assistant or the ticket queue.

Messages are counted in the Rasa server's memory (per process: behind N servers a client gets up to N times
the limit, still far from a flood). Tickets are counted in the ticket store itself, so every action server
sees the same count. Every limit is read from the environment (`.env.example`); 0 turns a limit off.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.tickets.store import TicketStore

MESSAGE_WINDOW_SECONDS = 60.0
TICKET_WINDOW = timedelta(hours=1)


def _int_from_env(environ: Mapping[str, str], name: str, default: int) -> int:
    value = (environ.get(name) or "").strip()
    try:
        return max(0, int(value)) if value else default
    except ValueError:
        raise ValueError(f"{name} must be a whole number (0 turns the limit off), got {value!r}") from None


def _networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in text.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"RATE_LIMIT_EXEMPT_ADDRESSES: {item!r} is not an address or a network") from None
    return tuple(networks)


@dataclass(frozen=True)
class RateLimits:
    """The limits in force (0: no limit), with defaults that a real partner, even behind a shared office
    address, never reaches."""

    messages_per_minute_per_sender: int = 30
    messages_per_minute_per_address: int = 120
    tickets_per_hour_per_sender: int = 5
    tickets_per_hour_per_address: int = 20
    # Read the client address from X-Forwarded-For (set by our reverse proxy), not from the connection.
    trust_proxy: bool = False
    # Addresses or networks never limited (a monitoring probe, a load test).
    exempt: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(default=())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RateLimits:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            messages_per_minute_per_sender=_int_from_env(
                env, "MESSAGES_PER_MINUTE_PER_SENDER", defaults.messages_per_minute_per_sender
            ),
            messages_per_minute_per_address=_int_from_env(
                env, "MESSAGES_PER_MINUTE_PER_ADDRESS", defaults.messages_per_minute_per_address
            ),
            tickets_per_hour_per_sender=_int_from_env(
                env, "TICKETS_PER_HOUR_PER_SENDER", defaults.tickets_per_hour_per_sender
            ),
            tickets_per_hour_per_address=_int_from_env(
                env, "TICKETS_PER_HOUR_PER_ADDRESS", defaults.tickets_per_hour_per_address
            ),
            trust_proxy=(env.get("TRUST_PROXY") or "").strip().lower() in ("1", "true", "yes"),
            exempt=_networks(env.get("RATE_LIMIT_EXEMPT_ADDRESSES") or ""),
        )

    def is_exempt(self, address: str | None) -> bool:
        try:
            parsed = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(parsed in network for network in self.exempt)


def normalise_address(text: str | None) -> str | None:
    """An IP address in its canonical form (IPv4-mapped IPv6 as IPv4), or None when `text` is not one."""
    try:
        address = ipaddress.ip_address((text or "").strip().strip("[]"))
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return str(mapped or address)


def client_address(peer: str | None, forwarded_for: str | None, trust_proxy: bool) -> str | None:
    """The partner's address: the connection's, or behind a trusted proxy the last X-Forwarded-For entry.

    The last entry is the one our proxy appended; earlier ones come from the client and can be forged.
    """
    if trust_proxy and forwarded_for:
        entries = [entry.strip() for entry in forwarded_for.split(",") if entry.strip()]
        forwarded = normalise_address(entries[-1]) if entries else None
        if forwarded:
            return forwarded
    return normalise_address(peer)


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


def ticket_limit_reached(
    store: TicketStore, limits: RateLimits, sender: str | None, address: str | None, now: datetime | None = None
) -> bool:
    """True when this sender or this address already created its quota of tickets within the last hour."""
    if limits.is_exempt(address):
        return False
    since = (now or datetime.now(timezone.utc)) - TICKET_WINDOW
    per_sender, per_address = limits.tickets_per_hour_per_sender, limits.tickets_per_hour_per_address
    if sender and per_sender and store.created_since(since, conversation_id=sender) >= per_sender:
        return True
    return bool(address and per_address and store.created_since(since, client_address=address) >= per_address)
