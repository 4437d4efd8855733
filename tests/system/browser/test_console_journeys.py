"""Support staff and admins in a real browser on the console, with the real assistant behind the widget.

A staff member finds a partner's ticket by its reference, assigns it, changes its status and adds a note, and the
audit trail shows all three; an admin edits an answer and the widget serves the new text without a retrain.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.accounts.users import create_staff_user
from tests.support.servers import Console
from tests.system.browser.widget import Widget
from tests.system.conversation.chat import Assistant, open_ticket

pytestmark = pytest.mark.model

STAFF_EMAIL = "triage@helpdesk.org"
STAFF_PASSWORD = "triage-password-1"


def log_in(widget: Widget, console: Console, email: str, password: str) -> None:
    page = widget.page
    page.goto(console.url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/tickets")


def test_staff_find_a_ticket_assign_it_change_its_status_and_add_a_note(
    new_widget: Callable[..., Widget], console_server: Console, assistant: Assistant
) -> None:
    reference = open_ticket(
        assistant,
        "browser-triage",
        "Bamako Youth Network",
        "https://www.unpartnerportal.org/profile/7310/overview",
        "account_access",
        "Our only administrator left and nobody can add users any more.",
        "office@byn.org",
    )
    create_staff_user(assistant.store.database, STAFF_EMAIL, STAFF_PASSWORD, role="staff")
    widget = new_widget()
    page = widget.page
    log_in(widget, console_server, STAFF_EMAIL, STAFF_PASSWORD)

    page.get_by_label("Search").fill(reference)
    page.get_by_role("button", name="Apply").click()
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == 1 and "Bamako Youth Network" in rows.first.text_content()
    rows.first.get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/tickets/{reference}")
    assert "Our only administrator left" in page.locator(".description").text_content()
    # The conversation that led to the ticket, from Rasa's tracker store.
    assert "Bamako Youth Network" in page.locator("ol.transcript").text_content()

    page.get_by_role("button", name="Assign to me").click()
    page.get_by_label("Status", exact=True).select_option("open")
    page.get_by_role("button", name="Change status").click()
    page.get_by_label("Internal note (staff only)").fill("Asked UNFPA focal point to confirm the new administrator.")
    page.get_by_role("button", name="Add note").click()

    trail = [" ".join(entry.split()[2:]) for entry in page.locator("ol.audit li").all_inner_texts()]  # no time
    assert trail == [
        "bot created the ticket",
        f"{STAFF_EMAIL} changed assignee: — → {STAFF_EMAIL}",
        f"{STAFF_EMAIL} changed status: new → open",
        f"{STAFF_EMAIL} added a note: Asked UNFPA focal point to confirm the new administrator.",
    ]
    ticket = assistant.store.by_reference(reference)
    assert (ticket.status, ticket.assignee.email) == ("open", STAFF_EMAIL)
    # Staff cannot open the admins' pages.
    assert page.goto(console_server.url + "/knowledge").status == 403


def test_an_answer_edited_by_an_admin_is_what_the_widget_shows(
    new_widget: Callable[..., Widget], console_server: Console
) -> None:
    admin = new_widget()
    log_in(admin, console_server, console_server.admin_email, console_server.admin_password)
    page = admin.page
    page.goto(console_server.url + "/knowledge/psea-assessment")
    answer = page.locator("textarea[name='fr.answer']")
    added = "Nouveau : la session d'information PSEA a lieu chaque premier mardi du mois."
    answer.fill(answer.input_value().rstrip() + "\n" + added)
    page.get_by_role("button", name="Save", exact=True).click()
    assert "The answer text is live at once" in page.locator("main").text_content()

    partner = new_widget().open(console_server.url + "/")
    reply = partner.ask("comment faire l'auto-évaluation PSEA", expect="PSEA")
    assert added in reply
