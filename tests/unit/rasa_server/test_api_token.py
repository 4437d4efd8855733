"""Rasa's API token is compared in constant time, never with == (a timing oracle on the token)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
import rasa.server

from bot.rasa_server import api_token


class NoEquality(str):
    """A token that fails the test if anything compares it with == (Python tries the subclass's __eq__ first)."""

    def __eq__(self, other: object) -> bool:
        raise AssertionError("the token was compared with ==")

    __hash__ = str.__hash__


def call(decorated, token: str | None) -> object:
    request = SimpleNamespace(args={} if token is None else {"token": token})
    return asyncio.run(decorated(request))


def test_the_right_token_reaches_the_handler_and_a_near_miss_is_refused_as_rasa_does() -> None:
    api_token.install()
    assert rasa.server.requires_auth is api_token.requires_token, "Rasa's API is built with this check"
    app = SimpleNamespace(config={})
    secret = NoEquality("s3cret-token-value")
    handler = rasa.server.requires_auth(app, secret)(lambda request: "status")
    assert call(handler, "s3cret-token-value") == "status"
    for wrong in ("s3cret-token-valuf", "s", "", None, "s3cret-token-value-and-more", "é"):
        with pytest.raises(rasa.server.ErrorResponse) as refused:
            call(handler, wrong)
        assert refused.value.status == 401


def test_without_a_token_rasas_own_rule_applies() -> None:
    api_token.install()
    handler = rasa.server.requires_auth(SimpleNamespace(config={}), None)(lambda request: "open")
    assert call(handler, None) == "open"
