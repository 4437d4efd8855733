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


IPV6_PREFIX = 64  # one subscriber line, office or phone gets a whole /64 and can use any address in it


def limit_key(address: str | None) -> str | None:
    """What the limits count for a client: an IPv4 address, or the /64 an IPv6 address is in (counting per
    address would give anyone with a /64 endless fresh tries). Loopback stays as it is."""
    normalised = normalise_address(address)
    if normalised is None or ":" not in normalised:
        return normalised
    parsed = ipaddress.ip_address(normalised)
    if parsed.is_loopback:
        return normalised
    return str(ipaddress.ip_network(f"{normalised}/{IPV6_PREFIX}", strict=False))


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
