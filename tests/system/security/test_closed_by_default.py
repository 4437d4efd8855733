"""`make run` as a new user starts it, with nothing configured: the servers are closed to everyone but each other.

The Rasa server and the action server start from the Procfile's own commands (`helpdesk rasa`, `helpdesk
actions`) with no token, interface or origin set, on a var folder that an older version left open (0755, a
0644 database). Findings 1, 2 and 6 of the safe-by-default issue: Rasa's API open to the network, the action
server open to forged calls and deflate bombs, partner data readable by every account.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import stat
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import socketio

from bot.database import Database, make_engine
from bot.migrations import upgrade
from bot.tickets.store import TicketStore
from tests.support.servers import BIN, free_port, launch, launch_actions, stop

pytestmark = pytest.mark.model
UNSET = (
    "RASA_TOKEN",
    "ACTION_SERVER_TOKEN",
    "RASA_INTERFACE",
    "WIDGET_ORIGINS",
    "ACTION_SERVER_URL",
    "ACTION_SERVER_HOST",
    "TRACKER_STORE_URL",
    "DATABASE_URL",
    "LOCK_STORE_URL",
    "RASA_ENDPOINTS",
)


@dataclass
class Started:
    var: Path
    rasa_url: str
    action_url: str
    console_port: int
    pids: dict[str, int]


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    var = tmp_path_factory.mktemp("make-run") / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)
    upgrade(f"sqlite:///{var / 'tickets.db'}")
    (var / "tickets.db").chmod(0o644)  # as an older version left it
    rasa_port, action_port, console_port = free_port(), free_port(), free_port()
    env = {name: value for name, value in os.environ.items() if name not in UNSET}
    env.update(
        HELPDESK_VAR_DIR=str(var),
        RASA_PORT=str(rasa_port),
        ACTION_SERVER_PORT=str(action_port),
        CONSOLE_PORT=str(console_port),
        MAIL_CATCHER_PORT=str(free_port()),  # with no SMTP_URL, as `make run`: e-mails go to its catcher
        MAIL_INBOUND_PORT=str(free_port()),
    )
    actions = launch_actions(action_port, env, var.parent / "actions.log")
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    rasa = launch(
        "Rasa server",
        [str(BIN / "helpdesk"), "rasa"],
        env,
        var.parent / "rasa.log",
        lambda: requests.get(f"{rasa_url}/", timeout=2).ok,
    )
    catcher_port = int(env["MAIL_CATCHER_PORT"])
    catcher = launch(
        "mail catcher",
        [str(BIN / "helpdesk"), "mail", "catch"],
        env,
        var.parent / "mail.log",
        lambda: socket.create_connection(("127.0.0.1", catcher_port), timeout=2).close() or True,
    )
    inbound_port = int(env["MAIL_INBOUND_PORT"])
    inbound = launch(
        "mail receiver",
        [str(BIN / "helpdesk"), "mail", "receive"],
        env,
        var.parent / "inbound.log",
        lambda: socket.create_connection(("127.0.0.1", inbound_port), timeout=2).close() or True,
    )
    try:
        actions.wait()
        rasa.wait()
        catcher.wait()
        inbound.wait()
        pids = {
            "rasa": rasa.process.pid,
            "actions": actions.process.pid,
            "mail catcher": catcher.process.pid,
            "mail receiver": inbound.process.pid,
        }
        yield Started(var, rasa_url, f"http://127.0.0.1:{action_port}", console_port, pids)
    finally:
        stop(rasa.process, actions.process, catcher.process, inbound.process)


def listening_addresses(pid: int) -> set[str]:
    """The local addresses of the TCP sockets `pid` listens on, read from /proc (as `ss -ltnp` does)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, width in (("tcp", 8), ("tcp6", 32)):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:  # LISTEN
                address = local.split(":")[0]
                found.add(_address(address, width))
    return found


def _address(hex_address: str, width: int) -> str:
    if width == 8:
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    return "::1" if hex_address == "0" * 24 + "01000000" else ("::" if set(hex_address) == {"0"} else hex_address)


def test_every_server_of_make_run_listens_on_loopback_only(started: Started) -> None:
    for name, pid in started.pids.items():
        addresses = listening_addresses(pid)
        assert addresses, f"the {name} listens on nothing"
        assert addresses <= {"127.0.0.1", "::1"}, f"the {name} listens on {addresses}"


