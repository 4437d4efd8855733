"""A real browser (Debian's Chromium, driven by Playwright's sync API) on the console's widget page.

The servers are the run's shared ones (tests/support/servers.py): one Rasa server, action server and console.
Nothing is downloaded: Playwright launches /usr/bin/chromium (`make browser` installs it). Without it the
browser tests are skipped, or fail when HELPDESK_REQUIRE_BROWSER=1 (CI).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.system.browser.widget import CHROMIUM, CHROMIUM_ARGS, REPLY_TIMEOUT_MS, Widget

# CI sets this so that a missing Chromium fails the run instead of skipping the browser tests.
REQUIRE_BROWSER = os.environ.get("HELPDESK_REQUIRE_BROWSER") == "1"


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason}: run `make browser` (installs Debian's chromium), or `make test`, which does it")
    pytest.skip(f"{reason} (run `make browser`)")


@pytest.fixture(scope="session", autouse=True)
def chromium() -> Path:
    """Checked first (autouse) for every browser test, before the servers start, so a skip costs nothing."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright is not installed (it is in the dev extra: `make setup`)")
    return CHROMIUM


# Per module, not per run: Playwright's sync API keeps an asyncio loop running while it is open, and
# tests/system/conversation uses asyncio.run().
@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_widget(browser) -> Iterator[Callable[..., Widget]]:
    """Open a fresh browser context (empty storage: a new partner) and return its widget tab."""
    contexts = []

    def make(viewport: dict[str, int] | None = None, **options: object) -> Widget:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 860}, **options)
        context.set_default_timeout(REPLY_TIMEOUT_MS)
        contexts.append(context)
        return Widget(context.new_page())

    yield make
    for context in contexts:
        context.close()
