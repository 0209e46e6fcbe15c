"""A large list by node is streamed: the same bytes and contract findings, a slice at a time."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.actions.tasks import TasksResult
from fake_tasks.rest import render_stream
from fake_tasks.rest.app import App
from fake_tasks.rest.render_stream import StreamedList

PATHS = (
    "/_tasks",
    "/_tasks?human",
    "/_tasks?detailed",
    "/_tasks?pretty",
    "/_tasks?filter_path=nodes.*.name,nodes.*.tasks.*.id",
    "/_tasks?nodes=_local",
    "/_tasks?group_by=parents",
)


def scripted(tasks: int) -> FakeTasks:
    """A fake with a failed node, a task failure and a task on a node not in the cluster."""
    fake = FakeTasks(Settings(seed=2, tasks=tasks, tick=0, nodes=3))
    nodes = list(fake.cluster.nodes)
    fake.fail_node(nodes[2])
    victim = fake.add_task("test:victim", node=nodes[0])
    fake.add_task_failure(victim, "broken")
    fake.add_task("test:headers", node=nodes[1], headers={"X-Opaque-Id": "é"}, description="d")
    return fake


def answers(stream_from: int, tasks: int) -> list[bytes]:
    saved = render_stream.STREAM_FROM, render_stream.SLICE
    render_stream.STREAM_FROM, render_stream.SLICE = stream_from, 7  # several slices a node
    try:
        client = Client(App(scripted(tasks)))
        return [client.get(path).get_data() for path in PATHS]
    finally:
        render_stream.STREAM_FROM, render_stream.SLICE = saved


@pytest.mark.parametrize("tasks", [0, 30, 300])
def test_streamed_lists_are_byte_identical(tasks: int) -> None:
    assert answers(1, tasks) == answers(10**9, tasks)


@pytest.fixture
def slices(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of tasks in each piece a streamed list checks."""
    seen: list[int] = []
    original = StreamedList.encode

    def counting(self: StreamedList, check: Any) -> tuple[bytes, list[object]]:
        def counted(piece: dict[str, Any]) -> object:
            seen.append(sum(len(node["tasks"]) for node in piece["nodes"].values()))
            return check(piece)

        return original(self, counted)

    monkeypatch.setattr(StreamedList, "encode", counting)
    return seen


def test_a_large_list_is_checked_and_written_a_slice_at_a_time(slices: list[int]) -> None:
    fake = FakeTasks(Settings(seed=2, tasks=render_stream.STREAM_FROM + 3000, tick=0, nodes=3))
    response = Client(App(fake)).get("/_tasks")
    assert response.status_code == 200
    listed = sum(len(node["tasks"]) for node in response.json["nodes"].values())
    assert slices[0] == 0  # the envelope: failures, no nodes
    assert sum(slices) == listed
    assert max(slices) <= render_stream.SLICE  # never the whole tree at once
    assert not fake.contract.violations


def test_a_streamed_violation_is_found_with_its_pointer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render_stream, "STREAM_FROM", 1)
    fake = FakeTasks(Settings(seed=2, tasks=20, tick=0, nodes=3))
    bad = fake.add_task("test:bad", type="")  # `type` must not be empty
    client = Client(App(fake))
    assert client.get("/_tasks").status_code == 200
    (found,) = fake.contract.violations
    pointers = [violation.pointer for violation in found.violations]
    assert f"/nodes/{bad.node}/tasks/{bad.task_id}/type" in pointers
    fake.contract.clear()
    fake.contract.strict = True
    refused = client.get("/_tasks")
    assert refused.status_code == 500
    assert "breaks its contract list_response.json" in refused.json["error"]["reason"]


def test_a_streamed_list_is_written_once() -> None:
    fake = FakeTasks(Settings(tasks=5, tick=0))
    body = StreamedList(TasksResult([]), fake.cluster)
    body.whole()
    with pytest.raises(RuntimeError):
        body.encode(lambda piece: None)
