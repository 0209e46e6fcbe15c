"""`bench/run.py` in its quickest mode on tiny sizes: every row of the table written (not timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / "bench" / "run.py"
ROWS = [
    "get_ratio",
    "list_big",
    "cancel_big",
    "spawn_big",
    "rss_big",
    "rss_growth",
    "fixture_empty",
    "fixture_list",
    "plugin_session",
    "spawn_default",
    "list_default",
    "reset_ratio",
]
TINY = [
    "--quick",
    *("--small", "20", "--big", "60", "--rounds", "1", "--lists", "3", "--growth", "5"),
    *("--tests", "2", "--sessions", "1", "--plugin-sessions", "1", "--spawns", "1"),
    *("--budget", "60"),
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, dict[str, float]]]:
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [
            sys.executable,
            str(RUN),
            *TINY,
            "--out",
            str(out / "b.md"),
            "--json",
            str(out / "b.json"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        # faker's own pytest plugin costs each measured pytest session a second here
        env={**os.environ, "PYTEST_ADDOPTS": "-p no:faker"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return (out / "b.md").read_text(), json.loads((out / "b.json").read_text())


def test_every_row_is_measured(run: tuple[str, dict[str, dict[str, float]]]) -> None:
    text, figures = run
    assert sorted(figures) == sorted(ROWS)
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == 1 + len(ROWS)  # the header, then one line per row, in the order
    assert "not measured" not in text
    for figure in figures.values():
        assert isinstance(figure["reached"], bool)
        assert len(figure) >= 3  # reached and at least two figures


RATIOS = {
    "get_ratio": ("big_s", "small_s"),
    "list_default": ("fake_s", "base_s"),
    "spawn_default": ("fake_s", "hello_s"),
    "fixture_empty": ("fake_s", "bare_s"),
    "fixture_list": ("fake_s", "bare_s"),
}


@pytest.mark.parametrize("key", sorted(RATIOS))
def test_ratios_divide_figures_of_the_same_run(
    run: tuple[str, dict[str, dict[str, float]]], key: str
) -> None:
    values = run[1][key]
    top, bottom = RATIOS[key]
    assert values[top] > 0
    assert values[bottom] > 0
    assert values["ratio"] == pytest.approx(values[top] / values[bottom])


def test_counted_rows_send_what_they_say(run: tuple[str, dict[str, dict[str, float]]]) -> None:
    figures = run[1]
    assert figures["rss_big"]["lists"] == 3
    assert figures["rss_growth"]["requests"] == 5
    assert figures["rss_big"]["peak_mib"] >= figures["rss_big"]["start_mib"] > 5


def test_the_page_names_the_machine_and_the_sizes(
    run: tuple[str, dict[str, dict[str, float]]],
) -> None:
    text, _ = run
    assert "## Machine" in text
    assert "logical cores" in text
    assert "Python 3." in text
    assert "big=60" in text
    assert "IQR" in text
