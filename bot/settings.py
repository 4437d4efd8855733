"""Every setting of the assistant, read from the environment (and `.env`, loaded once by python-dotenv) here only.

`get_settings()` returns one frozen tree: the stores, then a branch per part (console, rasa, messages, limits,
outbox, mail, retention). Each variable is read by one of four typed parsers (text, whole number, number, flag) that
fail with `NAME must be …, got '…'`; every variable is listed, with its default, in `.env.example` (a test
checks both ways). A process reads its settings once (`process_settings()`) and hands them to what needs them.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("fr", "en")
# This assistant is the partners' help desk, or works beside UNPP's own (bot/knowledge/deployment.py).
DEPLOYMENTS = ("helpdesk", "beside-unpp")
_YES, _NO = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}

load_dotenv(PROJECT_ROOT / ".env")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _under_project(value: str) -> Path:
    """Relative paths are under the project, whatever the current folder."""
    path = Path(value)
    return path if path.is_absolute() else PROJECT_ROOT / path


class _Environment:
    """The variables, read through the parsers below; remembers which names were read (for the `.env` test)."""

    def __init__(self, values: Mapping[str, str]):
        self.values = values
        self.names: list[str] = []

    def text(self, name: str, default: str = "", choices: tuple[str, ...] = ()) -> str:
        self.names.append(name)
        value = (self.values.get(name) or "").strip() or default
        if choices and value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
        return value

    def whole_number(self, name: str, default: int, minimum: int = 0) -> int:
        return int(self._at_least(name, default, minimum, int, f"a whole number of at least {minimum}"))

    def number(self, name: str, default: float, minimum: float = 0.0) -> float:
        return self._at_least(name, default, minimum, float, f"a number of at least {minimum:g}")

    def _at_least(self, name: str, default: float, minimum: float, kind: type, what: str) -> float:
        value = self.text(name)
        try:
            number = kind(value) if value else default
        except ValueError:
            number = float("nan")
        if not number >= minimum:  # nan, from a typo or from "nan" itself, is refused too
            raise ValueError(f"{name} must be {what}, got {value!r}")
        return number

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.text(name).lower()
        if value and value not in _YES | _NO:
            raise ValueError(f"{name} must be 1 or 0 (yes or no), got {value!r}")
        return value in _YES if value else default

    def path(self, name: str, default: str) -> Path:
        return _under_project(self.text(name, default))

    def optional_path(self, name: str) -> Path | None:
        value = self.text(name)
        return _under_project(value) if value else None

    def networks(self, name: str) -> tuple[Network, ...]:
        networks = []
        for item in self.text(name).replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{name} must be addresses or networks, comma-separated, got {item!r}") from None
        return tuple(networks)


@dataclass(frozen=True)
class ConsoleSettings:
    secret_key: str = ""
    admin_email: str | None = None  # the first admin, created at start when both are set
    admin_password: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    https: bool = False  # behind exactly one HTTPS reverse proxy: Secure cookies, the proxy's client address
    rasa_url: str = "http://localhost:5005"  # where the partner's browser reaches Rasa (the widget)
    public_url: str = "http://localhost:8000"  # where partners' browsers reach the console: links in e-mails
    login_max_failures: int = 5
    login_window_seconds: float = 300.0
    redis_url: str = ""  # failed logins counted in Redis, shared by every console process; empty: in memory
    login_throttle_prefix: str = "helpdesk:login-throttle:"


@dataclass(frozen=True)
class RasaSettings:
    server_url: str = "http://localhost:5005"  # where this machine reaches Rasa's HTTP API (Publish)
    token: str = ""  # Rasa's HTTP API token; empty: generated once into the var folder (bot/var/tokens.py)
    interface: str = "127.0.0.1"  # where the Rasa server listens: loopback unless a proxy in front needs more
    port: int = 5005
    widget_origins: tuple[str, ...] = ()  # partner sites that embed the widget, besides the console itself
    action_server_token: str = ""  # what Rasa sends the action server; empty: generated into the var folder
    action_server_max_body: int = 2_000_000  # bytes of one action call (the conversation so far) the server reads
    action_server_host: str = "127.0.0.1"  # where the action server listens: only the Rasa server calls it
    action_server_port: int = 5055
    action_server_url: str = "http://127.0.0.1:5055/webhook"
    tracker_store_url: str = ""  # empty: SQLite in the var folder
    lock_store_url: str = ""  # empty: Rasa's in-memory locks, for one Rasa server
    lock_store_key_prefix: str = "helpdesk"
    endpoints: Path | None = None  # an endpoints file of the operator's own, read by the console for transcripts
    # Read by Rasa and Sanic themselves; here so that every variable is a setting.
    sanic_workers: int = 1
    sanic_request_max_size: int = 1_000_000
    sanic_backlog: int = 100


@dataclass(frozen=True)
class MessageSettings:
    max_chars: int = 2000  # longer messages get a polite reply and never reach the model (0: no limit)


@dataclass(frozen=True)
class RateLimits:
    """The limits in force (0: no limit), with defaults that a real partner, even behind a shared office
    address, never reaches."""

    messages_per_minute_per_sender: int = 30
    messages_per_minute_per_address: int = 120
    tickets_per_hour_per_sender: int = 5
    tickets_per_hour_per_address: int = 20
    # Wrong references or e-mails when asking the bot where a request stands (bot/tickets/status.py).
    status_failures_per_hour_per_sender: int = 5
    status_failures_per_hour_per_address: int = 20
    # Read the client address from X-Forwarded-For (set by our reverse proxy), not from the connection.
    trust_proxy: bool = False
    # Addresses or networks never limited (a monitoring probe, a load test).
    exempt: tuple[Network, ...] = field(default=())

    def is_exempt(self, address: str | None) -> bool:
        """Whether an address, or a whole network the limits count as one (an IPv6 /64), is never limited."""
        try:
            parsed = ipaddress.ip_network(address or "", strict=False)
        except ValueError:
            return False
        return any(parsed.version == network.version and parsed.subnet_of(network) for network in self.exempt)


@dataclass(frozen=True)
class OutboxSettings:
    drain_seconds: float = 30.0  # how often the action server moves outbox tickets to the database (0: never)


@dataclass(frozen=True)
class MailSettings:
    smtp_url: str = ""  # empty: the local mail catcher (`helpdesk mail catch`, started by `make run`)
    sender: str = "helpdesk@localhost"  # the From of every e-mail to partners
    reply_to: str = ""  # where partners' answers go, when not to the sender
    send_seconds: float = 10.0  # how often the action server sends what the mail outbox holds (0: never)
    catcher_port: int = 8025
    inbound_port: int = 8026  # `helpdesk mail receive`: where the mail server delivers partners' replies
    attachment_max_bytes: int = 10_000_000
    attachment_types: tuple[str, ...] = (
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
    )

    @property
    def catching(self) -> bool:
        """No mail server is set: e-mails go to the local catcher, and admins read them in the console."""
        return not self.smtp_url

    @property
    def server_url(self) -> str:
        return self.smtp_url or f"smtp://127.0.0.1:{self.catcher_port}"

    @property
    def domain(self) -> str:
        """The sender's domain, which ends every Message-ID."""
        return self.sender.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class RetentionSettings:
    transcript_days: int = 90  # `helpdesk purge-transcripts` deletes conversations older than this


