"""The package's layers: imports point down, no circles, the pure layers never import werkzeug."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fake_tasks"

# Lower numbers are lower layers; a module may import its own folder or any lower layer.
LAYERS = {
    "errors": 0,
    "spec": 0,
    "versions": 0,
    "cluster": 1,
    "contract": 1,
    "actions": 2,
    "scripting": 3,
    "rest": 4,
    "tls": 0,
    "server": 5,
    "plugin": 6,
    "serve": 6,
    "outside": 6,
    "record": 6,
    "cli": 7,
    "__init__": 8,
    "__main__": 8,
}
PURE = ("errors", "spec", "versions", "cluster", "contract", "actions")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module this file imports, at any level (TYPE_CHECKING and function bodies too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {
    name: {m for m in imports(path) if m in MODULES and m != name} for name, path in MODULES.items()
}


def layer(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def test_every_module_belongs_to_a_layer() -> None:
    assert {layer(m) for m in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module: str) -> None:
    here = layer(module)
    upward = [
        m
        for m in GRAPH[module]
        if layer(m) != here and LAYERS[layer(m)] >= LAYERS[here] and m != "fake_tasks"
    ]
    assert upward == []


def test_no_import_circles() -> None:
    # Package __init__ modules are left out: importing a submodule runs its parents implicitly.
    graph = {m: {d for d in deps if d != "fake_tasks"} for m, deps in GRAPH.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for dep in sorted(graph[module]):
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                raise AssertionError("import circle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) in PURE))
def test_pure_layers_never_import_werkzeug(module: str) -> None:
    assert not [m for m in imports(MODULES[module]) if m.split(".")[0] == "werkzeug"]


def test_a_circle_is_found() -> None:
    """The circle check itself fails on a circle (guards against a check that cannot fail)."""
    saved = GRAPH["fake_tasks.spec.base"]
    GRAPH["fake_tasks.spec.base"] = {"fake_tasks.spec"}
    try:
        with pytest.raises(AssertionError, match="import circle"):
            test_no_import_circles()
    finally:
        GRAPH["fake_tasks.spec.base"] = saved
