"""Waiting requests: virtual-clock outcomes, realtime bounds, release on server stop."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch
from werkzeug.test import Client

from fake_tasks import FakeTasks, FakeTasksServer, RealtimeClock, Settings
from fake_tasks.rest.app import App


def call(fake: FakeTasks, path: str, method: str = "GET") -> tuple[int, Any]:
    response = Client(App(fake)).open(path, method=method)
    return response.status_code, json.loads(response.get_data())


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(tasks=0, tick=0))


# -- virtual clock: every wait resolves at once to what real time would give -----------------


def test_get_wait_completes_and_jumps_exactly_to_the_end(fake: FakeTasks) -> None:
    task = fake.add_reindex(duration="20s")
    start = fake.cluster.now_ns()
    status, body = call(fake, f"/_tasks/{task.task_id}?wait_for_completion=true")
    assert status == 200
    assert body["completed"] is True
    assert body["response"]["created"] == 10_000
    assert fake.cluster.now_ns() - start == 20_000_000_000


@pytest.mark.parametrize(("version", "status"), [("9.1.0", 429), ("8.17.0", 500)])
def test_get_wait_times_out_at_the_deadline(version: str, status: int) -> None:
    fake = FakeTasks(Settings(tasks=0, tick=0, version=version))
    task = fake.add_task("indices:data/write/reindex", duration="1m")
    start = fake.cluster.now_ns()
    got, body = call(fake, f"/_tasks/{task.task_id}?wait_for_completion=true&timeout=5s")
    assert (got, body) == (
        status,
        {
            "error": {
                "root_cause": [
                    {"type": "timeout_exception", "reason": "timed out after [5s/5000ms]"}
                ],
                "type": "timeout_exception",
                "reason": "timed out after [5s/5000ms]",
            },
            "status": status,
        },
    )
    assert fake.cluster.now_ns() - start == 5_000_000_000
    assert task.running


def test_get_wait_default_timeout_is_30s(fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/write/reindex")
    status, body = call(fake, f"/_tasks/{task.task_id}?wait_for_completion=true")
    assert status == 429
    assert body["error"]["reason"] == "timed out after [30s/30000ms]"


def test_list_wait_reports_late_nodes_as_failures(fake: FakeTasks) -> None:
    first, second, _ = fake.cluster.nodes
    fast = fake.add_task("indices:data/read/search", node=first, duration="2s")
    slow = fake.add_task("indices:data/read/search", node=second, duration="1h")
    status, body = call(
        fake, "/_tasks?actions=indices:data/read/search&wait_for_completion=true&timeout=10s"
    )
    assert status == 200
    assert body["node_failures"] == [
        {
            "type": "failed_node_exception",
            "reason": f"Failed node [{second}]",
            "node_id": second,
            "caused_by": {"type": "timeout_exception", "reason": "timed out after [10s/10000ms]"},
        }
    ]
    assert list(body["nodes"]) == [first]
    assert list(body["nodes"][first]["tasks"]) == [str(fast.task_id)]
    assert slow.running
    assert not fast.running


def test_list_wait_never_waits_for_list_tasks(fake: FakeTasks) -> None:
    status, body = call(fake, "/_tasks?wait_for_completion=true&timeout=1s")
    assert status == 200
    assert "node_failures" not in body
    actions = {t["action"] for n in body["nodes"].values() for t in n["tasks"].values()}
    assert actions == {"cluster:monitor/tasks/lists", "cluster:monitor/tasks/lists[n]"}


def test_cancel_wait_returns_when_descendants_are_done(fake: FakeTasks) -> None:
    first, second, third = fake.cluster.nodes
    parent = fake.add_task("indices:data/write/reindex", node=first, cancel_delay="2s")
    child = fake.add_task("indices:data/write/bulk", node=second, parent=parent, cancel_delay="7s")
    fake.add_task("indices:data/write/bulk[s]", node=third, parent=child, cancel_delay="4s")
    start = fake.cluster.now_ns()
    status, body = call(fake, f"/_tasks/{parent.task_id}/_cancel?wait_for_completion=true", "POST")
    assert status == 200
    assert body["nodes"][first]["tasks"][str(parent.task_id)]["cancelled"] is True
    assert fake.cluster.now_ns() - start == 7_000_000_000
    assert fake.tasks("indices:data/write/*") == []


def test_cancel_wait_on_a_task_that_ignores_cancel_is_bounded(fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/write/reindex", cancel_delay=None)
    start = fake.cluster.now_ns()
    status, body = call(fake, f"/_tasks/{task.task_id}/_cancel?wait_for_completion=true", "POST")
    assert status == 429
    assert body["error"]["reason"] == "timed out after [1m/60000ms]"
    assert fake.cluster.now_ns() - start == fake.cluster.max_wait_ns
    assert task.running
    assert task.cancelled


# -- realtime clock: waits block for real, bounded by their timeout ---------------------------


@pytest.fixture
def realtime_server() -> Iterator[FakeTasksServer]:
    server = FakeTasksServer(
        FakeTasks(Settings(tasks=0), clock=RealtimeClock(speed=1.0)), standalone=True
    )
    with server:
        yield server


def test_realtime_wait_is_bounded_by_its_timeout(realtime_server: FakeTasksServer) -> None:
    task = realtime_server.fake.add_task("indices:data/write/reindex")
    es = Elasticsearch(realtime_server.url, request_timeout=10, max_retries=0)
    started = time.monotonic()
    with pytest.raises(ApiError) as caught:
        es.tasks.get(task_id=str(task.task_id), wait_for_completion=True, timeout="300ms")
    elapsed = time.monotonic() - started
    assert caught.value.status_code == 429
    assert 0.3 <= elapsed < 2.0


def test_realtime_wait_wakes_when_a_script_finishes_the_task(
    realtime_server: FakeTasksServer,
) -> None:
    fake = realtime_server.fake
    task = fake.add_task("indices:data/write/reindex", store_result=True)
    threading.Timer(0.2, fake.finish, args=(task, {"created": 7})).start()
    es = Elasticsearch(realtime_server.url, request_timeout=10, max_retries=0)
    started = time.monotonic()
    body = es.tasks.get(task_id=str(task.task_id), wait_for_completion=True, timeout="5s").body
    assert body["completed"] is True
    assert body["response"] == {"created": 7}
    assert time.monotonic() - started < 2.0


def test_stopping_the_server_releases_a_blocked_request() -> None:
    fake = FakeTasks(Settings(tasks=0), clock=RealtimeClock())
    server = FakeTasksServer(fake, standalone=True).start()
    task = fake.add_task("indices:data/write/reindex")
    es = Elasticsearch(server.url, request_timeout=20, max_retries=0)
    outcome: list[object] = []

    def blocked() -> None:
        try:
            es.tasks.get(task_id=str(task.task_id), wait_for_completion=True, timeout="30s")
        except Exception as error:  # whatever the client raises, record it
            outcome.append(error)

    thread = threading.Thread(target=blocked)
    thread.start()
    time.sleep(0.3)
    assert thread.is_alive()
    stopped = time.monotonic()
    server.stop()
    thread.join(timeout=5)
    assert not thread.is_alive()
    assert time.monotonic() - stopped < 1.0
    assert outcome, "the blocked request should fail when the server stops"
