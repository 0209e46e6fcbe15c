"""Rendering: TaskInfo field order, the three envelopes, get responses, pretty bytes, filter_path.

Field orders are reference 2.1-2.4 and 3.1; pretty printing is reference 8 (Jackson's pretty
printer as ES configures it: two-space indent, `"key" : value`, `{ }`, trailing newline).
"""

from __future__ import annotations

from typing import Any

import pytest
from expected import TASK_INFO_ORDER

from fake_tasks import Cluster, Node, TaskId, TaskInfo, VirtualClock
from fake_tasks.actions.tasks import GetResult, TaskFailure, TasksResult
from fake_tasks.errors import (
    FailedNodeError,
    IllegalStateError,
    ResourceNotFoundError,
    TaskCancelledError,
)
from fake_tasks.rest import filterpath, render

N1 = Node("n1", "node-1", "127.0.0.1", "127.0.0.1", roles=("master", "data", "ingest"),
          attributes={"k": "v"})  # fmt: skip
N2 = Node("n2", "node-2", "127.0.0.2", "127.0.0.2", port=9301, roles=("ml",))


@pytest.fixture
def cluster() -> Cluster:
    return Cluster([N1, N2], clock=VirtualClock())


def info(
    node: str = "n1",
    id: int = 1,
    *,
    status: dict[str, Any] | None = None,
    description: str | None = None,
    cancellable: bool = True,
    cancelled: bool | None = False,
    parent: TaskId | None = None,
    headers: dict[str, str] | None = None,
) -> TaskInfo:
    return TaskInfo(
        node=node,
        id=id,
        type="transport",
        action="indices:data/read/search",
        status=status,
        description=description,
        start_time_ms=1_705_314_030_123,
        running_time_ns=1_234_567,
        cancellable=cancellable,
        cancelled=cancelled,
        parent_task_id=parent,
        headers=headers or {},
    )


# -- TaskInfo ------------------------------------------------------------------------------------


def test_task_info_all_fields_in_order() -> None:
    full = info(
        status={"phase": "query"},
        description="",
        cancelled=True,
        parent=TaskId("n2", 7),
        headers={"X-Opaque-Id": "x"},
    )
    out = render.task_info(full, human=True)
    assert list(out) == TASK_INFO_ORDER
    assert out["description"] == ""  # can be empty, still present
    assert out["start_time"] == "2024-01-15T10:20:30.123Z"
    assert out["running_time"] == "1.2ms"
    assert out["parent_task_id"] == "n2:7"
    assert out["headers"] == {"X-Opaque-Id": "x"}


def test_task_info_minimal() -> None:
    out = render.task_info(info(cancellable=False, cancelled=None))
    assert out == {
        "node": "n1",
        "id": 1,
        "type": "transport",
        "action": "indices:data/read/search",
        "start_time_in_millis": 1_705_314_030_123,
        "running_time_in_nanos": 1_234_567,
        "cancellable": False,
        "headers": {},
    }


def test_cancelled_only_when_cancellable() -> None:
    assert "cancelled" not in render.task_info(info(cancellable=False, cancelled=False))
    assert render.task_info(info(cancelled=False))["cancelled"] is False
    assert "cancelled" not in render.task_info(info(cancelled=None))  # stored in `.tasks`


@pytest.mark.parametrize(
    ("epoch_ms", "text"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1_705_314_030_123, "2024-01-15T10:20:30.123Z"),
        (1_767_225_600_000, "2026-01-01T00:00:00.000Z"),
    ],
)
def test_iso_millis(epoch_ms: int, text: str) -> None:
    assert render.iso_millis(epoch_ms) == text


# -- envelopes -----------------------------------------------------------------------------------


def test_group_by_nodes(cluster: Cluster) -> None:
    result = TasksResult(tasks=[info("n1", 1), info("n2", 2), info("n1", 3)])
    out = render.tasks_response(result, cluster, "nodes")
    assert list(out) == ["nodes"]
    assert list(out["nodes"]) == ["n1", "n2"]
    assert out["nodes"]["n1"] == {
        "name": "node-1",
        "transport_address": "127.0.0.1:9300",
        "host": "127.0.0.1",
        "ip": "127.0.0.1:9300",
        "roles": ["data", "ingest", "master"],
        "attributes": {"k": "v"},
        "tasks": {"n1:1": render.task_info(info("n1", 1)), "n1:3": render.task_info(info("n1", 3))},
    }
    assert list(out["nodes"]["n2"]) == ["name", "transport_address", "host", "ip", "roles", "tasks"]
    assert out["nodes"]["n2"]["ip"] == "127.0.0.2:9301"


