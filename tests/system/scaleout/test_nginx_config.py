"""deploy/nginx.conf: valid for Debian's nginx, and in step with the ports deploy/Procfile.scaleout gives."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from honcho.environ import expand_processes, parse_procfile

from bot.settings import PROJECT_ROOT
from tests.system.scaleout.nginx import CONFIG, main_config, nginx_binary

PROCFILE = PROJECT_ROOT / "deploy" / "Procfile.scaleout"
_UPSTREAM = re.compile(r"upstream\s+(\w+)\s*\{([^}]*)\}")
_SERVER = re.compile(r"server\s+127\.0\.0\.1:(\d+)")


def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    nginx = nginx_binary()
    checked = subprocess.run(
        [nginx, "-t", "-c", str(main_config(tmp_path, CONFIG)), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "syntax is ok" in checked.stderr


def test_the_upstreams_are_the_ports_the_scaleout_procfile_gives() -> None:
    """`honcho start -f deploy/Procfile.scaleout -p 5100 -c rasa=2,actions=2` starts what nginx forwards to."""
    processes = parse_procfile(PROCFILE.read_text()).processes
    started: dict[str, list[int]] = {}
    for process in expand_processes(processes, concurrency={"rasa": 2, "actions": 2}, port=5100):
        started.setdefault(process.name.split(".")[0], []).append(int(process.env["PORT"]))
    upstreams = {
        name: [int(port) for port in _SERVER.findall(body)] for name, body in _UPSTREAM.findall(CONFIG.read_text())
    }
    assert upstreams == {
        "helpdesk_rasa": started["rasa"],
        "helpdesk_rasa_socketio": started["rasa"],
        "helpdesk_actions": started["actions"],
        "helpdesk_console": started["console"],
    }
