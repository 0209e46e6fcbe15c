"""The README's examples run as tests, and it opens with the two commands."""

from __future__ import annotations

import gc
import re
import warnings
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


def collect_earlier_garbage() -> None:
    """Sockets an earlier test left to the garbage collector warn when collected: collect them
    now, quietly, rather than inside the example's run, whose warnings are errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.mark.parametrize("source", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_readme_example_passes(pytester: pytest.Pytester, source: str) -> None:
    pytester.makepyfile(source)
    collect_earlier_garbage()
    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "-W",
        "error",
        "-W",
        "ignore::elasticsearch.exceptions.GeneralAvailabilityWarning",
    )
    tests = len(re.findall(r"^def test_", source, re.MULTILINE))
    result.assert_outcomes(passed=tests)


def test_readme_has_examples() -> None:
    assert len(EXAMPLES) >= 2
