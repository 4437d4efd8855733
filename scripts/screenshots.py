"""Screenshots for the docs: the chat widget (docs/widget-fr.png, desktop; docs/widget-phone-en.png, 360x640)
and the staff console (docs/console-queue.png, docs/console-ticket.png); with --dashboard, the dashboard over a
month of made-up activity (docs/dashboard.png, docs/dashboard-phone.png; no Rasa server needed).

    .venv/bin/python scripts/screenshots.py                       # starts its own assistant and console
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 --email admin@example.org --password ...
                                                                   # or uses a running console (`make run`)
    .venv/bin/python scripts/screenshots.py --dashboard

Needs the trained model (`make model`) when it starts its own servers, and Debian's Chromium (`make browser`).
Each screenshot is taken after a question and its answer, with the "was this helpful?" buttons showing.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.mail.outbox import MailOutbox  # noqa: E402
from tests.support.activity import random_activity, seed_workspace  # noqa: E402
from tests.support.servers import (  # noqa: E402
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    make_workspace,
    running_assistant,
    running_console,
)
from tests.system.browser.widget import CHROMIUM, CHROMIUM_ARGS, Widget  # noqa: E402
from tests.system.conversation.chat import Assistant, open_ticket  # noqa: E402

DOCS = ROOT / "docs"
SHOTS = [
    # file, page, viewport, question, words of the answer to wait for, the follow-up question
    (
        "widget-fr.png",
        "/",
        {"width": 1280, "height": 800},
        "j'ai oublié mon mot de passe",
        "Mot de passe oublié",
        "Cette réponse vous aide-t-elle ?",
    ),
    (
        "widget-phone-en.png",
        "/en",
        {"width": 360, "height": 640},
        "I forgot my password",
        "Forgot password",
        "Did this answer your question?",
    ),
]
MAX_BYTES = 300_000
SAMPLE_TICKETS = [
    # sender, organisation, profile link, issue type, description, e-mail, language
    (
        "shot-1",
        "Association des Femmes de Kindu",
        "https://www.unpartnerportal.org/profile/4821/overview",
        "duplicate_profile",
        "Nous avons créé deux profils par erreur, merci de supprimer le second.",
        "awa@afk.org",
        "fr",
    ),
    (
        "shot-2",
        "Bamako Youth Network",
        "https://www.unpartnerportal.org/profile/7310/overview",
        "account_access",
        "Our only administrator left and nobody can add users any more.",
        "office@byn.org",
        "en",
    ),
    (
        "shot-3",
        "Université de Lomé",
        "unpartnerportal.org/profile/5120",
        "non_editable_info",
        "Le nom légal de l'université est mal orthographié et le champ n'est pas modifiable.",
        "dri@univ-lome.tg",
        "fr",
    ),
]


def logged_in(browser: object, console_url: str, email: str, password: str, viewport: dict[str, int]):
    """A new page logged in through the login form (its context closes with `page.context.close()`)."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(console_url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/tickets")
    return page


def console_shots(browser: object, console_url: str, email: str, password: str, out: Path) -> list[Path]:
    """The queue and the newest ticket's page, logged in through the login form."""
    page = logged_in(browser, console_url, email, password, {"width": 1280, "height": 900})
    context = page.context
    written = [out / "console-queue.png"]
    page.screenshot(path=str(written[0]))
    first = page.locator("table.queue tbody tr a").first
    if first.count():
        first.click()
        page.wait_for_load_state()
        written.append(out / "console-ticket.png")
        page.screenshot(path=str(written[1]), full_page=True)
    context.close()
    return written


