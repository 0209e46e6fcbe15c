"""Rows about pytest: the fixture's cost per test, and the installed plugin's cost per session."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from common import PYTHON, Deadline, Row, Sizes, Stat, interleaved, ratio_text

INI = """[pytest]
addopts = -p no:cacheprovider
filterwarnings = ignore::elasticsearch.exceptions.GeneralAvailabilityWarning
"""
# Times each test's whole protocol (setup, call, teardown) inside the session: wall time, and
# CPU time of the process (the server's threads included).
CONFTEST = """
import json, os, time
import pytest

TIMES = []

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started, cpu = time.perf_counter(), time.process_time()
    yield
    TIMES.append((time.perf_counter() - started, time.process_time() - cpu))

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


def per_test(folder: Path, test_file: Path) -> list[tuple[float, float]]:
    """Wall and CPU seconds per test in one pytest session over `test_file`, bar the first."""
    times = folder / f"{test_file.stem}.times.json"
    subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:randomly", str(test_file)],
        cwd=folder,
        env={**os.environ, "BENCH_TIMES": str(times)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    samples = [(wall, cpu) for wall, cpu in json.loads(times.read_text())]
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
            (fake_wall, fake_cpu), (bare_wall, bare_cpu) = _sessions(
                folder, fake_file, bare_file, sizes
            )
            ratio = fake_cpu.median / bare_cpu.median
            wall = fake_wall.median / bare_wall.median
            row.measured = f"{ratio_text(ratio)} CPU ({ratio_text(wall)} wall)"
            row.baseline = (
                f"CPU {fake_cpu.text()} vs {bare_cpu.text()}; "
                f"wall {fake_wall.text()} vs {bare_wall.text()} per test"
            )
            row.reached = ratio <= limit
            row.values = {
                "ratio": ratio,
                "fake_s": fake_cpu.median,
                "bare_s": bare_cpu.median,
                "wall_ratio": wall,
            }
        _session_row(folder, sizes, session)
    reset = Row(
        "reset_ratio",
        f"reset of a used cluster ÷ generating it (default and {sizes.big:,} tasks)",
        "1x (every reset generated)",
        "far less (item 5)",
    )
    _reset_row(sizes, reset)
    return [empty, listed, session, reset]


def _reset_row(sizes: Sizes, row: Row) -> None:
    """In process: `FakeTasks.reset` after a scripted change, against generating the cluster."""
    texts = []
    for tasks in (30, sizes.big):
        restored, generated = _reset_vs_generate(tasks, sizes)
        ratio = restored.median / generated.median
        row.values[f"ratio_{tasks}"] = ratio
        texts.append(f"{ratio_text(ratio)} at {tasks:,} tasks")
        row.baseline += f"{tasks:,} tasks: reset {restored.text()} vs generate {generated.text()}; "
    row.measured = ", ".join(texts)
    row.reached = all(v <= 0.5 for v in row.values.values())
    row.notes.append("an unused cluster is not restored at all (the empty-test row)")


def _reset_vs_generate(tasks: int, sizes: Sizes) -> tuple[Stat, Stat]:
    from fake_tasks import FakeTasks, Settings
    from fake_tasks.cluster.generate import generate_cluster

    fake = FakeTasks(Settings(tasks=tasks))
    fake.advance("1s")
    fake.reset()  # generates once and keeps it

    def reset() -> float:
        fake.advance("1s")  # any use: the next reset must restore
        started = time.perf_counter()
        fake.reset()
        return time.perf_counter() - started

    def generate() -> float:
        started = time.perf_counter()
        generate_cluster(0, tasks=tasks)
        return time.perf_counter() - started

    rounds = max(3, min(sizes.rounds * 10, 30_000 // max(tasks, 1)))
    restored, generated = interleaved([reset, generate], rounds, Deadline(sizes.budget / 2))
    return restored, generated


def _sessions(
    folder: Path, fake_file: Path, bare_file: Path, sizes: Sizes
) -> tuple[tuple[Stat, Stat], tuple[Stat, Stat]]:
    """(wall, CPU) per test on each side, over interleaved sessions."""
    fake: list[tuple[float, float]] = []
    bare: list[tuple[float, float]] = []
    deadline = Deadline(sizes.budget)
    for index in range(sizes.sessions):
        runs: list[tuple[list[tuple[float, float]], Path]] = [(fake, fake_file), (bare, bare_file)]
        for samples, test_file in runs if index % 2 == 0 else runs[::-1]:
            samples.extend(per_test(folder, test_file))
        if deadline.spent():
            break
    return (
        (Stat([w for w, _ in fake]), Stat([c for _, c in fake])),
        (Stat([w for w, _ in bare]), Stat([c for _, c in bare])),
    )


def _session_row(folder: Path, sizes: Sizes, row: Row) -> None:
    """Judged on CPU time, as the fixture rows: on a shared machine wall time mostly measures
    the neighbours (a whole session's varies by more than the 30 ms looked for)."""
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
