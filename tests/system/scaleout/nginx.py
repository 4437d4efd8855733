"""deploy/nginx.conf under Debian's nginx in a test: wrapped in a main configuration of its own, ports remapped.

deploy/nginx.conf is read inside nginx's http {} block (/etc/nginx/conf.d/); here a small main configuration
around it keeps the pid file, logs and temporary files in the test's folder, so nginx runs without root.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "deploy" / "nginx.conf"
_ADDRESS = re.compile(r"\b(listen|server)\s+(?:127\.0\.0\.1:)?(\d+)\b")


def nginx_binary() -> str:
    """Debian's nginx (/usr/sbin is not on every user's PATH); the test is skipped without it."""
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    missing = "nginx is not installed (`make nginx`, or apt-get install nginx), so deploy/nginx.conf is not checked"
    if os.environ.get("HELPDESK_REQUIRE_NGINX") == "1":  # CI: the deployment checks must run
        pytest.fail(missing)
    pytest.skip(missing)


def ports_in(config: str) -> set[int]:
    """Every port deploy/nginx.conf listens on or forwards to."""
    return {int(match.group(2)) for match in _ADDRESS.finditer(config)}


def remapped(config: str, ports: Mapping[int, int]) -> str:
    """The configuration with each port replaced by this run's (all on loopback); an unmapped port is an error."""

    def replace(match: re.Match[str]) -> str:
        return f"{match.group(1)} 127.0.0.1:{ports[int(match.group(2))]}"

    return _ADDRESS.sub(replace, config)


def main_config(folder: Path, site: Path) -> Path:
    """A main configuration that includes `site` in its http {} block, every file nginx writes under `folder`."""
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(parents=True, exist_ok=True)
    main = folder / "nginx-main.conf"
    main.write_text(
        f"""daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"};
events {{ worker_connections 256; }}
http {{
    log_format upstreams '$request_uri $upstream_addr';
    access_log {folder / "access.log"} upstreams;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {site};
}}
"""
    )
    return main
