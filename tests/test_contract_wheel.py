"""The schemas ship in the wheel and load from it through importlib.resources.

Builds the project's wheel with pip (about 2-3 s: `--no-build-isolation` when hatchling is
installed, else pip fetches the build backend into an isolated environment), so this is the
slowest test of the contract set.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fake_tasks.contract import schemas as contract
from fake_tasks.contract.control import CONTROL_SCHEMAS

ROOT = Path(__file__).resolve().parents[1]
SOURCE_SCHEMAS = ROOT / "fake_tasks" / "schemas"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)]
    if importlib.util.find_spec("hatchling") is not None:
        command.insert(-1, "--no-build-isolation")
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    [built] = out.glob("fake_tasks-*.whl")
    return built


def test_the_wheel_holds_every_schema_and_py_typed(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        every = [n.removeprefix("fake_tasks/schemas/") for n in names]
        shipped = sorted(n for n in every if n.endswith(".json") and "/" not in n)
        assert shipped == contract.schema_names()
        control = sorted(n.removeprefix("control/") for n in every if n.startswith("control/"))
        assert control == sorted(CONTROL_SCHEMAS)
        assert len(shipped) == len(list(SOURCE_SCHEMAS.glob("*.json")))
        for name in shipped:
            data = archive.read(f"fake_tasks/schemas/{name}")
            assert data == (SOURCE_SCHEMAS / name).read_bytes(), name
        assert "fake_tasks/py.typed" in names


def test_the_installed_wheel_reads_its_schemas(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
    script = (
        "import json, fake_tasks, fake_tasks.contract.schemas as c\n"
        "print(json.dumps([fake_tasks.__file__, c.schema_names(),"
        " [str(v) for v in c.check_response('tasks.list', 200, {'nodes': {}, 'tasks': []})]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": ""},
        cwd=tmp_path,  # not the checkout: `-c` puts the working directory first on sys.path
    )
    where, names, violations = json.loads(done.stdout)
    assert where.startswith(str(tmp_path))
    assert names == contract.schema_names()
    assert violations  # both keys: the shipped schemas really validate


def test_the_plain_schema_copy_matches_the_package() -> None:
    """`schemas/` at the repository root, for other languages, is the package's copy."""
    plain = ROOT / "schemas"
    if not plain.is_dir():
        pytest.skip("no top-level schemas/ copy")
    assert sorted(p.name for p in plain.glob("*.json")) == contract.schema_names()
    for path in plain.glob("*.json"):
        assert path.read_bytes() == (SOURCE_SCHEMAS / path.name).read_bytes(), path.name
