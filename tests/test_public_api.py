"""The public API is exactly what `fake_tasks/__init__.py` imports, listed sorted in `__all__`."""

from __future__ import annotations

import ast
import inspect
import types

import fake_tasks


def test_all_is_sorted() -> None:
    assert fake_tasks.__all__ == sorted(fake_tasks.__all__)


def test_all_lists_every_public_name() -> None:
    public = sorted(
        name
        for name, value in vars(fake_tasks).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert fake_tasks.__all__ == public


def test_all_matches_the_imports_in_init() -> None:
    tree = ast.parse(inspect.getsource(fake_tasks))
    imported = sorted(
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
    )
    assert fake_tasks.__all__ == imported


def test_every_public_name_is_defined() -> None:
    for name in fake_tasks.__all__:
        assert getattr(fake_tasks, name).__module__.startswith("fake_tasks."), name
