"""Several Rasa servers and an action server on loopback, configured only through the environment.

As deploy/Procfile.scaleout starts them: each `helpdesk rasa --shared` turns the environment into Rasa's endpoints
(refusing settings that work for one server only), then loads the same trained model. The number of Rasa servers
is a parameter, and the environment is passed through whole, so SANIC_WORKERS and the like reach Rasa as in
production.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import Launched, free_port, launch_actions, launch_rasa, stop


@dataclass(frozen=True)
class Cluster:
    rasa_urls: list[str]
    action_port: int
    endpoints: Path  # what `helpdesk endpoints` wrote from the environment


@contextmanager
def running_cluster(env: Mapping[str, str], workdir: Path, rasa_servers: int = 2) -> Iterator[Cluster]:
    """`rasa_servers` Rasa servers and one action server, all started at once and ready to answer.

    `env` holds the stores (DATABASE_URL, TRACKER_STORE_URL, LOCK_STORE_URL...); ACTION_SERVER_URL is set here.
    """
    action_port = free_port()
    env = {**env, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"}
    endpoints = workdir / "endpoints.yml"  # each `helpdesk rasa --shared` writes it from the environment
    rasa_ports = [free_port() for _ in range(rasa_servers)]
    launched: list[Launched] = []
    try:
        # All started at once, then waited for: the Rasa servers load their model side by side.
        launched.append(launch_actions(action_port, env, workdir / "actions.log"))
        for port in rasa_ports:
            launched.append(launch_rasa(port, endpoints, env, workdir / f"rasa-{port}.log", shared=True))
        for server in launched:
            server.wait()
        yield Cluster([f"http://127.0.0.1:{port}" for port in rasa_ports], action_port, endpoints)
    finally:
        stop(*(server.process for server in launched))
