"""The layers only reach down: models know nothing of the rest, renderers never reach a
driver or the server, drivers never reach the API's collections, renderers or server, and
the client stands alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import deltacloud

ROOT = Path(deltacloud.__file__).parent

# layer -> the deltacloud packages it must not import
FORBIDDEN = {
    "models": {"collections", "drivers", "render", "server", "settings", "cli"},
    "render": {"drivers", "server", "settings", "cli"},
    "drivers": {"collections", "render", "server", "cli"},
    "collections": {"render", "server", "cli"},
    # The client talks to a server over HTTP and nothing else: it stands alone.
    "client": {"collections", "drivers", "models", "render", "server", "settings", "cli",
               "errors", "text"},
}


def imported(path: Path) -> set[str]:
    """The deltacloud packages a module imports (`deltacloud.X...` -> X), lazily or not."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "deltacloud" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    modules = sorted((ROOT / layer).rglob("*.py"))
    assert modules
    wrong = {str(m.relative_to(ROOT)): sorted(imported(m) & FORBIDDEN[layer]) for m in modules}
    assert {m: w for m, w in wrong.items() if w} == {}


def test_the_check_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n"
                      "    from deltacloud.server.api import X\n"
                      "    import deltacloud.render\n")
    assert imported(module) == {"server", "render"}
