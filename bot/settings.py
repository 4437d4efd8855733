"""Settings from the environment, loaded once from `.env` by python-dotenv.

Every variable is listed, with its default, in `.env.example`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

PROJECT_ROOT = Path(__file__).resolve().parent.parent

load_dotenv(PROJECT_ROOT / ".env")


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    path = Path(value) if value else default
    return path if path.is_absolute() else PROJECT_ROOT / path


@dataclass(frozen=True)
class Settings:
    database_url: str
    knowledge_dir: Path
    var_dir: Path
    secret_key: str
    admin_email: str | None
    admin_password: str | None
    default_language: str
    reference_prefix: str


def get_settings() -> Settings:
    """Read the settings now, so tests can change the environment between calls."""
    var_dir = _path_from_env("HELPDESK_VAR_DIR", PROJECT_ROOT / "var")
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or f"sqlite:///{var_dir / 'tickets.db'}",
        knowledge_dir=_path_from_env("KNOWLEDGE_DIR", PROJECT_ROOT / "knowledge"),
        var_dir=var_dir,
        secret_key=os.environ.get("CONSOLE_SECRET_KEY") or "",
        admin_email=os.environ.get("CONSOLE_ADMIN_EMAIL") or None,
        admin_password=os.environ.get("CONSOLE_ADMIN_PASSWORD") or None,
        default_language=os.environ.get("DEFAULT_LANGUAGE", "fr"),
        reference_prefix=os.environ.get("TICKET_REFERENCE_PREFIX", "HD"),
    )
