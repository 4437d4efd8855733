"""One Rasa server and one action server on loopback that a test may kill and start again, on the same files.

tests/support/servers.py starts the shared assistant once per run; the fault and load tests need servers of their own:
they kill them (SIGKILL, as a crash or an out-of-memory kill would), start them again on the same ports and
files, and read their peak memory. Each test module builds its stack on a fresh workspace.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from bot.database import Database, make_engine
from bot.tickets.store import TicketStore
from bot.training.model import MODEL_PATH
from tests.support.servers import Workspace, free_port, launch_actions, launch_rasa, stop
from tests.system.conversation.chat import texts


@dataclass
class Stack:
    workspace: Workspace
    env: dict[str, str] = field(repr=False)
    action_port: int = field(default_factory=free_port)
    rasa_ports: list[int] = field(default_factory=lambda: [free_port()])
    actions: subprocess.Popen | None = None
    rasa: dict[int, subprocess.Popen] = field(default_factory=dict)

    @property
    def workdir(self) -> Path:
        return self.workspace.workdir

    @property
    def endpoints(self) -> Path:
        return self.workdir / "endpoints.yml"

    @property
    def url(self) -> str:
        return self.url_of(self.rasa_ports[0])

    @staticmethod
    def url_of(port: int) -> str:
        return f"http://127.0.0.1:{port}"

    def start_actions(self) -> None:
        """The action server on its port, ready; its log follows a killed one's."""
        self.actions = launch_actions(self.action_port, self.env, self.workdir / "actions.log", append=True).wait()

    def start_rasa(self, port: int | None = None) -> None:
        """The Rasa server on `port` (the first one by default), as the Procfile starts it; ready to answer."""
        port = port or self.rasa_ports[0]
        if port not in self.rasa_ports:
            self.rasa_ports.append(port)
        log = self.workdir / f"rasa-{port}.log"
        self.rasa[port] = launch_rasa(port, self.endpoints, self.env, log, append=True).wait()

    def kill_actions(self) -> None:
        """SIGKILL: no goodbye, no flushing, as a crash."""
        assert self.actions is not None
        self.actions.kill()
        self.actions.wait()

    def kill_rasa(self, port: int | None = None) -> None:
        process = self.rasa[port or self.rasa_ports[0]]
        process.kill()
        process.wait()

    def send(self, sender: str, text: str, metadata: dict | None = None, port: int | None = None) -> list[dict]:
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        url = self.url_of(port or self.rasa_ports[0])
        response = requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=120)
        assert response.status_code == 200, response.text
        return response.json()

    def say(self, sender: str, text: str, metadata: dict | None = None, port: int | None = None) -> str:
        """What the bot answers, as one text."""
        return texts(self.send(sender, text, metadata, port))

    def tracker(self, sender: str) -> dict:
        """The conversation as Rasa's HTTP API gives it (read from the tracker store)."""
        token = {"token": self.env["RASA_TOKEN"]}
        response = requests.get(f"{self.url}/conversations/{sender}/tracker", params=token, timeout=30)
        response.raise_for_status()
        return response.json()

    def peak_memory_mb(self) -> dict[str, int]:
        """Each running server's peak resident memory (VmHWM), in MB."""
        rasa = {f"Rasa server :{port}" if len(self.rasa) > 1 else "Rasa server": p for port, p in self.rasa.items()}
        processes = {"action server": self.actions, **rasa}
        return {name: vm_hwm_mb(p.pid) for name, p in processes.items() if p is not None and p.poll() is None}

    def stop(self) -> None:
        stop(*self.rasa.values(), *([self.actions] if self.actions else []))


def vm_hwm_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    raise ValueError(f"no VmHWM for process {pid}")


@contextmanager
def running_stack(workspace: Workspace, env: Mapping[str, str] | None = None) -> Iterator[Stack]:
    """The action server and one Rasa server on this workspace (SQLite tracker store in it), both ready.

    `env` adds to or overrides the workspace's environment (DATABASE_URL, limits...). The model is the one
    `make model` trained: these tests never train.
    """
    if not MODEL_PATH.exists():
        pytest.fail(f"no trained model at {MODEL_PATH}: run `make model` first")
    stack = Stack(workspace, {**workspace.env, **(env or {})})
    stores = {
        "ACTION_SERVER_URL": f"http://127.0.0.1:{stack.action_port}/webhook",
        "TRACKER_STORE_URL": f"sqlite:///{workspace.workdir / 'tracker.db'}",
        "LOCK_STORE_URL": "",
    }
    stack.env.update(stores)  # `helpdesk rasa` writes the endpoints from them
    try:
        stack.start_actions()
        stack.start_rasa()
        yield stack
    finally:
        stack.stop()


@contextmanager
def ticket_store(database_url: str) -> Iterator[TicketStore]:
    engine = make_engine(database_url)
    try:
        yield TicketStore(Database(engine))
    finally:
        engine.dispose()
