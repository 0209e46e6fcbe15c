"""The model and the transport actions without HTTP: node resolution, matching, list, get, cancel.

Node resolution follows reference 5 (`DiscoveryNodes.resolveNodes`), action matching reference 6
(`Regex.simpleMatch`), list reference 2 and 9, cancel reference 4.
"""

from __future__ import annotations

import pytest

from fake_tasks import Cluster, FakeTasksError, Node, TaskId, VirtualClock
from fake_tasks.actions.tasks import (
    LIST_ACTION,
    CancelRequest,
    GetRequest,
    ListRequest,
    cancel_tasks,
    get_task,
    list_tasks,
)
from fake_tasks.cluster.matching import match_any, resolve_nodes, simple_match, split_commas
from fake_tasks.errors import (
    ActionRequestValidationError,
    EsTimeoutError,
    IllegalArgumentError,
    ResourceNotFoundError,
    TaskCancelledError,
)

HOT = Node("hot0000000000000000001", "es-hot-1", "hot1.example", "10.0.0.1",
           roles=("data_content", "data_hot", "ingest", "master"),
           attributes={"zone": "a", "rack": "r1"})  # fmt: skip
WARM = Node("warm000000000000000002", "es-warm-1", "warm1.example", "10.0.0.2",
            roles=("data_warm", "remote_cluster_client"), attributes={"zone": "b"})  # fmt: skip
DATA = Node("data000000000000000003", "es-data-1", "data1.example", "10.0.1.3",
            roles=("data", "master"))  # fmt: skip
COORD = Node("coord00000000000000004", "es-coord-1", "coord1.example", "10.0.1.4", roles=())
ML = Node("ml00000000000000000005", "ml-1", "ml1.example", "10.0.2.5",
          roles=("ml", "custom_role"))  # fmt: skip
NODES = (HOT, WARM, DATA, COORD, ML)
ALL = [n.id for n in NODES]


def resolve(*specs: str, master: str | None = DATA.id) -> list[str]:
    by_id = {n.id: n for n in NODES}
    return resolve_nodes(by_id, list(specs), local=WARM.id, master=master)


def ids(*nodes: Node) -> list[str]:
    return [n.id for n in nodes]


@pytest.fixture
def cluster() -> Cluster:
    return Cluster(list(NODES), clock=VirtualClock(tick=0))


# -- node resolution -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        pytest.param((), ALL, id="empty-is-all"),
        pytest.param(("_all",), ALL, id="_all"),
        pytest.param(("_local",), ids(WARM), id="_local"),
        pytest.param(("_master",), ids(DATA), id="_master"),
        pytest.param((HOT.id,), ids(HOT), id="node-id"),
        pytest.param(("es-warm-1",), ids(WARM), id="name"),
        pytest.param(("es-*",), ids(HOT, WARM, DATA, COORD), id="name-wildcard"),
        pytest.param(("*-1",), ALL, id="name-suffix-wildcard"),
        pytest.param(("ES-*",), [], id="case-sensitive"),
        pytest.param(("10.0.1.*",), ids(DATA, COORD), id="ip-wildcard"),
        pytest.param(("10.0.0.2",), ids(WARM), id="ip"),
        pytest.param(("ml1.example",), ids(ML), id="host-name"),
        pytest.param(("nothing",), [], id="unknown-is-ignored"),
        pytest.param(("nothing", "ml-1"), ids(ML), id="unknown-among-known"),
        pytest.param(("master:true",), ids(HOT, DATA), id="role-true"),
        pytest.param(("master:",), ids(HOT, DATA), id="role-empty-is-true"),
        pytest.param(("_all", "master:false"), ids(WARM, COORD, ML), id="role-false-removes"),
        pytest.param(("master:false", "_all"), ALL, id="specs-apply-in-order"),
        pytest.param(("data:true",), ids(HOT, WARM, DATA), id="data-matches-any-data-role"),
        pytest.param(("data_hot:true",), ids(HOT, DATA), id="data-tier-or-generic-data"),
        pytest.param(("data_warm:true",), ids(WARM, DATA), id="data-warm"),
        pytest.param(("data_cold:true",), ids(DATA), id="data-cold-only-generic"),
        pytest.param(("_all", "data:false"), ids(COORD, ML), id="data-false"),
        pytest.param(("ingest:true",), ids(HOT), id="non-data-role-exact"),
        pytest.param(("coordinating_only:true",), ids(COORD), id="coordinating-only"),
        pytest.param(
            ("_all", "coordinating_only:false"), ids(HOT, WARM, DATA, ML), id="coord-false"
        ),
        pytest.param(("custom_role:true",), ids(ML), id="custom-role"),
        pytest.param(("zone:a",), ids(HOT), id="attribute"),
        pytest.param(("zone:*",), ids(HOT, WARM), id="attribute-value-wildcard"),
        pytest.param(("z*:b",), ids(WARM), id="attribute-name-wildcard"),
        pytest.param(("_local", "_master"), ids(WARM, DATA), id="cluster-order"),
    ],
)
def test_resolve_nodes(specs: tuple[str, ...], expected: list[str]) -> None:
    assert resolve(*specs) == expected


