"""The package is layered: each module imports only from its own layer or the layers below, with no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
# Bottom to top. The four base modules serve every layer; the public face sits on top of everything.
LAYERS = ["errors settings files resources", "text", "corpus", "question", "index", "retrieval", "answering",
          "evaluation", "serving", "cli __init__ __main__"]
FLOOR = {name: floor for floor, names in enumerate(LAYERS) for name in names.split()}


def _modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, path: Path) -> set[str]:
    """Every assistant module `name` imports, at the top or inside a function (TYPE_CHECKING included)."""
    package = name.split(".")[:-1]  # a package's __init__ resolves relative imports from the package
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if target.startswith("assistant"):
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("assistant"))
    return found


def _floor(module: str) -> int:
    parts = module.split(".")
    return FLOOR[parts[1]] if len(parts) > 1 else FLOOR["__init__"]


MODULES = _modules()
IMPORTS = {name: _imports(name, path) for name, path in MODULES.items()}
GRAPH = {name: {t for t in targets if t in MODULES or t + ".__init__" in MODULES} for name, targets in IMPORTS.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_import_of_the_package_resolves(module):
    # "from .x import y" (a module) or "from . import x" / "from .pkg import name" (a name in a package).
    missing = sorted(t for t in IMPORTS[module] if t not in MODULES and t + ".__init__" not in MODULES
                     and t.rpartition(".")[0] + ".__init__" not in MODULES and t.rpartition(".")[0] not in MODULES)
    assert not missing, f"{module} imports modules that do not exist: {missing}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_only_from_its_layer_or_below(module):
    upward = sorted(t for t in GRAPH[module] if _floor(t) > _floor(module))
    assert not upward, f"{module} imports from a higher layer: {upward}"


def test_no_import_cycles():
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in GRAPH.get(node, ()):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " → ".join([*trail[trail.index(target):], target]))
            if target in GRAPH and not state.get(target):
                visit(target, [*trail, target])
        state[node] = 2

    for module in sorted(GRAPH):
        if not state.get(module):
            visit(module, [module])


def test_every_module_has_a_layer_and_stays_readable():
    for name, path in MODULES.items():
        _floor(name)  # a KeyError names a module outside every layer
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 420, f"{name} is over ~400 lines; split it"
