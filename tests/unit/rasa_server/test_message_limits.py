"""The rate-limit settings, the client address and the message limiter, on a clock the test moves."""

from __future__ import annotations

import logging

import pytest

from bot.rasa_server.guard import MessageGuard
from bot.rasa_server.message_limits import MessageLimiter, SlidingWindowLimiter
from bot.settings import RateLimits, get_settings
from bot.text.addresses import client_address, limit_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_defaults_are_far_above_what_a_partner_does_and_zero_turns_a_limit_off() -> None:
    limits = get_settings({}).limits
    assert (limits.messages_per_minute_per_sender, limits.messages_per_minute_per_address) == (30, 120)
    assert (limits.tickets_per_hour_per_sender, limits.tickets_per_hour_per_address) == (5, 20)
    assert not limits.trust_proxy and limits.exempt == ()
    off = get_settings({"MESSAGES_PER_MINUTE_PER_SENDER": "0", "TICKETS_PER_HOUR_PER_ADDRESS": " 0 "}).limits
    assert off.messages_per_minute_per_sender == 0 and off.tickets_per_hour_per_address == 0


@pytest.mark.parametrize(
    ("name", "value"), [("MESSAGES_PER_MINUTE_PER_SENDER", "ten"), ("RATE_LIMIT_EXEMPT_ADDRESSES", "localhost")]
)
def test_a_mistyped_setting_is_named_at_start(name: str, value: str) -> None:
    with pytest.raises(ValueError, match=name):
        get_settings({name: value})


def test_exempt_addresses_and_networks() -> None:
    limits = get_settings({"RATE_LIMIT_EXEMPT_ADDRESSES": "127.0.0.1, 10.0.0.0/8 ::1"}).limits
    assert limits.is_exempt("127.0.0.1") and limits.is_exempt("10.20.30.40") and limits.is_exempt("::1")
    assert not limits.is_exempt("127.0.0.2") and not limits.is_exempt(None) and not limits.is_exempt("garbage")


@pytest.mark.parametrize(
    ("peer", "forwarded", "trust", "address"),
    [
        ("192.0.2.7", None, False, "192.0.2.7"),
        ("192.0.2.7", "203.0.113.5", False, "192.0.2.7"),
        ("10.0.0.1", "203.0.113.5", True, "203.0.113.5"),
        ("10.0.0.1", "1.2.3.4, 203.0.113.5", True, "203.0.113.5"),
        ("10.0.0.1", "not-an-address", True, "10.0.0.1"),
        ("10.0.0.1", " , ", True, "10.0.0.1"),
        ("::ffff:192.0.2.7", None, False, "192.0.2.7"),
        ("2001:DB8::1", None, False, "2001:db8::1"),
        ("", None, False, None),
    ],
)
def test_the_client_address(peer: str, forwarded: str | None, trust: bool, address: str | None) -> None:
    assert client_address(peer, forwarded, trust) == address


def test_a_sliding_window_admits_again_once_the_oldest_hit_is_a_minute_old() -> None:
    clock = Clock()
    window = SlidingWindowLimiter(3, 60, clock)
    for _ in range(3):
        assert window.retry_after("k") == 0
        window.hit("k")
        clock.now += 10
    assert window.retry_after("k") == pytest.approx(30)
    clock.now += 30
    assert window.retry_after("k") == 0


def test_refused_messages_do_not_count_so_a_partner_gets_back_in() -> None:
    clock = Clock()
    limiter = MessageLimiter(RateLimits(messages_per_minute_per_sender=2, messages_per_minute_per_address=0), clock)
    assert [limiter.admit("s", "192.0.2.1") for _ in range(2)] == [0, 0]
    for _ in range(50):
        assert limiter.admit("s", "192.0.2.1") == pytest.approx(60)
    clock.now += 60
    assert limiter.admit("s", "192.0.2.1") == 0


def test_the_address_limit_holds_across_senders_and_idle_keys_are_forgotten() -> None:
    clock = Clock()
    limiter = MessageLimiter(RateLimits(messages_per_minute_per_sender=0, messages_per_minute_per_address=3), clock)
    assert [limiter.admit(f"sender-{i}", "192.0.2.1") > 0 for i in range(4)] == [False, False, False, True]
    assert limiter.admit("sender-9", "192.0.2.2") == 0
    clock.now += 61
    limiter.admit("someone", "192.0.2.3")
    assert set(limiter.per_address._hits) == {"192.0.2.3"}


def test_ipv6_clients_are_counted_per_64(caplog: pytest.LogCaptureFixture) -> None:
    """Finding 4: counted per /128, anyone with a /64 (every IPv6 line) had endless fresh addresses."""
    clock = Clock()
    limiter = MessageLimiter(RateLimits(messages_per_minute_per_sender=0, messages_per_minute_per_address=3), clock)
    for host in range(3):
        assert limiter.admit(f"sender-{host}", f"2001:db8:1:2::{host + 1}") == 0
    assert limiter.admit("sender-9", "2001:db8:1:2:ffff::9") > 0, "the same /64, another address"
    assert limiter.admit("sender-10", "2001:db8:1:3::1") == 0, "the next /64 is another client"
    assert limit_key("2001:db8:1:2::7") == "2001:db8:1:2::/64" and limit_key("::ffff:192.0.2.7") == "192.0.2.7"
    exempt = get_settings({"RATE_LIMIT_EXEMPT_ADDRESSES": "2001:db8::/32,::1"}).limits
    assert exempt.is_exempt(limit_key("2001:db8:1:2::7")) and exempt.is_exempt(limit_key("::1"))
    assert not exempt.is_exempt(limit_key("2001:db9::1"))


def test_a_local_proxy_without_trust_proxy_is_named_once(caplog: pytest.LogCaptureFixture) -> None:
    """Finding 4: behind nginx with TRUST_PROXY=0 every partner is 127.0.0.1; the server says so, once."""
    guard = MessageGuard(RateLimits(), max_chars=2000)
    with caplog.at_level(logging.WARNING, logger="bot.rasa_server.guard"):
        for _ in range(3):
            assert guard.client_address("127.0.0.1", "198.51.100.7") == "127.0.0.1"
        guard.client_address("203.0.113.9", "198.51.100.7")  # not a local proxy: a client's own header
    warnings = [r.getMessage() for r in caplog.records if "TRUST_PROXY is off" in r.getMessage()]
    assert len(warnings) == 1
