"""Packages import downward only: each package of bot/ (and `actions`) sits in a layer and imports lower layers only.

A layer is a promise about what a package may lean on: a lower package never learns of a higher one, and the
packages of one layer stay independent of each other. Every import counts, also one inside a function or under
`if TYPE_CHECKING:`, as in tests/unit/test_import_cycles.py: a hidden import ties the two packages all the same.
A module at the top of bot/ (bot/settings.py, bot/database.py, bot/cli.py) is its own package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests.support.imports import imports_of, module_files

# Lowest first; a package imports only packages of lower layers (and itself).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("settings", "database", "text"),  # the environment, the one database handle, pure text helpers: need nothing
    ("var", "mail", "accounts"),  # the private var folder, e-mail, staff accounts: each stands on the base alone
    ("knowledge",),  # the knowledge base and its records, written by staff accounts
    ("training", "tickets"),  # the model trained from the knowledge base; tickets, which cite articles and mail
    ("rasa_server",),  # what runs in Rasa: the model, the knowledge base and the ticket limits it guards with
    ("conversations", "dashboard", "actions", "migrations"),  # readers and writers over all the stores
    ("console",),  # the staff console and widget page: every store, the dashboard, the transcripts
    ("cli",),  # the `helpdesk` command starts everything
)

LAYER_OF: dict[str, int] = {package: number for number, layer in enumerate(LAYERS, 1) for package in layer}


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    importer: str
    imported: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.importer} (layer {LAYER_OF[self.importer]}) imports "
            f"{self.imported} (layer {LAYER_OF[self.imported]})"
        )


def packages(root: Path) -> set[str]:
    """The packages of bot/ (sub-folders with Python files, top-level modules) and `actions`."""
    found = {"actions"} if (root / "actions").is_dir() else set()
    for entry in (root / "bot").iterdir():
        if entry.is_dir() and entry.name != "__pycache__" and any(entry.rglob("*.py")):
            found.add(entry.name)
        elif entry.suffix == ".py" and entry.name != "__init__.py":
            found.add(entry.stem)
    return found


def package_of(dotted: str, known: set[str]) -> str | None:
    """The package a dotted module name belongs to, or None outside the project (or a name of `bot` itself)."""
    parts = dotted.split(".")
    if parts[0] == "actions":
        return "actions"
    if parts[0] == "bot" and len(parts) > 1 and parts[1] in known:
        return parts[1]
    return None


def violations(root: Path) -> list[Violation]:
    """Every import, anywhere in a file, of a package in the same or a higher layer than the importing package."""
    known = packages(root)
    modules = module_files(root)
    found = []
    for module, path in modules.items():
        importer = package_of(module, known)
        if importer is None or importer not in LAYER_OF:
            continue  # bot/__init__.py; an unplaced package fails test_every_package_has_a_layer
        for name, line in imports_of(module, path, modules):
            target = package_of(name, known)
            if target is None or target == importer or target not in LAYER_OF:
                continue
            if LAYER_OF[target] >= LAYER_OF[importer]:
                found.append(Violation(path.relative_to(root), line, importer, target))
    return sorted(set(found), key=lambda v: (str(v.path), v.line, v.imported))


def test_every_package_has_a_layer() -> None:
    """A new package must be placed, and a package that went must leave the list, so the order stays true."""
    existing = packages(PROJECT_ROOT)
    assert {"settings", "tickets", "console", "actions"} <= existing
    assert sorted(existing - LAYER_OF.keys()) == [], "place these packages in LAYERS"
    assert sorted(LAYER_OF.keys() - existing) == [], "these packages in LAYERS no longer exist"


def test_packages_import_lower_layers_only() -> None:
    found = violations(PROJECT_ROOT)
    assert not found, "imports against the layer order:\n" + "\n".join(map(str, found))


def test_the_check_finds_an_upward_import_at_the_top_and_one_inside_a_function(tmp_path: Path) -> None:
    """The check is not vacuous: a fake tree with one upward import of each kind, and allowed ones beside them."""
    files = {
        "bot/__init__.py": "",
        "bot/settings.py": "",
        "bot/text/__init__.py": "",
        "bot/text/words.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.database import Db\n",
        "bot/database.py": "",
        "bot/tickets/__init__.py": "from . import store\nfrom bot import settings\n",  # itself, downward: allowed
        "bot/tickets/store.py": "from ..text import words\n\ndef f():\n    import bot.console.views\n",
        "bot/console/__init__.py": "",
        "bot/console/views.py": "from bot.tickets.store import f\n",  # downward: allowed
        "actions/__init__.py": "",
        "actions/a.py": "from bot.conversations import x\n",  # the same layer
        "bot/conversations/__init__.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert [str(v) for v in violations(tmp_path)] == [
        "actions/a.py:1: actions (layer 6) imports conversations (layer 6)",
        "bot/text/words.py:3: text (layer 1) imports database (layer 1)",
        "bot/tickets/store.py:4: tickets (layer 4) imports console (layer 7)",
    ]
