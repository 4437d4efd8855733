"""Several Rasa servers and an action server on loopback, configured only through the environment.

As deploy/Procfile.scaleout starts them: `helpdesk endpoints` turns the environment into Rasa's endpoints, then
every Rasa server loads the same trained model with that file. The number of Rasa servers is a parameter, and
the environment is passed through whole, so SANIC_WORKERS and the like reach Rasa as in production.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from bot.settings import PROJECT_ROOT
from tests.support.servers import BIN, STARTUP_TIMEOUT, actions_command, free_port, rasa_command, stop, wait_until


@dataclass(frozen=True)
class Cluster:
    rasa_urls: list[str]
    action_port: int
    endpoints: Path  # what `helpdesk endpoints` wrote from the environment


def _spawn(command: list[str], env: Mapping[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=PROJECT_ROOT, env=dict(env), stdout=log.open("w"), stderr=subprocess.STDOUT)


@contextmanager
def running_cluster(env: Mapping[str, str], workdir: Path, rasa_servers: int = 2) -> Iterator[Cluster]:
    """`rasa_servers` Rasa servers and one action server, all started at once and ready to answer.

    `env` holds the stores (DATABASE_URL, TRACKER_STORE_URL, LOCK_STORE_URL...); ACTION_SERVER_URL is set here.
    """
    action_port = free_port()
    env = {**env, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"}
    endpoints = workdir / "endpoints.yml"
    subprocess.run(
        [str(BIN / "helpdesk"), "endpoints", "--shared", "--output", str(endpoints)],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
    )
    action_log = workdir / "actions.log"
    rasa_logs = {port: workdir / f"rasa-{port}.log" for port in (free_port() for _ in range(rasa_servers))}
    started: list[subprocess.Popen] = []
    try:
        actions = _spawn(
            actions_command(action_port), env, action_log
        )
        started.append(actions)
        servers = {}
        for port, log in rasa_logs.items():
            servers[port] = _spawn(rasa_command(port, endpoints), env, log)
            started.append(servers[port])
        wait_until(
            lambda: requests.get(f"http://127.0.0.1:{action_port}/health", timeout=2).ok,
            STARTUP_TIMEOUT,
            "action server",
            actions,
            action_log,
        )
        for port, process in servers.items():
            wait_until(
                lambda port=port: requests.get(f"http://127.0.0.1:{port}/status", timeout=2).json().get("model_id"),
                STARTUP_TIMEOUT,
                f"Rasa server on port {port}",
                process,
                rasa_logs[port],
            )
        yield Cluster([f"http://127.0.0.1:{port}" for port in servers], action_port, endpoints)
    finally:
        stop(*started)
