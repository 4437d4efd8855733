"""The widget embedded on another site with one script tag, against the real assistant and a dead address.

The partner's site is a static page served from another loopback port: widget.js comes from the console,
which also serves the pinned socket.io client the widget loads by itself.
"""

from __future__ import annotations

import functools
import html
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.support.servers import Console, Workspace, free_port
from tests.system.browser.widget import Widget

pytestmark = pytest.mark.model

PAGE = """<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>A partner's site</title></head>
<body><h1>A partner's site</h1>
<script src="{widget}" data-server="{server}" data-language="{language}" data-title="{title}"></script>
</body></html>
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def partner_site(tmp_path_factory: pytest.TempPathFactory, workspace: Workspace) -> Iterator[tuple[str, Path]]:
    """A static site on its own loopback port (another origin than the console and Rasa), in WIDGET_ORIGINS."""
    root = tmp_path_factory.mktemp("partner-site")
    port = urlsplit(workspace.env["WIDGET_ORIGINS"]).port
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def embed(site: tuple[str, Path], name: str, console: Console, server: str, language: str, title: str) -> str:
    url, root = site
    attributes = {
        "widget": f"{console.url}/static/console/widget.js",
        "server": server,
        "language": language,
        "title": title,
    }
    (root / name).write_text(PAGE.format(**{key: html.escape(value) for key, value in attributes.items()}))
    return f"{url}/{name}"


def test_one_script_tag_on_another_site_talks_to_the_assistant(
    new_widget: Callable[..., Widget], partner_site: tuple[str, Path], console_server: Console
) -> None:
    page_url = embed(partner_site, "live.html", console_server, console_server.rasa_url, "en", "Ask the help desk")
    widget = new_widget()
    requested: list[str] = []
    widget.page.on("request", lambda request: requested.append(request.url))
    widget.open(page_url)
    assert widget.chat.get_by_role("heading").inner_text() == "Ask the help desk"
    reply = widget.ask("I forgot my password", expect="Forgot password")
    assert "without going through the help desk" in reply
    # The pinned socket.io client came from the console, where widget.js came from: no CDN, no second tag.
    assert f"{console_server.url}/vendor/socket.io.min.js" in requested
    assert widget.page.locator("script").count() == 2  # the page's own tag and the client the widget added
    assert widget.errors == []


def test_an_unreachable_assistant_is_said_clearly(
    new_widget: Callable[..., Widget], partner_site: tuple[str, Path], console_server: Console
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    page_url = embed(partner_site, "dead.html", console_server, dead, "fr", "Assistant partenaires")
    widget = new_widget().open(page_url)
    widget.status.wait_for(state="visible", timeout=20_000)
    assert "L'assistant est injoignable pour le moment" in widget.status.inner_text()
    assert widget.status.get_attribute("role") == "status"
    # The partner can still write: the message is shown and kept until the connection is back.
    widget.input.fill("allo ?")
    widget.input.press("Enter")
    assert widget.user_messages().all_text_contents() == ["allo ?"]
    assert "injoignable" in widget.status.inner_text()
    assert widget.page.evaluate(
        "() => JSON.parse(Object.values(localStorage).find((v) => v.includes('outbox'))).outbox"
    ) == ["allo ?"]
    assert widget.bot_messages().count() == 0


def test_a_site_not_in_widget_origins_cannot_chat_with_the_assistant(
    new_widget: Callable[..., Widget], tmp_path: Path, console_server: Console
) -> None:
    """The socket's Origin is checked: another site's page gets no answer, as if the assistant were away."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page_url = embed(
            (f"http://127.0.0.1:{server.server_address[1]}", tmp_path),
            "other.html",
            console_server,
            console_server.rasa_url,
            "en",
            "Not allowed",
        )
        widget = new_widget().open(page_url)
        widget.status.wait_for(state="visible", timeout=20_000)
        assert "cannot be reached" in widget.status.inner_text()
        widget.input.fill("hello?")
        widget.input.press("Enter")
        widget.page.wait_for_timeout(2000)
        assert widget.bot_messages().count() == 0
    finally:
        server.shutdown()
        server.server_close()
