"""Screenshots of the chat widget for the docs: docs/widget-fr.png (desktop) and docs/widget-phone-en.png (360x640).

    .venv/bin/python scripts/screenshots.py                       # starts its own assistant and console
    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000  # or uses a running console (`make run`)

Needs the trained model (`make model`) when it starts its own servers, and Debian's Chromium (`make browser`).
Each screenshot is taken after a question and its answer, with the "was this helpful?" buttons showing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.widget import CHROMIUM, CHROMIUM_ARGS, Widget  # noqa: E402
from tests.servers import make_workspace, running_assistant, running_console  # noqa: E402

DOCS = ROOT / "docs"
SHOTS = [
    # file, page, viewport, question, words of the answer to wait for, the follow-up question
    ("widget-fr.png", "/", {"width": 1280, "height": 800}, "j'ai oublié mon mot de passe", "Mot de passe oublié",
     "Cette réponse vous aide-t-elle ?"),
    ("widget-phone-en.png", "/en", {"width": 360, "height": 640}, "I forgot my password", "Forgot password",
     "Did this answer your question?"),
]  # fmt: skip
MAX_BYTES = 300_000


def take(console_url: str, out: Path) -> list[Path]:
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
                print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} ({size} bytes)")
                written.append(target)
        finally:
            browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("console_url", nargs="?", help="a running console; default: start the servers here")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder for the PNG files (default: docs/)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"No Chromium at {CHROMIUM}: run `make browser`.", file=sys.stderr)
        return 1
    if args.console_url:
        take(args.console_url.rstrip("/"), args.out)
        return 0
    with tempfile.TemporaryDirectory(prefix="helpdesk-screenshots-") as workdir, ExitStack() as servers:
        print("Starting the assistant and the console (about a minute)...", flush=True)
        workspace = make_workspace(Path(workdir))
        assistant = servers.enter_context(running_assistant(workspace))
        console = servers.enter_context(running_console(workspace, assistant.url))
        take(console.url, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