def test_resolve_master_without_master() -> None:
    assert resolve("_master", master=None) == []


def test_resolve_bad_role_boolean() -> None:
    with pytest.raises(IllegalArgumentError) as caught:
        resolve("master:yes")
    assert (
        caught.value.reason == "Failed to parse value [yes] as only [true] or [false] are allowed."
    )


# -- matching ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        ("*", "anything", True),
        ("*search", "indices:data/read/search", True),
        ("*search", "indices:data/read/search[phase/query]", False),
        ("cluster:*", "cluster:monitor/tasks/lists", True),
        ("cluster:*", "indices:data/read/search", False),
        ("indices:data/read/search", "indices:data/read/search", True),
        ("indices:data/read/search", "indices:data/read/search[phase/query]", False),
        ("Indices:*", "indices:data/read/search", False),
        ("*read*query]", "indices:data/read/search[phase/query]", True),
        ("**", "x", True),
        ("a**b", "ab", True),
        ("?ndices:*", "indices:x", False),  # only `*` is special
        ("[phase/query]", "[phase/query]", True),
        ("", "", True),
        ("", "x", False),
    ],
)
def test_simple_match(pattern: str, value: str, matches: bool) -> None:
    assert simple_match(pattern, value) is matches


def test_match_any() -> None:
    assert match_any(["x", "*write*"], "indices:data/write/bulk")
    assert not match_any([], "x")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (None, []),
        ("", []),
        ("a,b", ["a", "b"]),
        ("a, b", ["a", " b"]),  # no trimming
        ("a,,b", ["a", "", "b"]),
        ("a,b,,", ["a", "b"]),  # trailing empties dropped
    ],
)
def test_split_commas(text: str | None, parts: list[str]) -> None:
    assert split_commas(text) == parts


# -- list ----------------------------------------------------------------------------------------


def test_list_includes_its_own_tasks(cluster: Cluster) -> None:
    result = list_tasks(cluster, ListRequest(headers={"X-Opaque-Id": "me"}))
    own = [t for t in result.tasks if t.action.startswith(LIST_ACTION)]
    parent = next(t for t in own if t.action == LIST_ACTION)
    children = [t for t in own if t.action == LIST_ACTION + "[n]"]
    assert parent.node == cluster.local_node_id
    assert parent.parent_task_id is None
    assert [c.node for c in children] == ALL
    assert {c.parent_task_id for c in children} == {parent.task_id}
    assert all(t.headers == {"X-Opaque-Id": "me"} for t in own)
    assert all(t.cancellable and t.cancelled is False for t in own)
    assert cluster.tasks() == []  # removed once answered


def test_list_own_tasks_only_on_target_nodes(cluster: Cluster) -> None:
    result = list_tasks(cluster, ListRequest(nodes=(ML.id,)))
    assert [(t.node, t.action) for t in result.tasks] == [(ML.id, LIST_ACTION + "[n]")]


def test_list_filters(cluster: Cluster) -> None:
    parent = cluster.start_task("indices:data/write/reindex", node=HOT.id)
    child = cluster.start_task("indices:data/write/reindex", node=WARM.id, parent=parent)
    other = cluster.start_task("indices:data/read/search", node=WARM.id)

    def listed(**kwargs: object) -> list[TaskId]:
        request = ListRequest(**kwargs)  # type: ignore[arg-type]
        return [t.task_id for t in list_tasks(cluster, request).tasks]

    assert listed(actions=("indices:*",)) == [parent.task_id, child.task_id, other.task_id]
    assert listed(actions=("*reindex",), nodes=(WARM.id,)) == [child.task_id]
    assert listed(parent_task_id=parent.task_id) == [child.task_id]
    assert listed(parent_task_id=parent.task_id, actions=("x",)) == []
    assert listed(actions=("*search", "*reindex"), nodes=("_local",)) == [parent.task_id]
    assert listed(actions=("*search", "*reindex"), nodes=(WARM.name,)) == [
        child.task_id,
        other.task_id,
    ]


