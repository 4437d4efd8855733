"""Rasa's HTTP API token, checked in constant time.

Rasa 3.6 compares the `token` query parameter with `==` (`requires_auth` in rasa/server.py), which returns the
sooner the earlier the first wrong character comes: a timing oracle on the token for whoever reaches the port.
Our launcher runs Rasa with a token and no JWT, so that check is the whole of the API's authentication; this
decorator takes its place, compares digests with `hmac.compare_digest`, and refuses as Rasa does (401).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from inspect import isawaitable
from typing import Any

_rasa_requires_auth: Callable[..., Any] | None = None  # Rasa's own, kept for JWT or no token


def requires_token(app: Any, token: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Rasa's `requires_auth`, with the token compared in constant time; Rasa's own when JWT or no token is set."""
    import rasa.server

    if token is None or app.config.get("USE_JWT"):
        return (_rasa_requires_auth or rasa.server.requires_auth)(app, token)
    expected = token.encode()

    def decorator(handler: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(handler)
        async def decorated(request: Any, *args: Any, **kwargs: Any) -> Any:
            provided = request.args.get("token") or ""
            if hmac.compare_digest(provided.encode(), expected):
                result = handler(request, *args, **kwargs)
                return await result if isawaitable(result) else result
            raise rasa.server.ErrorResponse(HTTPStatus.UNAUTHORIZED, "NotAuthenticated", "User is not authenticated.")

        return decorated

    return decorator


def install() -> None:
    """Before Rasa builds its API (the channels, which call this, are built first); imported only then."""
    global _rasa_requires_auth
    import rasa.server

    if rasa.server.requires_auth is not requires_token:
        _rasa_requires_auth = rasa.server.requires_auth
        rasa.server.requires_auth = requires_token
