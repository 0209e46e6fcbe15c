"""Task lifecycle on the virtual clock: every transition, through the model and the HTTP app."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import EsError, FakeTasks, FakeTasksError, Settings, Task
from fake_tasks.errors import TaskCancelledError
from fake_tasks.rest.app import App


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(tasks=0, tick=0))


def get(fake: FakeTasks, path: str, method: str = "GET") -> tuple[int, Any]:
    response = Client(App(fake)).open(path, method=method)
    return response.status_code, json.loads(response.get_data() or b"null")


def listed(fake: FakeTasks) -> dict[str, Any]:
    status, body = get(fake, "/_tasks?group_by=none&actions=indices:*")
    assert status == 200
    return {f"{t['node']}:{t['id']}": t for t in body["tasks"]}


Step = Callable[[FakeTasks, Task], None]


def _advance(seconds: float) -> Step:
    return lambda fake, task: fake.advance(seconds)


def _cancel(fake: FakeTasks, task: Task) -> None:
    fake.cancel(task)


# (name, task factory, steps, expected: still listed?, cancelled flag, stored outcome)
TRANSITIONS: list[tuple[str, dict[str, Any], list[Step], bool, bool | None, str | None]] = [
    ("running before its duration", {"duration": "30s"}, [_advance(29)], True, False, None),
    ("finished at its duration", {"duration": "30s"}, [_advance(30)], False, None, "404"),
    ("no duration runs forever", {}, [_advance(86_400)], True, False, None),
    ("finish() by script", {}, [lambda f, t: f.finish(t)], False, None, "404"),
    (
        "finish() stores the given result",
        {"store_result": True},
        [lambda f, t: f.finish(t, {"ok": 1})],
        False,
        None,
        "response",
    ),
    (
        "fail() stores the error",
        {"store_result": True},
        [lambda f, t: f.fail(t, EsError.custom("search_phase_execution_exception", "boom", 500))],
        False,
        None,
        "error",
    ),
    ("cancel honoured at once", {}, [_cancel], False, None, "404"),
    ("slow cancel still listed", {"cancel_delay": "10s"}, [_cancel, _advance(9)], True, True, None),
    (
        "slow cancel done after delay",
        {"cancel_delay": "10s"},
        [_cancel, _advance(10)],
        False,
        None,
        "404",
    ),
    ("cancel ignored", {"cancel_delay": None}, [_cancel, _advance(3600)], True, True, None),
    (
        "cancel ignored, duration still ends it",
        {"cancel_delay": None, "duration": "1m"},
        [_cancel, _advance(60)],
        False,
        None,
        "404",
    ),
    ("cancel twice is fine", {"cancel_delay": "5s"}, [_cancel, _cancel], True, True, None),
    (
        "cancelled by-query task stores a response naming the cancel",
        {"store_result": True},
        [_cancel],
        False,
        None,
        "response",
    ),
]


@pytest.mark.parametrize(
    ("factory", "steps", "running", "cancelled", "stored"),
    [pytest.param(*row[1:], id=row[0]) for row in TRANSITIONS],
)
def test_transition(
    fake: FakeTasks,
    factory: dict[str, Any],
    steps: list[Step],
    running: bool,
    cancelled: bool | None,
    stored: str | None,
) -> None:
    task = fake.add_task("indices:data/write/update/byquery", **factory)
    for step in steps:
        step(fake, task)
    tasks = listed(fake)
    key = str(task.task_id)
    assert (key in tasks) is running
    if running:
        assert tasks[key]["cancelled"] is cancelled
        status, body = get(fake, f"/_tasks/{key}")
        assert status == 200
        assert body["completed"] is False
    else:
        status, body = get(fake, f"/_tasks/{key}")
        if stored == "404":
            assert status == 404
            assert (
                body["error"]["reason"]
                == f"task [{key}] isn't running and hasn't stored its results"
            )
        else:
            assert status == 200
            assert body["completed"] is True
            assert stored in body
            assert ("error" in body) is (stored == "error")


def test_get_404_has_index_not_found_cause_until_something_is_stored(fake: FakeTasks) -> None:
    plain = fake.add_task("indices:data/read/search")
    fake.finish(plain)
    status, body = get(fake, f"/_tasks/{plain.task_id}")
    assert status == 404
    assert body["error"]["caused_by"]["type"] == "index_not_found_exception"
    assert body["error"]["root_cause"][0]["type"] == "index_not_found_exception"

    stored = fake.add_task("indices:data/write/reindex", store_result=True)
    fake.finish(stored, {"created": 1})
    status, body = get(fake, f"/_tasks/{plain.task_id}")
    assert status == 404
    assert "caused_by" not in body["error"]
    assert body["error"]["root_cause"] == [
        {
            "type": "resource_not_found_exception",
            "reason": f"task [{plain.task_id}] isn't running and hasn't stored its results",
        }
    ]


def test_stored_result_shape_and_cancelled_false(fake: FakeTasks) -> None:
    task = fake.add_reindex("logs", "logs-copy", docs=3000, duration="3s")
    fake.advance(3)
    status, body = get(fake, f"/_tasks/{task.task_id}")
    assert status == 200
    assert list(body) == ["completed", "task", "response"]
    assert body["task"]["cancelled"] is False  # stored without it, read back as false
    assert body["task"]["status"]["created"] == 3000
    assert body["response"]["created"] == 3000
    assert body["response"]["batches"] == 3
    assert body["response"]["failures"] == []


def test_failed_task_error_is_rendered_like_es(fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/write/reindex", store_result=True)
    fake.fail(task, EsError.custom("illegal_argument_exception", "bad script", 400))
    status, body = get(fake, f"/_tasks/{task.task_id}")
    assert status == 200
    assert body["error"] == {"type": "illegal_argument_exception", "reason": "bad script"}


def test_cancel_reaches_descendants_on_every_node(fake: FakeTasks) -> None:
    nodes = list(fake.cluster.nodes)
    parent = fake.add_task("indices:data/write/reindex", node=nodes[0], cancel_delay="5s")
    child = fake.add_task(
        "indices:data/write/bulk", node=nodes[1], parent=parent, cancel_delay="5s"
    )
    grandchild = fake.add_task(
        "indices:data/write/bulk[s]", node=nodes[2], parent=child, cancel_delay="5s"
    )
    status, body = get(fake, f"/_tasks/{parent.task_id}/_cancel", method="POST")
    assert status == 200
    reported = [t for n in body["nodes"].values() for t in n["tasks"]]
    assert reported == [str(parent.task_id)]
    tasks = listed(fake)
    for task in (parent, child, grandchild):
        assert tasks[str(task.task_id)]["cancelled"] is True
        assert task.cancel_reason == "by user request"


def test_new_child_of_cancelled_parent_is_refused(fake: FakeTasks) -> None:
    parent = fake.add_task("indices:data/write/reindex", cancel_delay="5s")
    fake.cancel(parent)
    with pytest.raises(TaskCancelledError, match=r"parent task was cancelled \[by user request\]"):
        fake.add_task("indices:data/write/bulk", parent=parent)


def test_parent_finishes_after_its_children(fake: FakeTasks) -> None:
    parent = fake.add_task("indices:data/read/search", duration="10s")
    child = fake.add_task("indices:data/read/search[phase/query]", parent=parent, duration="20s")
    fake.advance(15)
    assert parent.running
    assert child.running
    fake.advance(5)
    assert not parent.running
    assert not child.running
    assert parent.finished_ns == child.finished_ns


def test_non_cancellable_task_cannot_be_cancelled(fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/write/bulk", cancellable=False)
    with pytest.raises(FakeTasksError, match="not cancellable"):
        fake.cancel(task)
    status, body = get(fake, f"/_tasks/{task.task_id}/_cancel", method="POST")
    assert status == 200
    assert body["node_failures"][0]["caused_by"] == {
        "type": "illegal_argument_exception",
        "reason": f"task [{task.task_id}] doesn't support cancellation",
    }


def test_status_progresses_with_time(fake: FakeTasks) -> None:
    task = fake.add_update_by_query("logs", docs=10_000, duration="10s")
    seen = []
    for _ in range(3):
        fake.advance(2)
        _, body = get(fake, f"/_tasks/{task.task_id}")
        seen.append(body["task"]["status"]["updated"])
    assert seen == [2000, 4000, 6000]
    status = body["task"]["status"]
    assert list(status) == [
        "total",
        "updated",
        "created",
        "deleted",
        "batches",
        "version_conflicts",
        "noops",
        "retries",
        "throttled_millis",
        "requests_per_second",
        "throttled_until_millis",
    ]


def test_run_until_finished_jumps_to_the_end(fake: FakeTasks) -> None:
    task = fake.add_delete_by_query("old", duration="45s")
    before = fake.cluster.now_ns()
    fake.run_until_finished(task)
    assert not task.running
    assert fake.cluster.now_ns() - before == 45_000_000_000
    endless = fake.add_task("x")
    with pytest.raises(FakeTasksError, match="no foreseeable end"):
        fake.run_until_finished(endless)


def test_tick_moves_time_per_request() -> None:
    fake = FakeTasks(Settings(tasks=0, tick="2s"))
    task = fake.add_reindex(duration="10s")
    polls = 0
    while True:
        polls += 1
        status, body = get(fake, f"/_tasks/{task.task_id}")
        assert status == 200
        if body["completed"]:
            break
    assert polls == 5


@pytest.mark.parametrize(
    ("version", "parent", "nodes"),
    [
        ("8.3.3", False, False),
        ("8.8.2", False, True),  # NodeTaskRequest tasks are cancellable since 8.4 (#88621)
        ("8.9.0", True, True),  # the list's own task since 8.9 (#96283)
        ("9.1.0", True, True),
    ],
)
def test_list_tasks_are_cancellable_since_8_9(version: str, parent: bool, nodes: bool) -> None:
    fake = FakeTasks(Settings(tasks=0, version=version))
    status, body = get(fake, "/_tasks?group_by=none")
    assert status == 200
    cancellable = {t["action"]: t["cancellable"] for t in body["tasks"]}
    assert cancellable == {
        "cluster:monitor/tasks/lists": parent,
        "cluster:monitor/tasks/lists[n]": nodes,
    }
    assert all(("cancelled" in t) is t["cancellable"] for t in body["tasks"])
