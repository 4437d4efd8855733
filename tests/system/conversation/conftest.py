"""Conversation tests talk to the real assistant over Rasa's REST channel, like a client would.

The servers (`assistant`, started once per run and shared with tests/system/browser) live in
tests/support/servers.py and are exposed to the whole suite by tests/conftest.py.
"""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
