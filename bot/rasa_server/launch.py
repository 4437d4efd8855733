"""`helpdesk rasa`: Rasa's own `rasa run`, closed by default.

It listens on loopback (RASA_INTERFACE), its HTTP API (models, conversations, training) answers only with the
token (RASA_TOKEN, else one made in the var folder), and browsers may call it only from the console's page and
the partner sites in WIDGET_ORIGINS. The token is handed to Rasa inside this process, not on a command line
where `ps` shows it to every account on the machine. The endpoints are written from the settings first, as
`helpdesk endpoints` does.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.rasa_server.endpoints import default_output, endpoints_config, single_server_settings, write_endpoints
from bot.settings import PROJECT_ROOT, Settings, pass_to_rasa
from bot.training.model import MODEL_PATH
from bot.var.tokens import rasa_api_token

CREDENTIALS = PROJECT_ROOT / "credentials.yml"


class NotSafeToStart(RuntimeError):
    """Settings that would leave a server open; the message says which and what to set."""


def rasa_arguments(settings: Settings, port: int, endpoints: Path, token: str) -> list[str]:
    """`rasa run`'s arguments for these settings."""
    return [
        "run",
        "--enable-api",
        f"--auth-token={token}",  # one word: a token may begin with "-" (token_urlsafe), which argparse would
        # otherwise read as an option and refuse to start
        "--cors",
        *settings.browser_origins(),
        "--interface",
        settings.rasa.interface,
        "--port",
        str(port),
        "--model",
        str(MODEL_PATH),
        "--endpoints",
        str(endpoints),
        "--credentials",
        str(CREDENTIALS),
    ]


def prepare(settings: Settings, port: int, shared: bool = False, endpoints: Path | None = None) -> list[str]:
    """Write the endpoints and return `rasa run`'s arguments; refuse settings that leave the servers open."""
    problems = single_server_settings(settings) if shared else []
    if problems:
        raise NotSafeToStart("Not for several Rasa servers (docs/scale-out.md):\n  " + "\n  ".join(problems))
    path = write_endpoints(endpoints or default_output(settings), endpoints_config(settings))
    return rasa_arguments(settings, port, path, rasa_api_token(settings))


# The maths libraries' thread-count settings, read once when each library loads.
MATHS_THREAD_SETTINGS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_maths_thread() -> None:
    """Each Sanic worker scores with one thread: the scaling unit is one worker per core.

    NumPy's OpenBLAS otherwise starts a thread per core for the classifier's small vector-matrix product and
    keeps it spinning between messages: under 20 partners that thread burnt 60% of a core on a 2-core machine,
    which the action server and a second worker needed. An operator's own setting is kept. Must run before
    NumPy is imported.
    """
    pass_to_rasa(**dict.fromkeys(MATHS_THREAD_SETTINGS, "1"))


def run(arguments: list[str], settings: Settings) -> None:
    """Rasa's command line, in this process (Sanic reads SANIC_REQUEST_MAX_SIZE from the environment)."""
    one_maths_thread()
    from rasa.__main__ import main

    pass_to_rasa(SANIC_REQUEST_MAX_SIZE=str(settings.rasa.sanic_request_max_size))
    sys.argv = ["rasa", *arguments]
    main()