def test_list_detailed(cluster: Cluster) -> None:
    cluster.start_task("a:b", description="d", status={"s": 1})
    plain = list_tasks(cluster, ListRequest(actions=("a:b",))).tasks[0]
    detailed = list_tasks(cluster, ListRequest(actions=("a:b",), detailed=True)).tasks[0]
    assert (plain.description, plain.status) == (None, None)
    assert (detailed.description, detailed.status) == ("d", {"s": 1})


def test_list_wait_for_completion(cluster: Cluster) -> None:
    quick = cluster.start_task("a:b", node=HOT.id, duration=5)
    slow = cluster.start_task("a:c", node=WARM.id, duration=120)
    request = ListRequest(actions=("a:*",), wait_for_completion=True, timeout_ns=10 * 10**9)
    result = list_tasks(cluster, request)
    # the snapshot taken when matching began (reference 2.5), minus the node that timed out
    assert [t.task_id for t in result.tasks] == [quick.task_id]
    assert not quick.running
    (failure,) = result.node_failures
    assert failure.node_id == WARM.id
    assert failure.caused_by is not None
    assert failure.caused_by.reason == "timed out after [10s/10000ms]"
    assert cluster.find(slow.task_id) is not None


def test_list_failed_node(cluster: Cluster) -> None:
    cluster.start_task("a:b", node=HOT.id)
    cluster.fail_node(HOT.id, IllegalArgumentError("boom"))
    result = list_tasks(cluster, ListRequest(actions=("a:*",)))
    assert result.tasks == []
    assert [f.node_id for f in result.node_failures] == [HOT.id]


# -- get -----------------------------------------------------------------------------------------


def test_get_running_is_detailed(cluster: Cluster) -> None:
    task = cluster.start_task("a:b", description="d", status={"s": 1})
    result = get_task(cluster, GetRequest(task.task_id))
    assert result.completed is False
    assert (result.task.description, result.task.status) == ("d", {"s": 1})


def test_get_requires_an_id(cluster: Cluster) -> None:
    with pytest.raises(ActionRequestValidationError) as caught:
        get_task(cluster, GetRequest(None))
    assert caught.value.reason == "Validation Failed: 1: task id is required;"


def test_get_wait_times_out(cluster: Cluster) -> None:
    task = cluster.start_task("a:b")
    with pytest.raises(EsTimeoutError) as caught:
        get_task(cluster, GetRequest(task.task_id, wait_for_completion=True, timeout_ns=10**9))
    assert caught.value.reason == "timed out after [1s/1000ms]"
    assert caught.value.http_status() == 429


def test_get_missing_without_tasks_index(cluster: Cluster) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        get_task(cluster, GetRequest(TaskId(HOT.id, 5)))
    assert caught.value.caused_by is not None
    assert caught.value.caused_by.es_type == "index_not_found_exception"


# -- cancel --------------------------------------------------------------------------------------


def test_cancel_by_id_flags_the_tree(cluster: Cluster) -> None:
    parent = cluster.start_task("indices:data/write/reindex", node=HOT.id, cancel_delay=None)
    child = cluster.start_task(
        "indices:data/write/reindex", node=WARM.id, parent=parent, cancel_delay=None
    )
    result = cancel_tasks(cluster, CancelRequest(task_id=parent.task_id))
    assert [t.task_id for t in result.tasks] == [parent.task_id]
    assert result.tasks[0].cancelled is True
    assert result.tasks[0].description is None  # reported without details
    assert parent.cancelled
    assert child.cancelled
    assert parent.cancel_reason == "by user request"
    with pytest.raises(TaskCancelledError) as caught:
        cluster.start_task("indices:data/write/reindex", parent=parent)
    assert caught.value.reason == "parent task was cancelled [by user request]"


def test_cancel_is_idempotent(cluster: Cluster) -> None:
    task = cluster.start_task("a:b", cancel_delay=None)
    first = cancel_tasks(cluster, CancelRequest(task_id=task.task_id))
    again = cancel_tasks(cluster, CancelRequest(task_id=task.task_id))
    assert first.tasks == again.tasks
    assert again.node_failures == []


