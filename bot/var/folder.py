"""The var folder and its files, readable by this account only: tickets, transcripts and tokens live there."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """`path` created if missing, and closed to other accounts (it holds partner data and secrets)."""
    path.mkdir(parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != FOLDER_MODE:
        path.chmod(FOLDER_MODE)
    return path


def create_private_once(path: Path, text: str) -> None:
    """`path` with `text` unless it exists: of several processes starting at once, exactly one writes it."""
    temporary = _private_temporary(path, text)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()


def _private_temporary(path: Path, text: str) -> Path:
    private_folder(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(text)
    return temporary


def make_private(path: Path) -> None:
    """An existing file (a database SQLite just created) closed to other accounts."""
    if path.exists() and path.stat().st_mode & 0o777 != FILE_MODE:
        path.chmod(FILE_MODE)


def secure(var_dir: Path) -> None:
    """Every process starts here: what it creates is its account's only (umask), and so is what is already there."""
    os.umask(0o077)
    private_folder(var_dir)
    for path in var_dir.iterdir():
        if path.is_file() and not path.is_symlink():
            make_private(path)
