"""The README's Layout table stays true to the tree: every package of bot/ is in it, and every path it names exists.

The table is the rows of the first Markdown table after the heading `## Layout`. A row's first cell names the paths
the row is about, each a code span (`bot/tickets/`); the other cells say what they hold.

A folder D is mentioned when either
- a row's first cell has the code span `D/` (a row of its own: `bot/console/saved_replies/`), or
- a row's first cell has the code span `A/` and another cell of that row has the code span `R/`, with D = A/R
  (the row `bot/console/` naming `templates/` would mention `bot/console/templates/`).

The folders that must be mentioned: `actions/`, every folder under bot/ that holds a Python file itself, and every
direct sub-folder of bot/console/ (the areas, and `static/`, `templates/`, `translations/`, which hold no Python).
Left out, as not packages: `__pycache__` (byte code), bot/migrations/versions/ (Alembic's revision scripts, loaded
from the folder; no `__init__.py`, imported by no module; the bot/migrations/ row names it), and the folders inside
bot/console/templates/ and bot/console/translations/ (one template folder per area, and gettext's fixed
`fr/LC_MESSAGES/` layout: their parent's row covers them).

A path the table names must exist: a code span that starts with `bot/` or `actions/`, from the project root; and a
relative path (`views.py`, `fr/LC_MESSAGES/messages.po`, `errors/`) in a row whose first cell names folders under
bot/ or actions/, somewhere inside one of those folders (`charts.py` in the row `bot/console/` may be
bot/console/dashboard/charts.py) or else from the project root (`knowledge/`). A code span is a path when it has
no space and ends in `/` or in a suffix of PATH_SUFFIXES; a name ending in `/` is a folder, any other a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT

PATH_SUFFIXES = {".py", ".po", ".mo", ".pot", ".cfg", ".html", ".css", ".js", ".yml", ".yaml", ".json", ".txt"}
CODE_SPAN = re.compile(r"`([^`]+)`")
PATH = re.compile(r"^[\w.-]+(?:/[\w.-]+)*/?$")
ROOTS = ("bot/", "actions/")


@dataclass(frozen=True)
class Row:
    paths: tuple[str, ...]  # the code spans of the first cell
    spans: tuple[str, ...]  # the code spans of the other cells


def layout_rows(readme: str) -> list[Row]:
    """The rows of the first table after `## Layout`, header and separator left out."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    rows = []
    for line in lines[2:]:
        first, _, rest = line.strip("|").partition("|")
        rows.append(Row(tuple(CODE_SPAN.findall(first)), tuple(CODE_SPAN.findall(rest))))
    return rows


def is_path(span: str) -> bool:
    return bool(PATH.match(span)) and (span.endswith("/") or Path(span).suffix in PATH_SUFFIXES)


def required_folders(root: Path) -> set[str]:
    """The folders the table must mention, as `bot/console/api/` (see the module docstring for which and why)."""
    folders = {"actions/"} if (root / "actions").is_dir() else set()
    for path in (root / "bot").rglob("*.py"):
        folder = path.parent.relative_to(root)
        if "__pycache__" not in folder.parts and folder.as_posix() not in ("bot", "bot/migrations/versions"):
            folders.add(f"{folder.as_posix()}/")
    console = root / "bot" / "console"
    if console.is_dir():
        folders |= {f"bot/console/{d.name}/" for d in console.iterdir() if d.is_dir() and d.name != "__pycache__"}
    return folders


def mentioned_folders(rows: list[Row]) -> set[str]:
    mentioned = set()
    for row in rows:
        for path in row.paths:
            if path.endswith("/"):
                mentioned.add(path)
                mentioned |= {path + span for span in row.spans if span.endswith("/") and is_path(span)}
    return mentioned


def exists(root: Path, path: str) -> bool:
    return (root / path).is_dir() if path.endswith("/") else (root / path).is_file()


def missing_paths(root: Path, rows: list[Row]) -> list[str]:
    """The paths the table names that do not exist, each with the row's first cell for a relative one."""
    missing = []
    for row in rows:
        for span in (*row.paths, *row.spans):
            if span.startswith(ROOTS) and is_path(span) and not exists(root, span):
                missing.append(span)
        folders = [p for p in row.paths if p.startswith(ROOTS) and p.endswith("/") and (root / p).is_dir()]
        if not folders:
            continue
        for span in row.spans:
            if span.startswith(ROOTS) or not is_path(span):
                continue
            name = span.rstrip("/")
            found = any(
                candidate.is_dir() == span.endswith("/") and "__pycache__" not in candidate.parts
                for folder in folders
                for candidate in (root / folder).rglob(name)
            )
            if not found and not exists(root, span):  # a folder of the project, such as `knowledge/`
                missing.append(f"{span} (in the row {', '.join(row.paths)})")
    return sorted(set(missing))


def readme_rows() -> list[Row]:
    return layout_rows((PROJECT_ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_layout_table_mentions_every_package() -> None:
    rows = readme_rows()
    assert len(rows) > 10 and any(row.paths == ("bot/console/",) for row in rows)
    unmentioned = sorted(required_folders(PROJECT_ROOT) - mentioned_folders(rows))
    assert not unmentioned, "add these folders to the Layout table of README.md:\n" + "\n".join(unmentioned)


def test_every_path_the_layout_table_names_exists() -> None:
    missing = missing_paths(PROJECT_ROOT, readme_rows())
    assert not missing, "the Layout table of README.md names paths that do not exist:\n" + "\n".join(missing)


def test_the_checks_find_a_missing_folder_and_a_stale_path(tmp_path: Path) -> None:
    """The checks are not vacuous: a fake tree and table with one of each problem, and what is fine beside them."""
    for name in (
        "bot/__init__.py",
        "bot/shop/__init__.py",
        "bot/shop/views.py",
        "bot/shop/carts/__init__.py",
        "bot/console/__init__.py",
        "bot/console/area/views.py",
        "bot/console/static/site.css",
        "bot/console/templates/area/page.html",
        "bot/console/translations/fr/messages.po",
        "bot/migrations/versions/0001_start.py",
        "bot/shop/__pycache__/views.cpython-310.pyc",
        "actions/__init__.py",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    readme = (
        "# Shop\n\n## Layout\nIntro.\n\n| path | holds |\n|---|---|\n"
        "| `bot/shop/` | the shop (`views.py`, `basket.py`), run by `make shop` |\n"
        "| `bot/console/` | areas: `area/`, styles in `static/`, pages in `templates/` (`page.html`) |\n"
        "| `bot/gone.py` | gone |\n"
        "| `actions/` | actions |\n\n## Next\n| `bot/later/` | not the Layout table |\n"
    )
    rows = layout_rows(readme)
    assert sorted(required_folders(tmp_path) - mentioned_folders(rows)) == [
        "bot/console/translations/",
        "bot/shop/carts/",
    ]
    assert missing_paths(tmp_path, rows) == ["basket.py (in the row bot/shop/)", "bot/gone.py"]
