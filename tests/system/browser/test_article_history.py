"""An admin's history and draft in a real browser, with the real assistant behind the widget: a saved change is a
revision that compares and restores; a draft is previewed by staff, refused to a partner, then published, and the
bot answers with it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.accounts.users import create_staff_user
from tests.support.servers import Console
from tests.system.browser.test_console_journeys import log_in
from tests.system.browser.widget import Widget
from tests.system.conversation.chat import Assistant

pytestmark = pytest.mark.model

ARTICLE = "resource-library"
QUESTION = "where are the unpp quick guides"
STAFF, PASSWORD = "history-staff@helpdesk.org", "history-password-1"


def edit_answer(page, console: Console, line: str, note: str) -> None:
    page.goto(f"{console.url}/knowledge/{ARTICLE}")
    answer = page.locator("textarea[name='en.answer']")
    answer.fill(answer.input_value().rstrip() + "\n" + line)
    page.get_by_label("Note").fill(note)


def test_a_revision_is_made_compared_and_restored(new_widget: Callable[..., Widget], console_server: Console) -> None:
    admin = new_widget()
    log_in(admin, console_server, console_server.admin_email, console_server.admin_password)
    page = admin.page
    added = "The guides are also on the help desk's page."
    edit_answer(page, console_server, added, "pointed to the help desk page")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("link", name="History").click()
    rows = page.locator("table.kb-history tbody tr")
    assert "pointed to the help desk page" in rows.first.text_content()
    assert console_server.admin_email in rows.first.text_content()

    page.get_by_role("button", name="Compare the two chosen").click()  # the newest against the one before
    change = page.locator("section.kb-change[data-language='en'][data-field='answer']")
    assert change.locator("li.added").text_content().strip() == added

    page.goto(f"{console_server.url}/knowledge/{ARTICLE}/history")
    before = rows.count()
    page.locator("table.kb-history tbody tr").nth(1).get_by_role("button").click()  # restore the one before
    assert page.locator("table.kb-history tbody tr").count() == before + 1
    assert "Restored revision" in page.locator("table.kb-history tbody tr").first.text_content()
    page.goto(f"{console_server.url}/knowledge/{ARTICLE}")
    assert added not in page.locator("textarea[name='en.answer']").input_value()


def test_a_draft_is_previewed_by_staff_refused_to_partners_then_published_and_answered(
    new_widget: Callable[..., Widget], console_server: Console, assistant: Assistant
) -> None:
    drafted = "Draft note: the 2025 guides replace the older ones."
    admin = new_widget()
    log_in(admin, console_server, console_server.admin_email, console_server.admin_password)
    page = admin.page
    edit_answer(page, console_server, drafted, "2025 guides")
    page.get_by_role("button", name="Save as draft").click()
    assert "Draft saved" in page.locator("main").text_content()

    partner = new_widget().open(console_server.url + "/en")
    assert drafted not in partner.ask(QUESTION, expect="guide")  # partners get the published answer
    preview = f"{console_server.url}/knowledge/{ARTICLE}/draft/preview?lang=en"
    partner.page.goto(preview)
    assert "/login" in partner.page.url and drafted not in partner.page.content()

    create_staff_user(assistant.store.database, STAFF, PASSWORD, role="staff")
    staff = new_widget()
    log_in(staff, console_server, STAFF, PASSWORD)
    staff.page.goto(preview)
    assert drafted in staff.page.locator(".hd-bot").text_content()

    page.goto(f"{console_server.url}/knowledge/{ARTICLE}")
    page.get_by_role("button", name="Publish the draft").click()
    assert "Done." in page.locator("main").text_content()
    later = new_widget().open(console_server.url + "/en")
    assert drafted in later.ask(QUESTION, expect=drafted)