def test_group_by_nodes_unknown_node_has_only_tasks(cluster: Cluster) -> None:
    out = render.tasks_response(TasksResult(tasks=[info("gone", 1)]), cluster, "nodes")
    assert out == {"nodes": {"gone": {"tasks": {"gone:1": render.task_info(info("gone", 1))}}}}


def test_empty_envelopes(cluster: Cluster) -> None:
    empty = TasksResult(tasks=[])
    assert render.tasks_response(empty, cluster, "nodes") == {"nodes": {}}
    assert render.tasks_response(empty, cluster, "parents") == {"tasks": {}}
    assert render.tasks_response(empty, cluster, "none") == {"tasks": []}


def test_group_by_parents(cluster: Cluster) -> None:
    root = info("n1", 1)
    child = info("n2", 2, parent=TaskId("n1", 1))
    grandchild = info("n2", 3, parent=TaskId("n2", 2))
    orphan = info("n1", 4, parent=TaskId("n1", 99))  # parent filtered out or gone
    out = render.tasks_response(TasksResult([root, child, grandchild, orphan]), cluster, "parents")
    assert list(out["tasks"]) == ["n1:1", "n1:4"]
    top = out["tasks"]["n1:1"]
    assert list(top)[-1] == "children"
    (kid,) = top["children"]
    assert kid["id"] == 2
    assert [g["id"] for g in kid["children"]] == [3]
    assert "children" not in kid["children"][0]
    assert "children" not in out["tasks"]["n1:4"]


def test_group_by_none(cluster: Cluster) -> None:
    tasks = [info("n1", 1), info("n2", 2)]
    out = render.tasks_response(TasksResult(tasks), cluster, "none")
    assert out == {"tasks": [render.task_info(t) for t in tasks]}


def test_failures_come_first(cluster: Cluster) -> None:
    failure = FailedNodeError("n2", ResourceNotFoundError("task [n2:5] is not found"))
    task_failure = TaskFailure(TaskId("n1", 7), 500, IllegalStateError("broken"))
    result = TasksResult([info()], node_failures=[failure], task_failures=[task_failure])
    for group_by in ("nodes", "parents", "none"):
        out = render.tasks_response(result, cluster, group_by)
        assert list(out)[:2] == ["task_failures", "node_failures"]
    out = render.tasks_response(result, cluster, "none")
    assert out["task_failures"] == [
        {
            "task_id": 7,
            "node_id": "n1",
            "status": "INTERNAL_SERVER_ERROR",
            "reason": {"type": "illegal_state_exception", "reason": "broken"},
        }
    ]
    assert out["node_failures"] == [
        {
            "type": "failed_node_exception",
            "reason": "Failed node [n2]",
            "node_id": "n2",
            "caused_by": {
                "type": "resource_not_found_exception",
                "reason": "task [n2:5] is not found",
            },
        }
    ]


@pytest.mark.parametrize(
    ("status", "name"), [(400, "BAD_REQUEST"), (409, "CONFLICT"), (404, "NOT_FOUND")]
)
def test_task_failure_status_is_the_enum_name(status: int, name: str) -> None:
    failure = TaskFailure(TaskId("n1", 1), status, IllegalStateError("x"))
    assert render.task_failure(failure)["status"] == name


# -- get -----------------------------------------------------------------------------------------


def test_get_response_order() -> None:
    running = render.get_response(GetResult(False, info()))
    assert list(running) == ["completed", "task"]
    failed = render.get_response(
        GetResult(True, info(), response={"a": 1}, error=TaskCancelledError("task cancelled [x]"))
    )
    assert list(failed) == ["completed", "task", "error", "response"]
    assert failed["error"] == {"type": "task_cancelled_exception", "reason": "task cancelled [x]"}


# -- pretty --------------------------------------------------------------------------------------


def test_pretty_exact_bytes() -> None:
    body = {
        "a": 1,
        "empty": {},
        "list": [1, {"b": True, "c": None}],
        "none": [],
        "text": 'é"',
        "float": -1.0,
    }
    assert (
        render.to_json(body, pretty=True)
        == (
            "{\n"
            '  "a" : 1,\n'
            '  "empty" : { },\n'
            '  "list" : [\n'
            "    1,\n"
            "    {\n"
            '      "b" : true,\n'
            '      "c" : null\n'
            "    }\n"
            "  ],\n"
            '  "none" : [ ],\n'
            '  "text" : "é\\"",\n'
            '  "float" : -1.0\n'
            "}\n"
        ).encode()
    )