@dataclass(frozen=True)
class Settings:
    database_url: str
    knowledge_dir: Path
    var_dir: Path
    default_language: str = "fr"
    deployment: str = "helpdesk"
    reference_prefix: str = "HD"
    console: ConsoleSettings = ConsoleSettings()
    rasa: RasaSettings = RasaSettings()
    messages: MessageSettings = MessageSettings()
    limits: RateLimits = RateLimits()
    outbox: OutboxSettings = OutboxSettings()
    mail: MailSettings = MailSettings()
    retention: RetentionSettings = RetentionSettings()

    def browser_origins(self) -> list[str]:
        """Where the widget may run: the console's own page (as localhost or 127.0.0.1) and the partner sites."""
        port = self.console.port
        return [f"http://localhost:{port}", f"http://127.0.0.1:{port}", *self.rasa.widget_origins]


def get_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings now from `environ` (`os.environ` when none is given): a fresh tree each call.

    A process reads its own once, through `process_settings()`; tests build theirs with this and hand them on.
    """
    return _read(_Environment(os.environ if environ is None else environ))


@functools.lru_cache(maxsize=1)
def process_settings() -> Settings:
    """This process's settings, read from its environment the first time and the same tree ever after.

    Only where a process starts: the command line, and the classes Rasa and rasa-sdk build without our arguments
    (channels, tracker and lock stores, NLU components, the actions' services). Everything else is handed its
    settings, so one process never acts on two readings, and no message pays for parsing 46 variables.
    """
    return get_settings()


def setting_names() -> list[str]:
    """The names of every variable the settings read, in the order they are read."""
    env = _Environment({})
    _read(env)
    return env.names


def _read(env: _Environment) -> Settings:
    var_dir = env.path("HELPDESK_VAR_DIR", "var")
    limits, console, rasa = RateLimits(), ConsoleSettings(), RasaSettings()
    console_port = env.whole_number("CONSOLE_PORT", console.port, minimum=1)
    browser_rasa_url = env.text("RASA_URL", console.rasa_url).rstrip("/")
    action_server_port = env.whole_number("ACTION_SERVER_PORT", rasa.action_server_port, minimum=1)
    return Settings(
        database_url=env.text("DATABASE_URL") or f"sqlite:///{var_dir / 'tickets.db'}",
        knowledge_dir=env.path("KNOWLEDGE_DIR", "knowledge"),
        var_dir=var_dir,
        default_language=env.text("DEFAULT_LANGUAGE", "fr", choices=LANGUAGES),
        deployment=env.text("DEPLOYMENT", "helpdesk", choices=DEPLOYMENTS),
        reference_prefix=env.text("TICKET_REFERENCE_PREFIX", "HD"),
        console=ConsoleSettings(
            secret_key=env.text("CONSOLE_SECRET_KEY"),
            admin_email=env.text("CONSOLE_ADMIN_EMAIL") or None,
            admin_password=env.text("CONSOLE_ADMIN_PASSWORD") or None,
            host=env.text("CONSOLE_HOST", console.host),
            port=console_port,
            https=env.flag("CONSOLE_HTTPS"),
            rasa_url=browser_rasa_url,
            public_url=env.text("CONSOLE_PUBLIC_URL", f"http://localhost:{console_port}").rstrip("/"),
            login_max_failures=env.whole_number("LOGIN_MAX_FAILURES", console.login_max_failures, minimum=1),
            login_window_seconds=env.number("LOGIN_WINDOW_SECONDS", console.login_window_seconds, minimum=1),
            redis_url=env.text("REDIS_URL"),
            login_throttle_prefix=env.text("LOGIN_THROTTLE_PREFIX", console.login_throttle_prefix),
        ),
        rasa=RasaSettings(
            server_url=env.text("RASA_SERVER_URL", browser_rasa_url).rstrip("/"),
            token=env.text("RASA_TOKEN"),
            interface=env.text("RASA_INTERFACE", rasa.interface),
            port=env.whole_number("RASA_PORT", rasa.port, minimum=1),
            widget_origins=tuple(
                origin.strip().rstrip("/") for origin in env.text("WIDGET_ORIGINS").split(",") if origin.strip()
            ),
            action_server_token=env.text("ACTION_SERVER_TOKEN"),
            action_server_max_body=env.whole_number(
                "ACTION_SERVER_MAX_BODY", rasa.action_server_max_body, minimum=10_000
            ),
            action_server_host=env.text("ACTION_SERVER_HOST", rasa.action_server_host),
            action_server_port=action_server_port,
            action_server_url=env.text("ACTION_SERVER_URL", f"http://127.0.0.1:{action_server_port}/webhook"),
            tracker_store_url=env.text("TRACKER_STORE_URL"),
            lock_store_url=env.text("LOCK_STORE_URL"),
            lock_store_key_prefix=env.text("LOCK_STORE_KEY_PREFIX", rasa.lock_store_key_prefix),
            endpoints=env.optional_path("RASA_ENDPOINTS"),
            sanic_workers=env.whole_number("SANIC_WORKERS", rasa.sanic_workers, minimum=1),
            sanic_request_max_size=env.whole_number("SANIC_REQUEST_MAX_SIZE", rasa.sanic_request_max_size, 1),
            sanic_backlog=env.whole_number("SANIC_BACKLOG", rasa.sanic_backlog, minimum=1),
        ),
        messages=MessageSettings(max_chars=env.whole_number("MAX_MESSAGE_CHARS", MessageSettings.max_chars)),
        limits=RateLimits(
            messages_per_minute_per_sender=env.whole_number(
                "MESSAGES_PER_MINUTE_PER_SENDER", limits.messages_per_minute_per_sender
            ),
            messages_per_minute_per_address=env.whole_number(
                "MESSAGES_PER_MINUTE_PER_ADDRESS", limits.messages_per_minute_per_address
            ),
            tickets_per_hour_per_sender=env.whole_number(
                "TICKETS_PER_HOUR_PER_SENDER", limits.tickets_per_hour_per_sender
            ),
            tickets_per_hour_per_address=env.whole_number(
                "TICKETS_PER_HOUR_PER_ADDRESS", limits.tickets_per_hour_per_address
            ),
            status_failures_per_hour_per_sender=env.whole_number(
                "STATUS_FAILURES_PER_HOUR_PER_SENDER", limits.status_failures_per_hour_per_sender
            ),
            status_failures_per_hour_per_address=env.whole_number(
                "STATUS_FAILURES_PER_HOUR_PER_ADDRESS", limits.status_failures_per_hour_per_address
            ),
            trust_proxy=env.flag("TRUST_PROXY"),
            exempt=env.networks("RATE_LIMIT_EXEMPT_ADDRESSES"),
        ),
        outbox=OutboxSettings(drain_seconds=env.number("OUTBOX_DRAIN_SECONDS", OutboxSettings.drain_seconds)),
        mail=MailSettings(
            smtp_url=env.text("SMTP_URL"),
            sender=env.text("MAIL_FROM", MailSettings.sender),
            reply_to=env.text("MAIL_REPLY_TO"),
            send_seconds=env.number("MAIL_SEND_SECONDS", MailSettings.send_seconds),
            catcher_port=env.whole_number("MAIL_CATCHER_PORT", MailSettings.catcher_port, minimum=1),
            inbound_port=env.whole_number("MAIL_INBOUND_PORT", MailSettings.inbound_port, minimum=1),
            attachment_max_bytes=env.whole_number(
                "MAIL_ATTACHMENT_MAX_BYTES", MailSettings.attachment_max_bytes, minimum=1
            ),
            attachment_types=tuple(
                kind.strip().lower()
                for kind in env.text("MAIL_ATTACHMENT_TYPES", ",".join(MailSettings.attachment_types)).split(",")
                if kind.strip()
            ),
        ),
        retention=RetentionSettings(
            transcript_days=env.whole_number("TRANSCRIPT_RETENTION_DAYS", RetentionSettings.transcript_days, minimum=1)
        ),
    )


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def expand_variables(text: str, environ: Mapping[str, str] | None = None) -> str:
    """`${NAME}` replaced by the variable's value (empty when unset), as Rasa reads an endpoints file."""
    values = os.environ if environ is None else environ
    return _VARIABLE.sub(lambda match: values.get(match.group(1), ""), text)


def pass_to_rasa(**variables: str) -> None:
    """Variables Rasa or Sanic read themselves, given to them in this process unless the operator set them."""
    for name, value in variables.items():
        os.environ.setdefault(name, value)


def child_environment(**extra: str) -> dict[str, str]:
    """This process's environment with `extra` on top, for a child process (training from the console)."""
    return {**os.environ, **extra}
