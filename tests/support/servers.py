"""The real assistant on loopback, started once per test run and shared by every test that needs it.

The trained model in a Rasa server, our action server, a fresh ticket store and knowledge-base copy, and
(for the browser tests) the console serving the chat-widget page. The session fixtures are exposed to the
whole suite by tests/conftest.py; scripts/screenshots.py uses the same context managers outside pytest.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from bot.database import Database, make_engine
from bot.knowledge.records import KnowledgeRecords
from bot.migrations import upgrade
from bot.settings import PROJECT_ROOT
from bot.tickets.store import TicketStore
from bot.training.model import train
from tests.support.settings import settings_with
from tests.system.conversation.chat import Assistant

BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 300
ADMIN_EMAIL = "browser-admin@helpdesk.org"
ADMIN_PASSWORD = "browser-test-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rasa_command(port: int, endpoints: Path, shared: bool = False) -> list[str]:
    """The Procfile's `rasa` line on `port` (`shared`: the scale-out one's); it writes its endpoints to `endpoints`."""
    scale_out = ["--shared"] if shared else []
    return [str(BIN / "helpdesk"), "rasa", *scale_out, "--port", str(port), "--endpoints", str(endpoints)]


def actions_command(port: int) -> list[str]:
    """The Procfile's `actions` line, on `port`."""
    return [str(BIN / "helpdesk"), "actions", "--port", str(port)]


def wait_until(check: Callable[[], object], timeout: float, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if check():
                return
        except (requests.RequestException, ConnectionError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{what} not ready after {timeout} s:\n{log.read_text()[-4000:]}")


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Launched:
    """A server process just started, its log, and how to tell it is ready; `wait()` returns once it is."""

    name: str
    process: subprocess.Popen
    log: Path
    ready: Callable[[], object] = field(repr=False)

    def wait(self, timeout: float = STARTUP_TIMEOUT) -> subprocess.Popen:
        wait_until(self.ready, timeout, self.name, self.process, self.log)
        return self.process


def launch(
    name: str, command: list[str], env: Mapping[str, str], log: Path, ready: Callable[[], object], append: bool = False
) -> Launched:
    """Start `command` in the project folder with `env`, its output in `log` (appended: a restart follows a kill)."""
    output = log.open("a" if append else "w")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=dict(env), stdout=output, stderr=subprocess.STDOUT)
    return Launched(name, process, log, ready)


def launch_actions(port: int, env: Mapping[str, str], log: Path, append: bool = False) -> Launched:
    """The Procfile's `actions` line on `port`; ready when it answers /health."""
    ready = lambda: requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok  # noqa: E731
    return launch("action server", actions_command(port), env, log, ready, append)


def launch_rasa(
    port: int, endpoints: Path, env: Mapping[str, str], log: Path, append: bool = False, shared: bool = False
) -> Launched:
    """The Procfile's `rasa` line on `port`; ready when /status (behind the API token) names the loaded model."""
    token = {"token": env["RASA_TOKEN"]}
    ready = lambda: requests.get(f"http://127.0.0.1:{port}/status", params=token, timeout=2).json().get("model_id")  # noqa: E731
    return launch(f"Rasa server on port {port}", rasa_command(port, endpoints, shared), env, log, ready, append)


def launch_console(port: int, env: Mapping[str, str], log: Path, name: str = "console") -> Launched:
    """`helpdesk console` on loopback and `port`; ready when it answers /health."""
    command = [str(BIN / "helpdesk"), "console", "--host", "127.0.0.1", "--port", str(port)]
    ready = lambda: requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok  # noqa: E731
    return launch(name, command, env, log, ready)


@dataclass
class Workspace:
    """This run's files: ticket database, knowledge-base copy, logs, and the environment every server gets."""

    workdir: Path
    database_url: str
    knowledge_dir: Path
    env: dict[str, str] = field(repr=False)
    mail_catcher: MailCatcher | None = None  # set while the assistant runs


@dataclass
class MailCatcher:
    """The run's `helpdesk mail catch` (the SMTP server of `make run`), which a test may stop and start again."""

    env: dict[str, str] = field(repr=False)
    log: Path
    launched: Launched | None = None

    @property
    def port(self) -> int:
        return int(self.env["MAIL_CATCHER_PORT"])

    def start(self, append: bool = False) -> Launched:
        ready = lambda: socket.create_connection(("127.0.0.1", self.port), timeout=2).close() or True  # noqa: E731
        command = [str(BIN / "helpdesk"), "mail", "catch"]
        self.launched = launch("mail catcher", command, self.env, self.log, ready, append)
        return self.launched

    def stop(self) -> None:
        if self.launched is not None:
            stop(self.launched.process)
            self.launched = None


def make_workspace(workdir: Path) -> Workspace:
    database_url = f"sqlite:///{workdir / 'tickets.db'}"
    # A copy of the knowledge base, so tests may edit answers the way an admin would.
    knowledge_dir = workdir / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge_dir)
    upgrade(database_url)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HELPDESK_VAR_DIR": str(workdir),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
        # As the Procfile: Sanic refuses larger request bodies with 413.
        "SANIC_REQUEST_MAX_SIZE": "1000000",
        "MAX_MESSAGE_CHARS": "2000",
        # The suite talks from 127.0.0.1 far faster than any partner: that address is exempt from the rate limits.
        # tests/system/conversation/test_rate_limits.py meets them from other addresses (X-Forwarded-For, trusted
        # here, or 127.0.0.2), with limits low enough to reach in a few messages.
        "RATE_LIMIT_EXEMPT_ADDRESSES": "127.0.0.1,::1",
        "TRUST_PROXY": "1",
        "MESSAGES_PER_MINUTE_PER_SENDER": "25",
        "MESSAGES_PER_MINUTE_PER_ADDRESS": "40",
        "TICKETS_PER_HOUR_PER_SENDER": "2",
        "TICKETS_PER_HOUR_PER_ADDRESS": "3",
        # Where the widget runs, known before Rasa starts (it lets browsers in from these origins only): the
        # run's console, and the partner site of tests/system/browser/test_embedding.py.
        "CONSOLE_PORT": str(free_port()),
        # E-mail as `make run` sends it with no SMTP_URL: to the Procfile's mail catcher (started with the
        # assistant, keeping messages in <workdir>/mail), by the action server's worker every second.
        "SMTP_URL": "",
        "MAIL_CATCHER_PORT": str(free_port()),
        "MAIL_SEND_SECONDS": "1",
        "MAIL_FROM": "support@helpdesk.example",
        "WIDGET_ORIGINS": f"http://127.0.0.1:{free_port()}",
        # Known to the tests, so they can use Rasa's HTTP API and call the action server as Rasa does.
        "RASA_TOKEN": "test-rasa-api-token-" + secrets.token_hex(8),
        "ACTION_SERVER_TOKEN": "test-action-server-token-" + secrets.token_hex(8),
    }
    return Workspace(workdir=workdir, database_url=database_url, knowledge_dir=knowledge_dir, env=env)


