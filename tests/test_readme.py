"""The README's examples run as tests, and it opens with the two commands."""

from __future__ import annotations

import gc
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text()) if lang == language]


def test_readme_opens_with_the_serve_and_test_commands() -> None:
    first = BLOCK.search(README.read_text())
    assert first is not None
    commands = [line for line in first.group(2).splitlines() if line.strip()]
    assert len(commands) == 2
    assert "fake-tasks serve" in commands[0]
    assert "pytest" in commands[1]


EXAMPLES = [body for body in blocks("python") if "def test_" in body]


@pytest.mark.parametrize("source", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_readme_example_passes(pytester: pytest.Pytester, source: str) -> None:
    collect_earlier_garbage()
    pytester.makepyfile(source)
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "-W",
        "error",
        "-W",
        "ignore::elasticsearch.exceptions.GeneralAvailabilityWarning",
    )
    tests = len(re.findall(r"^\s*def test_", source, re.MULTILINE))  # unittest methods too
    result.assert_outcomes(passed=tests)


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 2


SHELL = blocks("sh")


@pytest.mark.parametrize("script", SHELL, ids=[f"shell{i}" for i in range(len(SHELL))])
def test_readme_shell_example_runs(script: str, tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        pytest.skip("the shell example uses curl")
    bin_dir = str(Path(sys.executable).parent)  # where `fake-tasks` is installed
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_has_a_shell_example() -> None:
    assert len(SHELL) >= 1


def collect_earlier_garbage() -> None:
    """Finalize what earlier tests left for the cyclic collector (an unclosed client's socket)
    now, not inside the example's `-W error` session, where its ResourceWarning would fail an
    example that did nothing wrong."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook
