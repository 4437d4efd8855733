"""The chat widget as a partner uses it in the browser: type, press Enter, click the bot's buttons, read."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Playwright itself is imported by the `browser` fixture, which skips or fails without it
    from playwright.sync_api import Locator, Page

# Debian's Chromium (`make browser`); Playwright downloads no browser here.
CHROMIUM = Path(os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium"))
# The closed network refuses Chromium's own connections unless its background services are off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The first reply of a fresh Rasa server can take a few seconds; a form step with the action server, a few more.
REPLY_TIMEOUT_MS = 60_000
REFERENCE = re.compile(r"HD-\d{4}-\d{6}")

_NEW_BOT_TEXT = """({before, text}) => {
  const bots = Array.from(document.querySelectorAll("#helpdesk-chat .hd-log .hd-bot")).slice(before);
  return bots.some((node) => node.textContent.includes(text));
}"""


class Widget:
    """One browser tab with the widget; records every JavaScript dialog (an alert() is an injection)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []  # uncaught JavaScript exceptions on the page
        page.on("dialog", self._trap)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _trap(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, url: str) -> Widget:
        self.page.goto(url)
        self.input.wait_for(state="visible")
        return self

    # ---- what the partner sees ----
    @property
    def chat(self) -> Locator:
        return self.page.locator("#helpdesk-chat .hd-chat")

    @property
    def input(self) -> Locator:
        return self.page.locator("#helpdesk-chat .hd-form input[type=text]")

    @property
    def send_button(self) -> Locator:
        return self.page.locator("#helpdesk-chat .hd-form button.hd-send")

    @property
    def status(self) -> Locator:
        return self.page.locator("#helpdesk-chat .hd-status")

    def bot_messages(self) -> Locator:
        return self.page.locator("#helpdesk-chat .hd-log .hd-bot")

    def user_messages(self) -> Locator:
        return self.page.locator("#helpdesk-chat .hd-log .hd-user")

    def bot_text(self) -> str:
        return "\n".join(self.bot_messages().all_text_contents())

    def session_id(self) -> str:
        saved = self.page.evaluate(
            "() => Object.keys(localStorage).filter((k) => k.startsWith('helpdesk-chat:')).map((k) => localStorage[k])"
        )
        assert len(saved) == 1, saved
        return json.loads(saved[0])["sessionId"]

    # ---- what the partner does ----
    def ask(self, text: str, expect: str) -> str:
        """Type `text`, press Enter, and wait for a new bot message containing `expect`; return the new bot text."""
        before = self.bot_messages().count()
        self.input.fill(text)
        self.input.press("Enter")
        return self._reply(before, expect)

    def click(self, title: str, expect: str) -> str:
        """Click the bot's button named `title` and wait for a new bot message containing `expect`."""
        before = self.bot_messages().count()
        self.page.locator("#helpdesk-chat .hd-buttons").get_by_role("button", name=title, exact=True).click()
        return self._reply(before, expect)

    def _reply(self, before: int, expect: str) -> str:
        self.page.wait_for_function(_NEW_BOT_TEXT, arg={"before": before, "text": expect}, timeout=REPLY_TIMEOUT_MS)
        return "\n".join(self.bot_messages().all_text_contents()[before:])