def test_rasa_http_api_refuses_calls_without_its_token(started: Started) -> None:
    url = started.rasa_url
    assert requests.get(f"{url}/status", timeout=5).status_code == 401
    assert requests.get(f"{url}/conversations/partner-1/tracker", timeout=5).status_code == 401
    assert requests.put(f"{url}/model", json={"model_file": "/tmp/other.tar.gz"}, timeout=5).status_code == 401
    assert requests.post(f"{url}/model/train", data="{}", timeout=5).status_code == 401
    token = (started.var / "rasa-token").read_text().strip()
    assert requests.get(f"{url}/status", params={"token": token}, timeout=5).json()["model_id"]
    near_miss = token[:-1] + ("x" if token[-1] != "x" else "y")
    assert requests.get(f"{url}/status", params={"token": near_miss}, timeout=5).status_code == 401
    # The partners' channel needs no token, and the conversation goes on through the action server.
    said = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "p1", "message": "bonjour"}, timeout=60)
    assert said.status_code == 200 and said.json()


def test_the_widget_may_call_rasa_from_the_console_page_only(started: Started) -> None:
    console = f"http://localhost:{started.console_port}"
    for origin, allowed in ((console, True), ("https://evil.example", False)):
        response = requests.options(
            f"{started.rasa_url}/webhooks/rest/webhook",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
            timeout=5,
        )
        assert (response.headers.get("Access-Control-Allow-Origin") == origin) is allowed, origin
        assert response.headers.get("Access-Control-Allow-Origin") != "*"


async def _socket_opens(url: str, origin: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    try:
        await client.connect(url, headers={"Origin": origin}, transports=["websocket"], wait_timeout=10)
    except socketio.exceptions.ConnectionError:
        return False
    await client.disconnect()
    return True


def test_the_widgets_socket_opens_from_the_console_page_only(started: Started) -> None:
    """A WebSocket has no CORS: without an Origin check any site a partner visits could chat in their name."""
    console = f"http://localhost:{started.console_port}"
    assert asyncio.run(_socket_opens(started.rasa_url, console))
    assert not asyncio.run(_socket_opens(started.rasa_url, "https://evil.example"))


def action_call(sender: str) -> dict:
    """What a forger would send: an action call for the ticket submission, with an invented partner."""
    slots = {
        "organization_name": "Forged NGO",
        "profile_link": "javascript:alert(1)",
        "issue_type": "other",
        "description": "password: hunter2",
        "contact_email": "x@forged.example",
        "ticket_stage": "confirm",
    }
    tracker = {
        "sender_id": sender,
        "slots": slots,
        "latest_message": {"text": "/affirm"},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return {"next_action": "action_submit_ticket", "sender_id": sender, "tracker": tracker, "version": "3.6.21"}


def test_the_action_server_refuses_calls_that_do_not_come_from_rasa(started: Started) -> None:
    webhook = f"{started.action_url}/webhook"
    forged = requests.post(webhook, json=action_call("forger"), timeout=10)
    assert forged.status_code == 401
    wrong = requests.post(webhook, json=action_call("forger"), headers={"Authorization": "Bearer guess"}, timeout=10)
    assert wrong.status_code == 401
    engine = make_engine(f"sqlite:///{started.var / 'tickets.db'}")
    try:
        assert TicketStore(Database(engine)).count() == 0, "no forged call stored a ticket"
    finally:
        engine.dispose()
    assert requests.get(f"{started.action_url}/health", timeout=5).ok, "the health check stays open"


def test_the_action_server_refuses_compressed_and_oversized_bodies(started: Started) -> None:
    rasa = {"Authorization": "Bearer " + (started.var / "action-server-token").read_text().strip()}
    webhook = f"{started.action_url}/webhook"
    bomb = zlib.compress(json.dumps({**action_call("p2"), "padding": " " * 50_000_000}).encode(), 9)
    assert len(bomb) < 100_000
    compressed = requests.post(webhook, data=bomb, headers={**rasa, "Content-Encoding": "deflate"}, timeout=30)
    assert compressed.status_code == 415
    huge = requests.post(webhook, json={**action_call("p2"), "padding": "x" * 3_000_000}, headers=rasa, timeout=30)
    assert huge.status_code == 413
    assert requests.get(f"{started.action_url}/health", timeout=5).ok


def test_partner_data_and_tokens_are_readable_by_this_account_only(started: Started) -> None:
    assert stat.S_IMODE(started.var.stat().st_mode) == 0o700
    files = {path.name: stat.S_IMODE(path.stat().st_mode) for path in started.var.iterdir() if path.is_file()}
    for name in ("tickets.db", "rasa-tracker.db", "rasa-token", "action-server-token", "endpoints.yml"):
        assert files.get(name) == 0o600, f"{name}: {oct(files[name]) if name in files else 'missing'}"
    assert set(files.values()) == {0o600}, files
