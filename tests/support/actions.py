"""The actions' services for a test that runs actions in-process: built from the test's own settings, with any
part replaced (a store on the test's database), and forgotten after the test."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import actions.services
from actions.services import Services
from bot.settings import Settings
from tests.support.settings import settings_with


def use_services(monkeypatch: pytest.MonkeyPatch, settings: Settings | None = None, **parts: Any) -> Services:
    """Services from `settings` (this environment's when None), `parts` replacing theirs, for this test only."""
    chosen = replace(Services.from_settings(settings or settings_with()), **parts)
    monkeypatch.setattr(actions.services, "_current", chosen)
    return chosen
