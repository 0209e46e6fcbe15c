"""The public API: `__all__`, its lazy homes in `fake_tasks/__init__.py`, what importing loads."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import types

import pytest

import fake_tasks

HEAVY = ("faker", "jsonschema", "pytest_httpserver", "werkzeug", "fake_tasks.rest.app")


def type_checking_imports() -> dict[str, str]:
    """Name → module of the imports under `if typing.TYPE_CHECKING:` in `__init__.py`."""
    tree = ast.parse(inspect.getsource(fake_tasks))
    guarded = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "typing.TYPE_CHECKING"
    ]
    assert len(guarded) == 1
    return {
        alias.asname or alias.name: node.module
        for node in ast.walk(guarded[0])
        if isinstance(node, ast.ImportFrom) and node.module is not None
        for alias in node.names
    }


def test_all_is_sorted() -> None:
    assert fake_tasks.__all__ == sorted(fake_tasks.__all__)


def test_all_matches_the_type_checking_imports_and_the_lazy_homes() -> None:
    imported = type_checking_imports()
    assert fake_tasks.__all__ == sorted(imported)
    assert imported == fake_tasks._HOMES


def test_every_public_name_is_defined() -> None:
    for name in fake_tasks.__all__:
        assert getattr(fake_tasks, name).__module__.startswith("fake_tasks."), name


def test_no_other_public_names_once_loaded() -> None:
    for name in fake_tasks.__all__:
        getattr(fake_tasks, name)
    public = sorted(
        name
        for name, value in vars(fake_tasks).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    )
    assert public == fake_tasks.__all__
    assert set(fake_tasks.__all__) <= set(dir(fake_tasks))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        fake_tasks.Nope  # noqa: B018


def loaded_after(statement: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after running `statement`."""
    code = f"import sys; {statement}; print(*sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.split()


@pytest.mark.parametrize("statement", ["import fake_tasks", "import fake_tasks.plugin"])
def test_importing_loads_nothing_heavy(statement: str) -> None:
    assert loaded_after(statement) == []


def test_first_use_loads_only_its_module() -> None:
    assert loaded_after("from fake_tasks import TaskId, EsError") == []
    # generating reads faker's word list without importing faker
    assert loaded_after("from fake_tasks import FakeTasks; FakeTasks()") == []


SERVE = """
import contextlib, io, sys, threading, urllib.request
from fake_tasks import cli

args = cli.build_parser().parse_args(["serve", "--port", "0"])
ready, stop, out = threading.Event(), threading.Event(), io.StringIO()
with contextlib.redirect_stdout(out):
    worker = threading.Thread(target=cli.serve, args=(args,), kwargs={"ready": ready, "stop": stop})
    worker.start()
    assert ready.wait(60)
url = out.getvalue().split()[-1]
with urllib.request.urlopen(url + "/_tasks", timeout=30) as response:
    assert response.status == 200
stop.set()
worker.join(30)
"""


def test_serve_answers_without_pytest_httpserver_jsonschema_or_faker() -> None:
    loaded = loaded_after(f"exec({SERVE!r})")
    assert loaded == sorted(["fake_tasks.rest.app", "werkzeug"])