def test_pretty_empty_root() -> None:
    assert render.to_json({}, pretty=True) == b"{ }\n"


def test_compact() -> None:
    assert render.to_json({"a": [1, {}], "b": "é"}) == '{"a":[1,{}],"b":"é"}'.encode()


# -- filter_path ---------------------------------------------------------------------------------

BODY: dict[str, Any] = {
    "node_failures": [{"type": "failed_node_exception", "node_id": "n2"}],
    "nodes": {
        "n1": {
            "name": "node-1",
            "tasks": {
                "n1:1": {"id": 1, "action": "a", "headers": {"X-Opaque-Id": "x"}},
                "n1:2": {"id": 2, "action": "b", "headers": {}},
            },
        },
        "n2": {"name": "node-2", "tasks": {"n2:3": {"id": 3, "action": "c", "headers": {}}}},
    },
}


@pytest.mark.parametrize(
    ("filter_path", "expected"),
    [
        pytest.param("nodes.n2.name", {"nodes": {"n2": {"name": "node-2"}}}, id="exact-path"),
        pytest.param(
            "nodes.*.name",
            {"nodes": {"n1": {"name": "node-1"}, "n2": {"name": "node-2"}}},
            id="star",
        ),
        pytest.param(
            "nodes.n*.tasks.*1.id", {"nodes": {"n1": {"tasks": {"n1:1": {"id": 1}}}}}, id="prefix"
        ),
        pytest.param(
            "**.action",
            {
                "nodes": {
                    "n1": {"tasks": {"n1:1": {"action": "a"}, "n1:2": {"action": "b"}}},
                    "n2": {"tasks": {"n2:3": {"action": "c"}}},
                }
            },
            id="double-star",
        ),
        pytest.param(
            "nodes.**.X-Opaque-Id",
            {"nodes": {"n1": {"tasks": {"n1:1": {"headers": {"X-Opaque-Id": "x"}}}}}},
            id="double-star-inside",
        ),
        pytest.param(
            "node_failures.node_id", {"node_failures": [{"node_id": "n2"}]}, id="through-arrays"
        ),
        pytest.param(
            "node_failures,nodes.n2.name",
            {"node_failures": BODY["node_failures"], "nodes": {"n2": {"name": "node-2"}}},
            id="several",
        ),
        pytest.param(" nodes.n2.name ", {"nodes": {"n2": {"name": "node-2"}}}, id="trimmed"),
        pytest.param("nothing", {}, id="no-match"),
        pytest.param("-nodes", {"node_failures": BODY["node_failures"]}, id="exclude"),
        pytest.param(
            "-**.headers,-node_failures",
            {
                "nodes": {
                    "n1": {
                        "name": "node-1",
                        "tasks": {
                            "n1:1": {"id": 1, "action": "a"},
                            "n1:2": {"id": 2, "action": "b"},
                        },
                    },
                    "n2": {"name": "node-2", "tasks": {"n2:3": {"id": 3, "action": "c"}}},
                }
            },
            id="exclude-double-star",
        ),
        pytest.param(
            "nodes.*.tasks,-**.headers,-**.id",
            {
                "nodes": {
                    "n1": {"tasks": {"n1:1": {"action": "a"}, "n1:2": {"action": "b"}}},
                    "n2": {"tasks": {"n2:3": {"action": "c"}}},
                }
            },
            id="include-and-exclude",
        ),
    ],
)
def test_filter_path(filter_path: str, expected: Any) -> None:
    assert filterpath.apply(BODY, filter_path) == expected


def test_filter_path_keeps_the_input() -> None:
    before = repr(BODY)
    filterpath.apply(BODY, "-**.headers")
    assert repr(BODY) == before


# -- node info -----------------------------------------------------------------------------------


def test_nodes_info(cluster: Cluster) -> None:
    out = render.nodes_info(cluster, ["n1", "n2"])
    assert list(out) == ["_nodes", "cluster_name", "nodes"]
    assert out["_nodes"] == {"total": 2, "successful": 2, "failed": 0}
    first, second = out["nodes"]["n1"], out["nodes"]["n2"]
    assert list(first)[:5] == ["name", "transport_address", "host", "ip", "version"]
    assert list(first)[-2:] == ["roles", "attributes"]
    assert (first["transport_address"], first["ip"]) == ("127.0.0.1:9300", "127.0.0.1")
    assert "attributes" not in second  # only if the node has any (es-facts 5)
    assert list(second)[-1] == "roles"
