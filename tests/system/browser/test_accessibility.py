"""The widget on a 360-px phone and with the keyboard only: reachable, labelled, visibly focused, no overflow."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.servers import Console
from tests.system.browser.widget import Widget

pytestmark = pytest.mark.model

PHONE = {"width": 360, "height": 640}

_FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName,
    cls: el.className,
    name: el.getAttribute("aria-label") || el.textContent.trim().slice(0, 40),
    inWidget: !!el.closest("#helpdesk-chat"),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def test_a_360_px_phone_shows_the_input_and_send_button_without_horizontal_scrolling(
    new_widget: Callable[..., Widget], console_server: Console
) -> None:
    widget = new_widget(viewport=PHONE, is_mobile=True, has_touch=True).open(console_server.url + "/en")

    def fits() -> None:
        assert widget.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        for control in (widget.input, widget.send_button):
            assert control.is_visible()
            box = control.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
            assert box["y"] + box["height"] <= PHONE["height"], box

    fits()
    # A long answer with a link, and a long unbroken word from the partner, still fit.
    widget.ask("I forgot my password", expect="Forgot password")
    widget.ask("x" * 120, expect="")
    fits()
    assert widget.send_button.bounding_box()["height"] >= 40, "a thumb-sized send button"


def test_keyboard_only_every_control_is_a_labelled_button_with_a_visible_focus(
    new_widget: Callable[..., Widget], console_server: Console
) -> None:
    widget = new_widget().open(console_server.url + "/en")
    page = widget.page

    # Labels for assistive technology.
    assert page.get_by_role("log", name="Conversation with the assistant").is_visible()
    assert page.get_by_role("textbox", name="Type your question…").is_visible()
    assert page.get_by_role("button", name="Send the message").is_visible()
    assert page.get_by_role("button", name="Start the conversation over").is_visible()

    # From the top of the page, Tab reaches the input; type and press Enter, no mouse.
    seen = []
    for _ in range(10):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(_FOCUSED))
        if seen[-1]["tag"] == "INPUT":
            break
    assert seen[-1]["tag"] == "INPUT", seen
    page.keyboard.type("I forgot my password")
    page.keyboard.press("Enter")
    page.get_by_role("group", name="Did this answer your question?").wait_for(state="visible")

    # Tab round the whole widget: every control is reached, is a <button> or the input, and shows its focus.
    reached = []
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused["inWidget"]:
            reached.append(focused)
            assert focused["outline"], f"no visible focus on {focused}"
        if focused["tag"] == "INPUT":
            break
    names = [f["name"] for f in reached]
    for name in ("Send the message", "Start the conversation over", "Yes, thanks", "No, I need help"):
        assert name in names, reached
    assert {f["tag"] for f in reached} <= {"BUTTON", "INPUT", "A", "DIV"}, reached
    assert [f for f in reached if f["tag"] == "DIV"] == [f for f in reached if "hd-log" in f["cls"]]
    assert page.locator("#helpdesk-chat [role=button], #helpdesk-chat [onclick]").count() == 0
    reply_controls = page.locator("#helpdesk-chat .hd-buttons > *")
    assert reply_controls.evaluate_all("(nodes) => nodes.map((n) => n.tagName)") == ["BUTTON", "BUTTON"]

    # Back to the "Yes" button with Shift+Tab and answer it with Enter: the vote is sent, focus returns to the input.
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(_FOCUSED)["name"] == "Yes, thanks":
            break
    before = widget.bot_messages().count()
    page.keyboard.press("Enter")
    assert widget.user_messages().last.inner_text() == "Yes, thanks"
    page.wait_for_function(
        "(before) => document.querySelectorAll('#helpdesk-chat .hd-bot').length > before", arg=before
    )
    assert page.evaluate(_FOCUSED)["tag"] == "INPUT"
