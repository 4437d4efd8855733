"""Client addresses as the limits count them: canonical IP addresses, and which one is the partner's."""

from __future__ import annotations

import ipaddress


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
