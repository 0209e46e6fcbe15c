"""The real `fake-tasks serve --port 0` process, scripted only over the control API and driven
with the official Python client; stopped with SIGTERM while a request waits."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch

STOP_BOUND_S = 5  # a safety bound; the measured stop is well under a second


def control(url: str, method: str, path: str, body: object = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def first_line(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """The first stdout line, waiting at most `timeout` seconds for it."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "serve printed nothing"
    return process.stdout.readline().strip()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    ready = tmp_path / "ready"
    command = [sys.executable, "-m", "fake_tasks", "serve", "--port", "0", "--tasks", "0"]
    command += ["--ready-file", str(ready)]
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        url = first_line(process)
        assert url.startswith("http://127.0.0.1:")
        assert ready.read_text() == url + "\n"
        yield process, url
    finally:
        process.kill()
        process.wait(STOP_BOUND_S)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_scripted_over_http_driven_by_the_client_stopped_by_sigterm(
    served: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = served
    status, added = control(
        url,
        "POST",
        "/_fake_tasks/tasks",
        {"action": "indices:data/write/reindex", "description": "reindex from [a] to [b]"},
    )
    assert status == 201
    slow = added["task"]["id"]
    assert (
        control(url, "POST", f"/_fake_tasks/tasks/{slow}/_slow_cancel", {"delay": "1h"})[0] == 200
    )
    waiting = control(url, "POST", "/_fake_tasks/tasks", {"action": "indices:data/write/bulk"})
    blocked_id = waiting[1]["task"]["id"]
    rule = {"fault": {"kind": "rejected"}, "api": "tasks.list", "times": 1}
    assert control(url, "POST", "/_fake_tasks/faults", rule)[0] == 201
    stub = {"method": "GET", "path": "/_cluster/settings", "json": {"persistent": {}}}
    assert control(url, "POST", "/_fake_tasks/stubs", stub)[0] == 201

    es = Elasticsearch(url, request_timeout=10, max_retries=0)
    with pytest.raises(ApiError) as rejected:
        es.tasks.list()
    assert rejected.value.meta.status == 429
    listed = es.tasks.list(group_by="none", actions="indices:*")
    assert [t["action"] for t in listed["tasks"]] == [
        "indices:data/write/reindex",
        "indices:data/write/bulk",
    ]
    cancelled = es.tasks.cancel(task_id=slow)
    assert cancelled["nodes"]  # a slow cancel: still listed, flagged cancelled
    got = es.tasks.get(task_id=slow)
    assert got["completed"] is False
    assert got["task"]["cancelled"] is True
    assert es.cluster.get_settings().body == {"persistent": {}}

    _, page = control(url, "GET", "/_fake_tasks/journal?size=100")
    assert [(e["method"], e["status"]) for e in page["exchanges"]] == [
        ("GET", 429),
        ("GET", 200),
        ("POST", 200),
        ("GET", 200),
        ("GET", 200),
    ]
    assert page["exchanges"][-1]["stub"] == 1
    assert control(url, "GET", "/_fake_tasks/verify")[1]["ok"] is True

    answers: list[int] = []

    def wait_for_the_bulk() -> None:
        waiter = Elasticsearch(url, request_timeout=30, max_retries=0)
        try:
            waiter.tasks.get(task_id=blocked_id, wait_for_completion=True, timeout="30s")
        except ApiError as error:
            answers.append(error.meta.status)

    thread = threading.Thread(target=wait_for_the_bulk)
    thread.start()
    for _ in range(200):  # until the waiting request is in the journal, unanswered
        _, page = control(url, "GET", "/_fake_tasks/journal?from=5")
        if page["exchanges"] and not page["exchanges"][0]["answered"]:
            break
    else:
        pytest.fail("the waiting request never arrived")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=STOP_BOUND_S) == 0
    thread.join(STOP_BOUND_S)
    assert answers == [503]
    assert process.stderr is not None
    log = process.stderr.read()
    assert "GET /_tasks -> 429 (tasks.list, fault Fault.rejected())" in log
    assert "GET /_cluster/settings -> 200 (stub #1)" in log
    assert log.rstrip().endswith("fake-tasks: stopped")


def test_child_command_gets_the_url_and_its_status_is_returned(tmp_path: Path) -> None:
    script = "import os, sys, urllib.request; urllib.request.urlopen(os.environ['FAKE_TASKS_URL'])"
    script += "; sys.exit(7)"
    command = [sys.executable, "-m", "fake_tasks", "serve", "--port", "0", "-q", "--"]
    done = subprocess.run(
        [*command, sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 7
    assert done.stdout.startswith("http://127.0.0.1:")
    assert done.stderr == ""


def test_a_bad_scenario_stops_serve_with_its_line(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("scenario: 1\ntasks:\n  - action: a\n    duration: soon\n")
    done = subprocess.run(
        [sys.executable, "-m", "fake_tasks", "serve", "--port", "0", "--scenario", str(scenario)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert f"{scenario}: line 4, /tasks/0/duration:" in done.stderr
    assert "(rule $defs/duration/oneOf/1/pattern)" in done.stderr
