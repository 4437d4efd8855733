"""Imports run one way: no module of bot/ or actions/ reaches itself again through the modules it imports.

Every import counts, also one inside a function or under `if TYPE_CHECKING:`: an import hidden in a function
is how a cycle is usually papered over, and it still ties the two modules together.
"""

from __future__ import annotations

from pathlib import Path

from bot.settings import PROJECT_ROOT
from tests.support.imports import imports_of, module_files


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = module_files(root)
    return {name: {target for target, _ in imports_of(name, path, modules)} for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_of_the_project_imports_itself_back() -> None:
    graph = import_graph(PROJECT_ROOT)
    assert len(graph) > 50 and graph["bot.rasa_server.guard"] >= {"bot.settings", "bot.rasa_server.message_limits"}
    assert cycles(graph) == []


def test_the_check_finds_a_cycle_hidden_in_a_function_and_one_through_a_package(tmp_path: Path) -> None:
    files = {
        "bot/__init__.py": "",
        "bot/a.py": "from bot.b import thing\n",
        "bot/b.py": "def thing():\n    from bot import a\n    return a\n",
        "bot/shop/__init__.py": "from bot.shop.views import page\n",
        "bot/shop/views.py": "from bot.shop import tokens\npage = 1\n",  # `tokens` is a name in the package
        "bot/c.py": "import bot.a\n",
        "actions/__init__.py": "",
        "actions/d.py": "from .e import x\n",
        "actions/e.py": "from actions.d import y\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = cycles(import_graph(tmp_path))
    assert sorted(found) == [["actions.d", "actions.e"], ["bot.a", "bot.b"], ["bot.shop", "bot.shop.views"]]
