"""A partner in a real browser on the console's widget page, talking to the real assistant.

French answer from the knowledge base (kept after a reload, with its "was this helpful?" question), a whole
support request through the widget's buttons ending in the ticket store and on the console's ticket page,
markup typed by a partner shown as text everywhere, and the English page answering in English.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

import pytest

from bot.mail.outbox import MailOutbox
from tests.support.servers import Console
from tests.support.tickets import new_ticket
from tests.system.browser.widget import REFERENCE, Widget
from tests.system.conversation.chat import Assistant

pytestmark = pytest.mark.model

PROFILE = "https://www.unpartnerportal.org/profile/4821/overview"
SCRIPT = "<script>alert(1)</script>"


def wait_for(check: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_french_question_gets_the_french_answer_which_stays_after_a_reload(
    new_widget: Callable[..., Widget], console_server: Console, assistant: Assistant
) -> None:
    widget = new_widget().open(console_server.url + "/")
    assert widget.page.locator("html").get_attribute("lang") == "fr"

    reply = widget.ask("j'ai oublié mon mot de passe", expect="Mot de passe oublié")
    assert "sans passer par le service d'aide" in reply
    answer = widget.page.locator('#helpdesk-chat .hd-bot[data-kb-article="forgot-password"]')
    assert answer.count() == 1 and "Mot de passe oublié" in answer.text_content()
    # The link in the answer is a real link, opened safely in a new tab.
    link = answer.get_by_role("link", name="https://www.unpartnerportal.org")
    assert link.get_attribute("rel") == "noopener noreferrer" and link.get_attribute("target") == "_blank"

    # "Was this helpful?" is a visible group of buttons named by its question.
    feedback = widget.page.get_by_role("group", name="Cette réponse vous aide-t-elle ?")
    feedback.wait_for(state="visible")
    assert feedback.get_by_role("button").all_text_contents() == ["Oui, merci", "Non, j'ai besoin d'aide"]

    widget.page.reload()
    answer.wait_for(state="visible")
    assert "Mot de passe oublié" in answer.text_content()
    assert widget.user_messages().all_text_contents() == ["j'ai oublié mon mot de passe"]
    assert feedback.is_visible(), "the question not yet answered is still offered after a reload"

    # The vote reaches the assistant and is stored for the article: (helpful, not helpful).
    helpful, not_helpful = assistant.records.feedback_counts().get("forgot-password", (0, 0))
    feedback.get_by_role("button", name="Oui, merci").click()
    wait_for(
        lambda: assistant.records.feedback_counts().get("forgot-password") == (helpful + 1, not_helpful),
        "the vote in the store",
    )
    assert widget.dialogs == [] and widget.errors == []


def test_a_support_request_through_the_buttons_ends_in_the_store_and_the_console(
    new_widget: Callable[..., Widget], console_server: Console, assistant: Assistant
) -> None:
    widget = new_widget().open(console_server.url + "/")
    widget.ask("J'ai besoin d'aide de l'équipe support, pouvez-vous ouvrir une demande ?", "nom de votre organisation")
    widget.ask("Association des Femmes de Kindu", expect="lien")
    widget.ask(PROFILE, expect="type de problème")
    issue_types = widget.page.get_by_role("group", name="De quel type de problème s'agit-il ?")
    issue_types.wait_for(state="visible")
    assert len(issue_types.get_by_role("button").all()) == 4
    widget.click("Supprimer un profil en double", expect="Décrivez")
    # Markup is refused in a ticket field, with the reason; the partner writes it again in words.
    with_markup = f"Le formulaire affiche {SCRIPT} puis se bloque."
    widget.ask(with_markup, expect="sans code HTML")
    description = "Le formulaire affiche une alerte puis se bloque."
    widget.ask(description, expect="e-mail")
    summary = widget.ask("awa.diallo@afk.org", expect="Voulez-vous l'envoyer")
    assert "Association des Femmes de Kindu" in summary and "4821" in summary and description in summary
    confirm = widget.page.get_by_role("group", name="Voulez-vous l'envoyer au service d'aide ?")
    confirm.wait_for(state="visible")
    assert "Envoyer" in confirm.get_by_role("button").all_text_contents()

    done = widget.click("Envoyer", expect="HD-")
    match = REFERENCE.search(done)
    assert match, done
    reference = match.group()

    ticket = assistant.store.by_reference(reference)
    assert ticket is not None
    assert ticket.organization_name == "Association des Femmes de Kindu"
    assert (ticket.profile_link, ticket.profile_id) == (PROFILE, "4821")
    assert ticket.issue_type == "duplicate_profile"
    assert ticket.description == description
    assert (ticket.contact_email, ticket.language) == ("awa.diallo@afk.org", "fr")
    assert ticket.conversation_id == widget.session_id()

    # The markup the partner typed is text in the widget: the characters are shown, nothing ran.
    assert with_markup in widget.user_messages().all_text_contents()
    assert widget.page.locator("#helpdesk-chat script").count() == 0
    assert widget.dialogs == [] and widget.errors == []

    # ... and on the console's ticket page, after logging in through the form.
    staff = new_widget()
    staff.page.goto(console_server.url + "/login")
    staff.page.locator("input[name=email]").fill(console_server.admin_email)
    staff.page.locator("input[name=password]").fill(console_server.admin_password)
    staff.page.locator("input[name=password]").press("Enter")
    staff.page.wait_for_url(re.compile(r"/tickets"))
    staff.page.goto(f"{console_server.url}/tickets/{reference}")
    assert reference in staff.page.locator("h1").inner_text()
    shown = staff.page.locator(".description")
    assert shown.inner_text() == description
    assert shown.locator("script").count() == 0
    assert staff.page.locator("dl.fields").get_by_text("Association des Femmes de Kindu").is_visible()
    assert staff.dialogs == []


def test_markup_typed_by_a_partner_is_shown_as_text(new_widget: Callable[..., Widget], console_server: Console) -> None:
    widget = new_widget().open(console_server.url + "/")
    before = widget.bot_messages().count()
    widget.input.fill(SCRIPT)
    widget.input.press("Enter")
    typed = widget.user_messages().filter(has_text=SCRIPT)
    typed.wait_for(state="visible")
    assert typed.inner_text() == SCRIPT
    widget.input.fill('<img src=x onerror="window.injected=1">')
    widget.input.press("Enter")
    # Wait for the bot to have answered both, so anything that could run has had its chance.
    widget.page.wait_for_function(
        "(before) => document.querySelectorAll('#helpdesk-chat .hd-bot').length >= before + 2", arg=before
    )
    assert widget.user_messages().all_text_contents() == [SCRIPT, '<img src=x onerror="window.injected=1">']
    assert widget.page.locator("#helpdesk-chat script, #helpdesk-chat img").count() == 0
    assert widget.page.evaluate("() => window.injected") is None
    assert widget.dialogs == []


def test_the_english_page_answers_in_english(new_widget: Callable[..., Widget], console_server: Console) -> None:
    widget = new_widget().open(console_server.url + "/en")
    assert widget.page.locator("html").get_attribute("lang") == "en"
    assert widget.chat.get_by_role("heading").inner_text() == "Partner assistant"
    # The input stops where the Rasa server would refuse (MAX_MESSAGE_CHARS, 2000 in tests/support/servers.py).
    assert widget.page.locator("#helpdesk-chat input[type=text]").evaluate("input => input.maxLength") == 2000
    reply = widget.ask("I forgot my password", expect="Forgot password")
    assert "without going through the help desk" in reply
    assert widget.page.locator('.hd-bot[data-kb-article="forgot-password"]').count() == 1
    feedback = widget.page.get_by_role("group", name="Did this answer your question?")
    feedback.wait_for(state="visible")  # the follow-up and its buttons arrive just after the answer
    assert feedback.get_by_role("button").all_text_contents() == ["Yes, thanks", "No, I need help"]
    # English prose; French only where it names the portal's button as the French guide shows it.
    prose = re.sub(r"« [^»]* »", "", widget.bot_text())
    assert '« Mot de passe oublié » ("Forgot password")' in widget.bot_text()
    assert "mot de passe" not in prose.casefold()


def test_a_typed_password_is_masked_on_screen_and_in_the_browsers_storage(
    new_widget: Callable[..., Widget], console_server: Console
) -> None:
    """Finding 3: the widget kept the typed password in localStorage after the bot said it had hidden it."""
    widget = new_widget().open(console_server.url + "/")
    widget.ask("je n'arrive pas à me connecter, mon mdp c\u2019est Tournesol88", "ne communiquez jamais")
    widget.page.wait_for_function(
        "() => { const all = document.querySelectorAll('#helpdesk-chat .hd-user');"
        " return !all[all.length - 1].textContent.includes('Tournesol88'); }"
    )
    assert widget.user_messages().all_text_contents()[-1] == "je n'arrive pas à me connecter, mon mdp c'est •••••"
    stored = widget.page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert "Tournesol88" not in stored and "•••••" in stored
    widget.page.reload()
    widget.input.wait_for(state="visible")
    assert "Tournesol88" not in "".join(widget.user_messages().all_text_contents())


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def test_a_screenshot_attached_or_dropped_reaches_the_team_and_not_the_browsers_storage(
    new_widget: Callable[..., Widget], console_server: Console, assistant: Assistant, tmp_path
) -> None:
    widget = new_widget().open(console_server.url + "/")
    screenshot = tmp_path / "erreur 500.png"
    screenshot.write_bytes(PNG)
    before = widget.bot_messages().count()
    widget.page.locator("#helpdesk-chat .hd-file-input").set_input_files(str(screenshot))
    assert "Fichier reçu : erreur 500.png" in widget._reply(before, "Fichier reçu")

    # Dropped on the chat: the browser hands the page a DataTransfer with the file.
    before = widget.bot_messages().count()
    widget.page.evaluate(
        """(bytes) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], "glissée.png", { type: "image/png" }));
            const chat = document.querySelector("#helpdesk-chat .hd-chat");
            chat.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
            chat.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
        }""",
        list(PNG),
    )
    assert "Fichier reçu : glissée.png" in widget._reply(before, "glissée.png")
    widget.page.locator("#helpdesk-chat .hd-file-input").set_input_files(
        files=[{"name": "facture.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" + b"\x00" * 100}]
    )
    assert "ou des PDF" in widget._reply(before + 1, "ou des PDF"), "an executable named .pdf is refused"

    history = json.loads(
        widget.page.evaluate(
            "() => localStorage[Object.keys(localStorage).find((k) => k.startsWith('helpdesk-chat:'))]"
        )
    )["history"]
    files = [entry for entry in history if entry["kind"] == "file"]
    assert files == [
        {"kind": "file", "name": name} for name in ("erreur 500.png", "glissée.png", "facture.pdf")
    ], "only the files' names are kept in the browser"
    ticket = assistant.store.create(
        new_ticket(conversation_id=widget.session_id(), contact_email="awa@afk.org"), submission_key=widget.session_id()
    )[0]
    assert sorted(f.filename for f in MailOutbox(assistant.store.database).attachments(ticket.id)) == [
        "erreur 500.png",
        "glissée.png",
    ]
    assert widget.errors == []