def test_cancel_by_actions_skips_uncancellable(cluster: Cluster) -> None:
    search = cluster.start_task("indices:data/read/search", node=HOT.id, cancel_delay=None)
    bulk = cluster.start_task("indices:data/write/bulk", node=HOT.id, cancellable=False)
    result = cancel_tasks(cluster, CancelRequest(actions=("indices:*",)))
    assert [t.task_id for t in result.tasks] == [search.task_id]
    assert result.node_failures == []
    assert not bulk.cancelled


def test_cancel_by_nodes_and_parent(cluster: Cluster) -> None:
    parent = cluster.start_task("p:p", node=HOT.id, cancel_delay=None)
    on_warm = cluster.start_task("c:c", node=WARM.id, parent=parent, cancel_delay=None)
    on_ml = cluster.start_task("c:c", node=ML.id, parent=parent, cancel_delay=None)
    result = cancel_tasks(cluster, CancelRequest(nodes=(WARM.id,), parent_task_id=parent.task_id))
    assert [t.task_id for t in result.tasks] == [on_warm.task_id]
    assert not on_ml.cancelled
    assert not parent.cancelled


def test_cancel_task_id_and_nodes_is_invalid(cluster: Cluster) -> None:
    with pytest.raises(ActionRequestValidationError) as caught:
        cancel_tasks(cluster, CancelRequest(task_id=TaskId(HOT.id, 1), nodes=(HOT.id,)))
    assert caught.value.reason == (
        "Validation Failed: 1: task id cannot be used together with node ids;"
    )


@pytest.mark.parametrize(
    ("setup", "cause_type", "reason"),
    [
        ("missing", "resource_not_found_exception", "task [{id}] is not found"),
        ("uncancellable", "illegal_argument_exception", "task [{id}] doesn't support cancellation"),
        (
            "other-action",
            "illegal_argument_exception",
            "task [{id}] doesn't support this operation",
        ),
    ],
)
def test_cancel_by_id_failures(cluster: Cluster, setup: str, cause_type: str, reason: str) -> None:
    task = cluster.start_task("a:b", node=HOT.id, cancellable=setup != "uncancellable")
    task_id = TaskId(HOT.id, 999) if setup == "missing" else task.task_id
    request_actions = ("x:*",) if setup == "other-action" else ()
    result = cancel_tasks(cluster, CancelRequest(task_id=task_id, actions=request_actions))
    assert result.tasks == []
    (failure,) = result.node_failures
    assert failure.node_id == HOT.id
    assert failure.reason == f"Failed node [{HOT.id}]"
    assert failure.caused_by is not None
    assert failure.caused_by.es_type == cause_type
    assert failure.caused_by.reason == reason.format(id=task_id)
    assert not task.cancelled


def test_cancel_unknown_node(cluster: Cluster) -> None:
    result = cancel_tasks(cluster, CancelRequest(task_id=TaskId("nope", 1)))
    (failure,) = result.node_failures
    assert failure.caused_by is not None
    assert failure.caused_by.es_type == "no_such_node_exception"
    assert failure.caused_by.metadata == {"node_id": "nope"}


def test_cancel_wait_for_completion_waits_for_children(cluster: Cluster) -> None:
    parent = cluster.start_task("p:p", cancel_delay=1)
    child = cluster.start_task("c:c", node=HOT.id, parent=parent, cancel_delay=5)
    start = cluster.now_ns()
    cancel_tasks(cluster, CancelRequest(task_id=parent.task_id, wait_for_completion=True))
    assert not parent.running
    assert not child.running
    assert cluster.now_ns() - start == 5 * 10**9  # the virtual clock jumped to the last end


def test_cancelled_task_ends_after_its_delay(cluster: Cluster) -> None:
    assert isinstance(cluster.clock, VirtualClock)
    task = cluster.start_task("a:b", cancel_delay=2)
    cancel_tasks(cluster, CancelRequest(task_id=task.task_id))
    assert cluster.find(task.task_id) is not None
    cluster.clock.advance(2)
    assert cluster.find(task.task_id) is None


def test_cancel_not_cancellable_through_scripting_api(cluster: Cluster) -> None:
    task = cluster.start_task("a:b", cancellable=False)
    with pytest.raises(FakeTasksError):
        cluster.cancel(task)
