"""Settings from the environment, loaded once from `.env` by python-dotenv.

Every variable is listed, with its default, in `.env.example`.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent

load_dotenv(PROJECT_ROOT / ".env")


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    path = Path(value) if value else default
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    database_url: str
    knowledge_dir: Path
    var_dir: Path
    secret_key: str
    admin_email: str | None
    admin_password: str | None
    default_language: str
    reference_prefix: str


def get_settings() -> Settings:
    """Read the settings now, so tests can change the environment between calls."""
    var_dir = _path_from_env("HELPDESK_VAR_DIR", PROJECT_ROOT / "var")
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'tickets.db'}",
        knowledge_dir=_path_from_env("KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge"),
        var_dir=var_dir,
        secret_key=os.environ.get("CONSOLE_SECRET_KEY") or "",
        admin_email=os.environ.get("CONSOLE_ADMIN_EMAIL") or None,
        admin_password=os.environ.get("CONSOLE_ADMIN_PASSWORD") or None,
        default_language=os.environ.get("DEFAULT_LANGUAGE", "fr"),
        reference_prefix=os.environ.get("TICKET_REFERENCE_PREFIX", "HD"),
    )


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
