"""Settings for a test: this environment with some variables changed, read by the one parser the product uses."""

from __future__ import annotations

import os

from bot.settings import Settings, get_settings


def settings_with(**variables: str) -> Settings:
    """`get_settings()` of the current environment with `variables` set ("" empties one)."""
    return get_settings({**os.environ, **variables})


def console_settings(**variables: str) -> Settings:
    """A console with a fixed secret and no first admin, unless `variables` say otherwise."""
    return settings_with(
        **{"CONSOLE_SECRET_KEY": "test-secret", "CONSOLE_ADMIN_EMAIL": "", "CONSOLE_ADMIN_PASSWORD": "", **variables}
    )
