"""`fake-tasks check URL` and `check_cluster`, run against the fake itself."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from fake_tasks import FakeTasks, FakeTasksServer, Fault, Settings, check_cluster
from fake_tasks.cli import main
from fake_tasks.contract.live import MISSING_TASK_ID, NOTHING_MATCHES, basic_auth, parse_header
from fake_tasks.rest import render


@pytest.fixture(scope="module")
def running() -> Iterator[FakeTasksServer]:
    with FakeTasksServer(FakeTasks(Settings(seed=7, nodes=3, tasks=12))) as started:
        yield started


@pytest.fixture
def server(running: FakeTasksServer) -> FakeTasksServer:
    """The module's server with a fresh cluster, no faults, not strict."""
    running.fake.reset()
    running.fake.contract.strict = False
    return running


def test_the_fake_passes_every_probe(server: FakeTasksServer) -> None:
    fake = server.fake
    before = {str(t.task_id): (t.running, t.cancelled) for t in fake.tasks()}
    report = check_cluster(server.url)
    assert report.ok, "\n".join(report.lines())
    sent = [(r.probe.method, r.probe.path, r.status) for r in report.results]
    paths = [path for _, path, _ in sent]
    for grouping in ("/_tasks", "/_tasks?group_by=parents", "/_tasks?group_by=none"):
        assert grouping in paths
    assert any("detailed=true" in path for path in paths)
    assert ("GET", f"/_tasks/{MISSING_TASK_ID}", 404) in sent
    gets = [(p, s) for m, p, s in sent if m == "GET" and p.startswith("/_tasks/")]
    listed = [p for p, s in gets if s == 200]
    assert len(listed) == 1  # the listed task, still running
    assert listed[0].removeprefix("/_tasks/") in before
    assert any(p.endswith(":2147483647") and s == 404 for p, s in gets)
    cancels = [(p, s) for m, p, s in sent if m == "POST"]
    assert cancels
    assert all(NOTHING_MATCHES in p and s == 200 for p, s in cancels)
    # nothing changed: every task still runs, none was cancelled
    after = {str(t.task_id): (t.running, t.cancelled) for t in fake.tasks()}
    assert after == before
    assert fake.journal.count(api="tasks.cancel") == len(cancels)
    assert fake.violations == []


def test_every_request_carries_the_headers(server: FakeTasksServer) -> None:
    check_cluster(server.url, headers={**basic_auth("elastic:s3cret"), "X-Extra": "1"})
    exchanges = list(server.fake.journal)
    assert exchanges
    token = base64.b64encode(b"elastic:s3cret").decode()
    for exchange in exchanges:
        assert exchange.request.header("Authorization") == f"Basic {token}"
        assert exchange.request.header("X-Extra") == "1"
        assert exchange.request.header("X-Opaque-Id") == "fake-tasks-check"


def string_ids(info: Any, *, human: bool = False) -> dict[str, Any]:
    """render.task_info with the id as a string: a violation of task_info.json."""
    body: dict[str, Any] = ORIGINAL_TASK_INFO(info, human=human)
    body["id"] = str(body["id"])
    return body


ORIGINAL_TASK_INFO = render.task_info


def test_a_violation_makes_the_check_fail(
    server: FakeTasksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "task_info", string_ids)
    report = check_cluster(server.url)
    assert not report.ok
    bad = {r.probe.name for r in report.results if not r.ok}
    assert "list (group_by=none)" in bad
    assert "get a missing task" not in bad  # error bodies are unaffected
    [flat] = [r for r in report.results if r.probe.name == "list (group_by=none)"]
    assert flat.schema == "list_response.json"
    assert flat.violations[0].pointer == "/tasks/0/id"
    assert flat.violations[0].rule == "$defs/task/properties/id/type"
    lines = report.lines()
    assert any(
        line.startswith("INVALID list (group_by=none): GET /_tasks?group_by=none") for line in lines
    )
    assert lines[-1].endswith("do not match their contract")


def test_the_cli_exits_1_on_a_mismatch_and_0_otherwise(
    server: FakeTasksServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", server.url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].endswith("match their contract")
    assert "INVALID" not in out
    monkeypatch.setattr(render, "task_info", string_ids)
    assert main(["check", server.url, "-H", "X-Test: yes", "--user", "a:b"]) == 1
    out = capsys.readouterr().out
    assert "INVALID" in out
    assert "/tasks/0/id: '" in out


def test_an_unexpected_status_is_a_mismatch(server: FakeTasksServer) -> None:
    server.fake.inject(Fault.rejected(), api="tasks.list", params={"group_by": "parents"})
    report = check_cluster(server.url)
    bad = [r for r in report.results if not r.ok]
    assert [r.probe.name for r in bad] == ["list (group_by=parents)", "list detailed, human"]
    for result in bad:
        assert result.violations == ()  # a well-formed 429 body, but no answer a list may give
        assert result.problem is not None
        assert result.problem.startswith("status 429, expected 200: es_rejected_execution_exc")


def test_a_body_that_is_not_json_is_a_mismatch(server: FakeTasksServer) -> None:
    server.fake.inject(Fault.malformed(), api="tasks.get")
    report = check_cluster(server.url)
    bad = [r for r in report.results if not r.ok]
    assert bad
    assert all(r.probe.api == "tasks.get" for r in bad)
    assert all(r.problem is not None and r.problem.startswith("body is not JSON") for r in bad)


def test_no_server_is_a_mismatch(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    assert main(["check", url, "--timeout", "2"]) == 1
    out = capsys.readouterr().out
    assert "no response" in out


def test_a_strict_fake_is_caught_by_status(
    server: FakeTasksServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.fake.contract.strict = True
    monkeypatch.setattr(render, "task_info", string_ids)
    report = check_cluster(server.url)
    statuses = {r.status for r in report.results if r.probe.api == "tasks.list"}
    assert statuses == {500}
    assert not report.ok


def test_the_listed_task_may_end_before_the_get(server: FakeTasksServer) -> None:
    """Nothing else to get than the list requests themselves: they end at once, a 404 is fine."""
    for task in server.fake.tasks():
        if task.running:  # finishing a parent finishes its children
            server.fake.finish(task)
    report = check_cluster(server.url)
    assert report.ok, "\n".join(report.lines())
    [listed] = [r for r in report.results if r.probe.name == "get a listed task"]
    assert listed.status == 404


def fake_sender(
    answers: Mapping[str, tuple[int, bytes]],
) -> Any:
    def send(method: str, url: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        path = url.removeprefix("http://es")
        return answers.get(
            path, (404, b'{"error":"no handler found for uri [x] and method [GET]"}')
        )

    return send


def test_a_listing_without_tasks_skips_the_get_probes() -> None:
    empty = (200, b'{"nodes":{}}')
    answers = {"/_tasks": empty, "/_tasks?group_by=parents": (200, b'{"tasks":{}}')}
    answers["/_tasks?group_by=none"] = (200, b'{"tasks":[]}')
    report = check_cluster("http://es", send=fake_sender(answers))
    names = [r.probe.name for r in report.results]
    assert "get a listed task" not in names
    assert "get a made-up id on a real node" not in names
    assert "get a missing task" in names


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Authorization: ApiKey abc", ("Authorization", "ApiKey abc")), ("X-A:b:c", ("X-A", "b:c"))],
)
def test_parse_header(text: str, expected: tuple[str, str]) -> None:
    assert parse_header(text) == expected


def test_a_malformed_header_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "http://127.0.0.1:9", "-H", "no colon"]) == 2
    assert "a header is 'Name: value'" in capsys.readouterr().err