@contextmanager
def running_assistant(workspace: Workspace, lock_store_url: str = "") -> Iterator[Assistant]:
    """The Rasa server (trained model, project credentials) and the action server, ready to answer."""
    train(settings_with().knowledge_dir)  # no-op when `make test` already trained on these inputs
    workdir = workspace.workdir
    rasa_port, action_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    # The endpoints `helpdesk rasa` writes (bot/rasa_server/endpoints.py), pointed at this run's ports and files.
    test_stores = {
        "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{workdir / 'tracker.db'}",
        # Rasa's in-memory locks, whatever the developer's .env says, unless the caller runs several Sanic workers.
        "LOCK_STORE_URL": lock_store_url,
    }
    workspace.mail_catcher = mail_catcher = MailCatcher(workspace.env, workdir / "mail-catcher.log")
    catcher = mail_catcher.start()
    actions = launch_actions(action_port, workspace.env, workdir / "actions.log")
    rasa = launch_rasa(rasa_port, endpoints, {**workspace.env, **test_stores}, workdir / "rasa.log")  # side by side
    url = f"http://127.0.0.1:{rasa_port}"
    try:
        catcher.wait()
        actions.wait()
        rasa.wait()
        engine = make_engine(workspace.database_url)
        try:
            yield Assistant(
                url=url,
                token=workspace.env["RASA_TOKEN"],
                store=TicketStore(Database(engine)),
                records=KnowledgeRecords(Database(engine)),
                knowledge_dir=workspace.knowledge_dir,
            )
        finally:
            engine.dispose()
    finally:
        stop(rasa.process, actions.process)
        mail_catcher.stop()


@dataclass
class Console:
    """The console as `helpdesk console` runs it: widget page (`/`, `/en`), staff pages, `/health`."""

    url: str
    rasa_url: str
    admin_email: str = ADMIN_EMAIL
    admin_password: str = ADMIN_PASSWORD


@contextmanager
def running_console(workspace: Workspace, rasa_url: str, name: str = "console") -> Iterator[Console]:
    """`helpdesk console` on loopback (the run's CONSOLE_PORT, others on a free port), its widget on `rasa_url`."""
    port = int(workspace.env["CONSOLE_PORT"]) if name == "console" else free_port()
    env = {
        **workspace.env,
        "RASA_URL": rasa_url,
        "RASA_ENDPOINTS": str(workspace.workdir / "endpoints.yml"),  # the transcripts: this run's tracker store
        "CONSOLE_SECRET_KEY": "browser-tests-" + "0" * 32,
        "CONSOLE_ADMIN_EMAIL": ADMIN_EMAIL,
        "CONSOLE_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    console = launch_console(port, env, workspace.workdir / f"{name}.log", name)
    url = f"http://127.0.0.1:{port}"
    try:
        console.wait(60)
        yield Console(url=url, rasa_url=rasa_url)
    finally:
        stop(console.process)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_workspace(tmp_path_factory.mktemp("assistant"))


@pytest.fixture(scope="session")
def assistant(workspace: Workspace) -> Iterator[Assistant]:
    """One Rasa server and action server for the whole run (conversation and browser tests alike)."""
    with running_assistant(workspace) as started:
        yield started


@pytest.fixture(scope="session")
def console_server(workspace: Workspace, assistant: Assistant) -> Iterator[Console]:
    """The console on the same store and knowledge base, its widget talking to the test Rasa server."""
    with running_console(workspace, assistant.url) as started:
        yield started
