"""The real assistant on loopback: the trained model in a Rasa server, our action server, a fresh store.

Started once per test session; every test talks to it over Rasa's REST channel like a client would.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import yaml

from bot.knowledge.records import KnowledgeRecords
from bot.model import MODEL_PATH, train
from bot.settings import PROJECT_ROOT
from bot.tickets.migrate import upgrade
from bot.tickets.store import TicketStore, make_engine
from tests.conversation.chat import Assistant

BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if check():
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"{what} not ready after {timeout} s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    train()  # no-op when `make test` already trained on these inputs
    workdir = tmp_path_factory.mktemp("assistant")
    database_url = f"sqlite:///{workdir / 'tickets.db'}"
    # A copy of the knowledge base, so tests may edit answers the way an admin would.
    knowledge_dir = workdir / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge_dir)
    upgrade(database_url)
    rasa_port, action_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    # The project's own endpoints, pointed at this run's ports and files.
    config = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text())
    config["action_endpoint"]["url"] = f"http://127.0.0.1:{action_port}/webhook"
    config["tracker_store"]["db"] = str(workdir / "tracker.db")
    endpoints.write_text(yaml.safe_dump(config))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HELPDESK_VAR_DIR": str(workdir),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    actions = subprocess.Popen(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=action_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            str(BIN / "rasa"),
            "run",
            "--enable-api",
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
            "--model",
            str(MODEL_PATH),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=rasa_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{rasa_port}"
    try:
        wait_until(
            lambda: requests.get(f"http://127.0.0.1:{action_port}/health", timeout=2).ok,
            STARTUP_TIMEOUT,
            "action server",
            actions,
            action_log,
        )
        wait_until(
            lambda: requests.get(f"{url}/status", timeout=2).json().get("model_id"),
            STARTUP_TIMEOUT,
            "Rasa server",
            rasa,
            rasa_log,
        )
        engine = make_engine(database_url)
        yield Assistant(
            url=url, store=TicketStore(engine), records=KnowledgeRecords(engine), knowledge_dir=knowledge_dir
        )
        engine.dispose()
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
