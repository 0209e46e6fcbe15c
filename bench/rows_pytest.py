"""Rows about pytest: the fixture's cost per test, and the installed plugin's cost per session."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import PYTHON, Deadline, Row, Sizes, Stat, interleaved, ratio_text

INI = """[pytest]
addopts = -p no:cacheprovider
filterwarnings = ignore::elasticsearch.exceptions.GeneralAvailabilityWarning
"""
# Times each test's whole protocol (setup, call, teardown) inside the session.
CONFTEST = """
import json, os, time
import pytest

TIMES = []

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    yield
    TIMES.append(time.perf_counter() - started)

def pytest_sessionfinish(session):
    if "BENCH_TIMES" in os.environ:
        with open(os.environ["BENCH_TIMES"], "w") as out:
            json.dump(TIMES, out)
"""
LIST_FAKE = """
def test_{i}(fake_tasks):
    Elasticsearch(fake_tasks.url).tasks.list()
"""
LIST_BARE = """
def test_{i}(httpserver):
    httpserver.expect_request("/_tasks").respond_with_data(BODY, headers=HEADERS)
    Elasticsearch(httpserver.url_for("/").rstrip("/")).tasks.list()
"""


def recorded_list() -> tuple[bytes, dict[str, str]]:
    """What the fake answers the official client's first `tasks.list()` on the default cluster."""
    from werkzeug.test import Client

    from fake_tasks import FakeTasks
    from fake_tasks.rest.app import App

    accept = "application/vnd.elasticsearch+json; compatible-with=9"
    response = Client(App(FakeTasks())).get("/_tasks", headers={"Accept": accept})
    keep = ("Content-Type", "X-elastic-product")
    return response.get_data(), {k: v for k, v in response.headers.items() if k in keep}


def write_tests(folder: Path, name: str, header: str, body: str, count: int) -> Path:
    path = folder / f"test_{name}.py"
    path.write_text(header + "".join(body.format(i=i) for i in range(count)))
    return path


