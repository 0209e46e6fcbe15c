"""The pytest plugin: the `fake_tasks` fixture, its marker and options, and teardown checks."""

from __future__ import annotations

import logging
import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported by the fixtures: a session that never asks for one pays nothing
    from fake_tasks.scripting.fake import FakeTasks, Settings
    from fake_tasks.server import FakeTasksServer

MARKER_KEYS = ("seed", "nodes", "tasks", "version", "tick", "security")
# marker kwargs for the teardown checks and the host, not for Settings
CHECK_KEYS = ("allow_unexpected", "allow_violations", "report_rejected", "tls")
# marker kwargs applied after the reset
LOAD_KEYS = ("scenario",)
REPORT_TITLE = "fake-tasks: the cluster at the end of the test"
# the logger `fake_tasks.rest.connection` writes to (not imported: the plugin stays light)
REQUEST_LOGGER = "fake_tasks.requests"

_FAKE = pytest.StashKey["FakeTasks"]()
_REPORTED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fake-tasks", "fake Elasticsearch task API")
    group.addoption(
        "--fake-tasks-seed",
        type=int,
        default=None,
        help="seed of the generated cluster for every test (default 0; a marker overrides it)",
    )
    group.addoption(
        "--fake-tasks-tls",
        action="store_true",
        default=False,
        help="serve every test's fake cluster over HTTPS (as the marker's tls=True does)",
    )
    group.addoption(
        "--fake-tasks-no-report",
        action="store_true",
        default=False,
        help="leave the cluster's task tree and journal out of failed tests' reports",
    )
    group.addoption(
        "--fake-tasks-log-requests",
        action="store_true",
        default=False,
        help=f"log every request the fake answers (INFO records of the {REQUEST_LOGGER!r} logger)",
    )
    parser.addini(
        "fake_tasks_report",
        type="bool",
        default=True,
        help="add the fake cluster's task tree and journal to failed tests' reports",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--fake-tasks-log-requests"):
        logging.getLogger(REQUEST_LOGGER).setLevel(logging.INFO)
    config.addinivalue_line(
        "markers",
        "fake_tasks(seed=None, nodes=None, tasks=None, version=None, tick=None, security=None, "
        "tls=False, allow_unexpected=False, allow_violations=False, report_rejected=False, "
        "scenario=None): configure the fake Elasticsearch cluster of the `fake_tasks` fixture for "
        "this test (version: the Elasticsearch version to emulate; security: True or a Security; "
        "tls: serve it over HTTPS with a throwaway CA; scenario: a scenario file, relative to the "
        "test file, or a shipped scenario's name); allow_unexpected "
        "keeps requests no route matched from failing it, allow_violations responses that break "
        "their JSON Schema (a deliberately invalid scripted body); report_rejected fails the test "
        "on requests the fake refused as invalid (400)",
    )


@pytest.fixture(scope="session")
def fake_tasks_listen_address() -> tuple[str, int]:
    """Where the session's server listens; override to pin a port (default: any free port)."""
    return os.environ.get("FAKE_TASKS_HOST", "127.0.0.1"), int(
        os.environ.get("FAKE_TASKS_PORT", "0")
    )


@pytest.fixture(scope="session")
def fake_tasks_server(fake_tasks_listen_address: tuple[str, int]) -> Iterator[FakeTasksServer]:
    """One fake cluster server per test session (per xdist worker)."""
    from fake_tasks.server import FakeTasksServer

    host, port = fake_tasks_listen_address
    server = FakeTasksServer(host=host, port=port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _settings(request: pytest.FixtureRequest) -> Settings:
    from fake_tasks.scripting.fake import Settings
    from fake_tasks.versions import UnsupportedVersion, parse_version

    values: dict[str, Any] = {}
    seed = request.config.getoption("--fake-tasks-seed")
    if seed is not None:
        values["seed"] = seed
    marker = request.node.get_closest_marker("fake_tasks")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError("@pytest.mark.fake_tasks takes keyword arguments only")
        unknown = sorted(set(marker.kwargs) - {*MARKER_KEYS, *CHECK_KEYS, *LOAD_KEYS})
        if unknown:
            raise pytest.UsageError(
                f"@pytest.mark.fake_tasks got unknown arguments {unknown}; "
                f"known: {[*MARKER_KEYS, *CHECK_KEYS, *LOAD_KEYS]}"
            )
        values.update(
            {k: v for k, v in marker.kwargs.items() if v is not None and k in MARKER_KEYS}
        )
    if "version" in values:
        try:
            parse_version(values["version"])
        except UnsupportedVersion as error:
            raise pytest.UsageError(f"@pytest.mark.fake_tasks(version=...): {error}") from None
    return Settings(**values)


@pytest.fixture(scope="session")
def fake_tasks_tls_server(
    fake_tasks_listen_address: tuple[str, int], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FakeTasksServer]:
    """The session's HTTPS server (started on first use): a throwaway CA signs its certificate."""
    host, _ = fake_tasks_listen_address
    from fake_tasks.server import FakeTasksServer
    from fake_tasks.tls import make_tls

    server = FakeTasksServer(host=host, tls=make_tls(tmp_path_factory.mktemp("fake-tasks-tls")))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_tasks(request: pytest.FixtureRequest) -> Iterator[FakeTasks]:
    """A fresh fake cluster for this test, served at `fake_tasks.url`.

    Over HTTPS with `@pytest.mark.fake_tasks(tls=True)` or `--fake-tasks-tls`: then
    `fake_tasks.ca_certs` and `fake_tasks.fingerprint` let clients verify the server.
    """
    settings = _settings(request)
    marker = request.node.get_closest_marker("fake_tasks")
    tls = request.config.getoption("--fake-tasks-tls") or bool(
        marker is not None and marker.kwargs.get("tls")
    )
    fake_tasks_server: FakeTasksServer = request.getfixturevalue(
        "fake_tasks_tls_server" if tls else "fake_tasks_server"
    )
    fake = fake_tasks_server.fake
    fake.reset(settings)
    _load_scenario(fake, request)
    host = fake_tasks_server.host
    if hasattr(host, "clear_log"):
        host.clear_log()
    request.node.stash[_FAKE] = fake
    yield fake
    __tracebackhide__ = True
    fake.check()
    _check_contract(fake, marker)
    if not (marker is not None and marker.kwargs.get("allow_unexpected")):
        report = fake.journal.unexpected_report()
        if report is not None:
            hint = (
                "Expected? Answer it with a stub, e.g. "
                'fake_tasks.stub("GET", "/_cluster/settings", json={...}), or mark the test '
                "@pytest.mark.fake_tasks(allow_unexpected=True)."
            )
            pytest.fail(f"{report}\n{hint}", pytrace=False)


def _check_contract(fake: FakeTasks, marker: pytest.Mark | None) -> None:
    """Fail on responses that broke their schema and, if asked, on requests refused as invalid."""
    __tracebackhide__ = True
    options = marker.kwargs if marker is not None else {}
    if not options.get("allow_violations"):
        report = fake.contract.violations_report()
        if report is not None:
            hint = (
                "A deliberately invalid scripted body? "
                "Mark the test @pytest.mark.fake_tasks(allow_violations=True)."
            )
            pytest.fail(f"{report}\n{hint}", pytrace=False)
    if options.get("report_rejected"):
        report = fake.contract.rejected_report()
        if report is not None:
            pytest.fail(report, pytrace=False)


def _report_wanted(config: pytest.Config) -> bool:
    if config.getoption("--fake-tasks-no-report"):
        return False
    return bool(config.getini("fake_tasks_report"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The first failing phase of a test that used `fake_tasks` shows the fake as it was."""
    report = yield
    fake = item.stash.get(_FAKE, None)
    if report.failed and fake is not None and not item.stash.get(_REPORTED, False):
        item.stash[_REPORTED] = True
        if _report_wanted(item.config):
            from fake_tasks.scripting.report import failure_report

            report.sections.append((REPORT_TITLE, failure_report(fake)))
    return report


def _load_scenario(fake: FakeTasks, request: pytest.FixtureRequest) -> None:
    """`@pytest.mark.fake_tasks(scenario="scenarios/slow-cancel.yaml")`: a file relative to the
    test file's folder or the rootdir, or the name of a shipped scenario."""
    from fake_tasks.scripting.scenario import ScenarioError

    marker = request.node.get_closest_marker("fake_tasks")
    scenario = marker.kwargs.get("scenario") if marker is not None else None
    if scenario is None:
        return
    source: str | Path = scenario
    if not Path(scenario).is_absolute():
        for base in (request.path.parent, request.config.rootpath):
            if (base / scenario).exists():
                source = base / scenario
                break
    try:
        fake.load_scenario(source)
    except ScenarioError as error:
        raise pytest.UsageError(str(error)) from None