def take(console_url: str, out: Path, email: str | None = None, password: str | None = None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, path, viewport, question, answer, followup in SHOTS:
                phone = viewport["width"] < 500
                context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
                context.set_default_timeout(60_000)
                widget = Widget(context.new_page()).open(console_url + path)
                widget.ask(question, expect=answer)
                widget.page.get_by_role("group", name=followup).wait_for(state="visible")
                widget.input.blur()
                if not phone:  # the whole exchange fits on a desktop: show it from the partner's question on
                    widget.user_messages().last.evaluate(
                        "(node) => { node.parentNode.scrollTop = node.offsetTop - node.parentNode.offsetTop - 8; }"
                    )
                widget.page.wait_for_timeout(300)
                target = out / name
                widget.page.screenshot(path=str(target))
                context.close()
                size = target.stat().st_size
                if size > MAX_BYTES:
                    raise SystemExit(f"{target} is {size} bytes, over {MAX_BYTES}: use a smaller viewport")
                written.append(target)
            if email and password:
                written += console_shots(browser, console_url, email, password, out)
            for target in written:
                print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        finally:
            browser.close()
    return written


def dashboard_shots(console_url: str, email: str, password: str, out: Path) -> list[Path]:
    """The dashboard's top on a desktop, and its first screens on a phone."""
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for name, viewport in (
                ("dashboard.png", {"width": 1280, "height": 1400}),
                ("dashboard-phone.png", {"width": 360, "height": 1200}),
            ):
                page = logged_in(browser, console_url, email, password, viewport)
                page.goto(console_url + "/dashboard?days=30")
                target = out / name
                page.screenshot(path=str(target))
                page.context.close()
                written.append(target)
                print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        finally:
            browser.close()
    return written


def add_sample_tickets(assistant: Assistant) -> None:
    """The sample requests, then the support loop on two of them: a question to the partner on the newest (its
    page is the ticket screenshot: thread, e-mails, reply form), a resolution rated "good" on the oldest."""
    for sender, *fields, language in SAMPLE_TICKETS:
        open_ticket(assistant, sender, *fields, language=language)
    store, agent = assistant.store, "agent@helpdesk.example"
    newest, *_, oldest = store.newest(len(SAMPLE_TICKETS))
    store.replies.reply(
        newest.reference, "Bonjour, pouvez-vous nous envoyer une capture d'écran du champ ?", agent, status="pending"
    )
    store.replies.reply(
        oldest.reference,
        "Le second profil est supprimé : vous pouvez continuer avec le premier.",
        agent,
        status="resolved",
    )
    resolution = MailOutbox(store.database).for_ticket(oldest.id)[-1].body_text
    token = re.search(r"/rate/([\w-]+)/good", resolution).group(1)
    store.ratings.rate(token, "good")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("console_url", nargs="?", help="a running console; default: start the servers here")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNG files (default: docs/)")
    parser.add_argument("--email", help="a console account, for the console screenshots")
    parser.add_argument("--password")
    parser.add_argument("--dashboard", action="store_true", help="the dashboard, over made-up activity")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"No Chromium at {CHROMIUM}: run `make browser`.", file=sys.stderr)
        return 1
    if args.dashboard:
        with tempfile.TemporaryDirectory(prefix="helpdesk-screenshots-") as workdir:
            workspace = make_workspace(Path(workdir))
            today = date.today()
            seed_workspace(
                workspace.workdir,
                workspace.database_url,
                random_activity(today - timedelta(days=29), today, 600, extra_tickets=40),
            )
            with running_console(workspace, "http://127.0.0.1:9", name="dashboard-console") as console:
                dashboard_shots(console.url, ADMIN_EMAIL, ADMIN_PASSWORD, args.out)
        return 0
    if args.console_url:
        take(args.console_url.rstrip("/"), args.out, args.email, args.password)
        return 0
    with tempfile.TemporaryDirectory(prefix="helpdesk-screenshots-") as workdir, ExitStack() as servers:
        print("Starting the assistant and the console (about a minute)...", flush=True)
        workspace = make_workspace(Path(workdir))
        assistant = servers.enter_context(running_assistant(workspace))
        console = servers.enter_context(running_console(workspace, assistant.url))
        add_sample_tickets(assistant)
        take(console.url, args.out, ADMIN_EMAIL, ADMIN_PASSWORD)
    return 0


if __name__ == "__main__":
    sys.exit(main())