def per_test(folder: Path, test_file: Path) -> list[float]:
    """Seconds per test in one pytest session over `test_file`, its first test left out."""
    times = folder / f"{test_file.stem}.times.json"
    subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:randomly", str(test_file)],
        cwd=folder,
        env={**os.environ, "BENCH_TIMES": str(times)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    samples: list[float] = json.loads(times.read_text())
    return samples[1:] or samples


def session_seconds(folder: Path, extra: list[str], cpu: list[float]) -> float:
    """Wall seconds of one pytest session; its CPU seconds (user + system) go to `cpu`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "pytest", "-q", *extra, "test_nothing.py"],
        cwd=folder,
        check=True,
        capture_output=True,
        timeout=600,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return elapsed


def pytest_rows(sizes: Sizes) -> list[Row]:
    empty = Row(
        "fixture_empty",
        "empty test with `fake_tasks` ÷ with pytest-httpserver's `httpserver`",
        "3.9x",
        "≤ 1.5x",
    )
    listed = Row(
        "fixture_list",
        "a test doing one `tasks.list()` with the official client ÷ "
        "same against `httpserver` with recorded bytes",
        "1.46x",
        "≤ 1.2x",
    )
    session = Row(
        "plugin_session",
        "a pytest run with no test using the fixture: plugin installed ÷ `-p no:fake_tasks`",
        "1.26x (≈ +0.4 s)",
        "≤ +30 ms",
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "pytest.ini").write_text(INI)
        (folder / "conftest.py").write_text(CONFTEST)
        (folder / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
        body, headers = recorded_list()
        (folder / "list.json").write_bytes(body)
        client = "from elasticsearch import Elasticsearch\n"
        bare = (
            client
            + f"BODY = open({str(folder / 'list.json')!r}, 'rb').read()\nHEADERS = {headers!r}\n"
        )
        n = sizes.tests
        fixture = "def test_{i}(fake_tasks):\n    pass\n"
        pairs = {
            "empty": (
                write_tests(folder, "empty_fake", "", fixture, n),
                write_tests(folder, "empty_bare", "", "def test_{i}(httpserver):\n    pass\n", n),
            ),
            "list": (
                write_tests(folder, "list_fake", client, LIST_FAKE, n),
                write_tests(folder, "list_bare", bare, LIST_BARE, n),
            ),
        }
        for key, row, limit in (("empty", empty, 1.5), ("list", listed, 1.2)):
            fake_file, bare_file = pairs[key]
            fake_s, bare_s = _sessions(folder, fake_file, bare_file, sizes)
            ratio = fake_s.median / bare_s.median
            row.measured = ratio_text(ratio)
            row.baseline = f"{fake_s.text()} vs {bare_s.text()} per test"
            row.reached = ratio <= limit
            row.values = {"ratio": ratio, "fake_s": fake_s.median, "bare_s": bare_s.median}
        _session_row(folder, sizes, session)
    return [empty, listed, session]


def _sessions(folder: Path, fake_file: Path, bare_file: Path, sizes: Sizes) -> tuple[Stat, Stat]:
    fake: list[float] = []
    bare: list[float] = []
    deadline = Deadline(sizes.budget)
    for index in range(sizes.sessions):
        runs: list[tuple[list[float], Callable[[], list[float]]]] = [
            (fake, lambda: per_test(folder, fake_file)),
            (bare, lambda: per_test(folder, bare_file)),
        ]
        for samples, run in runs if index % 2 == 0 else runs[::-1]:
            samples.extend(run())
        if deadline.spent():
            break
    return Stat(fake), Stat(bare)


def _session_row(folder: Path, sizes: Sizes, row: Row) -> None:
    """Judged on CPU time: a whole session's wall time on a shared machine varies by more than
    the 30 ms looked for; CPU time of the child process does not count other processes' work."""
    cpu_with: list[float] = []
    cpu_without: list[float] = []
    cpu_bare: list[float] = []
    with_plugin, without, _ = interleaved(
        [
            lambda: session_seconds(folder, [], cpu_with),
            lambda: session_seconds(folder, ["-p", "no:fake_tasks"], cpu_without),
            lambda: session_seconds(folder, ["-p", "no:fake_tasks", "-p", "no:faker"], cpu_bare),
        ],
        sizes.plugin_sessions,
        Deadline(sizes.budget),
    )
    cpu = Stat(cpu_with).median - Stat(cpu_without).median
    wall = with_plugin.median - without.median
    row.measured = f"{cpu * 1000:+.0f} ms CPU ({wall * 1000:+.0f} ms wall)"
    row.baseline = (
        f"CPU {Stat(cpu_with).text()} vs {Stat(cpu_without).text()}; "
        f"wall {with_plugin.text()} vs {without.text()} per session"
    )
    row.reached = cpu <= 0.030
    faker = Stat(cpu_without).median - Stat(cpu_bare).median
    row.notes.append(
        f"faker, a dependency, brings its own pytest plugin: {faker * 1000:+.0f} ms CPU per "
        f"session on top (`-p no:faker`: {Stat(cpu_bare).text()})"
    )
    alone = Stat([plugin_import_cpu() for _ in range(sizes.plugin_sessions)])
    row.notes.append(f"importing the plugin alone (pytest already loaded): {alone.text()} CPU")
    row.values = {
        "extra_cpu_s": cpu,
        "extra_wall_s": wall,
        "without_s": without.median,
        "import_cpu_s": alone.median,
        "faker_plugin_cpu_s": faker,
    }


def plugin_import_cpu() -> float:
    """CPU seconds a fresh interpreter that has imported pytest spends importing the plugin."""
    code = (
        "import time, pytest; started = time.process_time(); import fake_tasks.plugin; "
        "print(time.process_time() - started)"
    )
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout)
