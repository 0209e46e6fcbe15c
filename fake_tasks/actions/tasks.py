"""The transport actions behind the routes: list, get and cancel tasks, as the server runs them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fake_tasks.actions import own, relocation
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.matching import cluster_nodes, match_any
from fake_tasks.cluster.model import DEFAULT_CANCEL_REASON, Cluster, Task, TaskInfo
from fake_tasks.cluster.relocation import handoff_refusal
from fake_tasks.cluster.timevalue import human, millis
from fake_tasks.errors import (
    ActionRequestValidationError,
    EsError,
    EsTimeoutError,
    FailedNodeError,
    IllegalArgumentError,
    IndexNotFoundError,
    NoSuchNodeError,
    ResourceNotFoundError,
)

LIST_ACTION = own.LIST_ACTION
LIST_NODE_ACTION = own.LIST_NODE_ACTION
CANCEL_NODE_ACTION = own.CANCEL_NODE_ACTION
GET_ACTION = "cluster:monitor/task/get"
DEFAULT_WAIT_NS = 30_000_000_000


@dataclass(frozen=True)
class TaskFailure:
    """A `task_failures` entry: one task an action failed on."""

    task_id: TaskId
    status: int
    reason: EsError


@dataclass(frozen=True)
class TasksResult:
    """What list and cancel answer: tasks plus per-node and per-task failures."""

    tasks: list[TaskInfo]
    node_failures: list[FailedNodeError] = field(default_factory=list)
    task_failures: list[TaskFailure] = field(default_factory=list)


@dataclass(frozen=True)
class GetResult:
    """What `GET /_tasks/<id>` answers."""

    completed: bool
    task: TaskInfo
    response: Mapping[str, Any] | None = None
    error: EsError | None = None


@dataclass(frozen=True)
class ListRequest:
    nodes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    parent_task_id: TaskId | None = None
    detailed: bool = False
    wait_for_completion: bool = False
    timeout_ns: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GetRequest:
    task_id: TaskId | None
    wait_for_completion: bool = False
    timeout_ns: int | None = None
    follow_relocations: bool = True  # 9.5+: a relocated reindex is followed to its new task


@dataclass(frozen=True)
class CancelRequest:
    task_id: TaskId | None = None
    nodes: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    parent_task_id: TaskId | None = None
    wait_for_completion: bool = False
    reason: str = DEFAULT_CANCEL_REASON
    headers: Mapping[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        if self.task_id is not None and self.nodes:
            raise ActionRequestValidationError("task id cannot be used together with node ids")


def timeout_error(cluster: Cluster, timeout_ns: int) -> EsTimeoutError:
    """`SubscribableListener.addTimeout`: `timed out after [30s/30000ms]` (`-1` of a unit:
    `[-1/-1000ms]`); 429 since 9.0, 500 before."""
    error = EsTimeoutError(f"timed out after [{human(timeout_ns)}/{millis(timeout_ns)}ms]")
    if not cluster.has("timeout_429"):
        error.status = 500
    return error


def _matches(task: Task, actions: tuple[str, ...], parent: TaskId | None) -> bool:
    if actions and not match_any(actions, task.action):
        return False
    return parent is None or task.parent == parent


def _action_test(actions: tuple[str, ...]) -> Callable[[str], bool] | None:
    """The `actions` filter as a test of action names (None: no filter)."""
    if not actions:
        return None
    return lambda action: match_any(actions, action)


def _wait_timeout(timeout_ns: int | None) -> int:
    """The request's timeout, 30 s if it has none: a negative one is scheduled at once."""
    return DEFAULT_WAIT_NS if timeout_ns is None else timeout_ns


def list_tasks(cluster: Cluster, request: ListRequest) -> TasksResult:
    """`TransportListTasksAction`: the request's own tasks appear in its answer.

    Waiting (`wait_for_completion`), each node answers when its matched tasks are gone or fails
    with the timeout; the infos are taken after the wait from 8.9 (`processTasks` hands the
    tasks to `taskOperation` once they are removed), before it in older versions.
    """
    with cluster.lock:
        cluster.settle()
        targets = cluster_nodes(cluster, request.nodes)
        live = [n for n in targets if n not in cluster.failed_nodes]
        mine = own.start(cluster, LIST_ACTION, live, request.headers)
        try:
            matched = cluster.select(live, _action_test(request.actions), request.parent_task_id)
            task_failures = _task_failures(cluster, matched)
            failing = cluster.task_failures
            listed = [t for t in matched if t.task_id not in failing] if failing else matched
            failures = _node_failures(cluster, targets, LIST_NODE_ACTION)
            infos_after_wait = cluster.has("list_infos_after_wait")
            infos = [] if infos_after_wait else _infos(cluster, listed, request.detailed)
            if request.wait_for_completion:
                timeout = _wait_timeout(request.timeout_ns)
                awaited = [t for t in matched if not t.action.startswith(LIST_ACTION)]
                if not cluster.wait_for(awaited, timeout):
                    late = sorted({t.node for t in awaited if t.running}, key=targets.index)
                    failures = sorted(
                        [
                            *failures,
                            *(FailedNodeError(n, timeout_error(cluster, timeout)) for n in late),
                        ],
                        key=lambda f: targets.index(f.node_id),
                    )
                    listed = [t for t in listed if t.node not in late]
                    infos = [i for i in infos if i.node not in late]
            if infos_after_wait:
                infos = _infos(cluster, listed, request.detailed)
            if cluster.has("reindex_relocation") and any(
                info.original_task_id is not None for info in infos
            ):
                infos = list(relocation.deduplicate({i.task_id: i for i in infos}).values())
            return TasksResult(tasks=infos, node_failures=failures, task_failures=task_failures)
        finally:
            own.finish(cluster, mine)


def _infos(cluster: Cluster, tasks: list[Task], detailed: bool) -> list[TaskInfo]:
    now = cluster.now_ns()
    return [t.info(now, detailed=detailed) for t in tasks]


def _node_failures(cluster: Cluster, targets: list[str], action: str) -> list[FailedNodeError]:
    failures = []
    for node_id in targets:
        cause = cluster.node_failure(node_id, action)
        if cause is not None:
            failures.append(FailedNodeError(node_id, cause))
    return failures


def _task_failures(cluster: Cluster, tasks: list[Task]) -> list[TaskFailure]:
    if not cluster.task_failures:
        return []
    failing = [(t.task_id, cluster.task_failures.get(t.task_id)) for t in tasks]
    return [TaskFailure(tid, err.http_status(), err) for tid, err in failing if err is not None]


def get_task(cluster: Cluster, request: GetRequest) -> GetResult:
    """`TransportGetTaskAction`, following a relocated reindex unless asked not to (9.5+)."""
    result = _get_task(cluster, request)
    if not (request.follow_relocations and cluster.has("reindex_relocation")):
        return result
    return relocation.follow(
        result,
        lambda r: r.completed,
        lambda r: (r.task, r.error),
        lambda task_id: _get_task(cluster, replace(request, task_id=task_id)),
        lambda r, info: replace(r, task=info),
    )


def _get_task(cluster: Cluster, request: GetRequest) -> GetResult:
    """Running tasks, then stored results, then the 404s."""
    task_id = request.task_id
    if task_id is None:
        raise ActionRequestValidationError("task id is required")
    with cluster.lock:
        cluster.settle()
        if task_id.node not in cluster.nodes:
            stored = cluster.stored_result(task_id)
            if stored is not None:
                return GetResult(True, stored.task, stored.response, stored.error)
            raise ResourceNotFoundError(
                f"task [{task_id}] belongs to the node [{task_id.node}] which isn't part of the "
                "cluster and there is no record of the task",
                caused_by=_not_stored(cluster, task_id),
            )
        node_failure = cluster.node_failure(task_id.node, GET_ACTION)
        if node_failure is not None:
            raise node_failure
        task = cluster.find(task_id)
        if task is not None:
            if not request.wait_for_completion:
                return GetResult(False, task.info(cluster.now_ns()))
            timeout = _wait_timeout(request.timeout_ns)
            if not cluster.wait_for([task], timeout):
                raise timeout_error(cluster, timeout)
            stored = cluster.stored_result(task_id)
            if stored is None:
                return GetResult(True, task.info(cluster.now_ns()))
            return GetResult(True, stored.task, stored.response, stored.error)
        stored = cluster.stored_result(task_id)
        if stored is not None:
            return GetResult(True, stored.task, stored.response, stored.error)
        raise _not_stored(cluster, task_id)


def _not_stored(cluster: Cluster, task_id: TaskId) -> ResourceNotFoundError:
    cause = None if cluster.tasks_index_exists else IndexNotFoundError(".tasks")
    return ResourceNotFoundError(
        f"task [{task_id}] isn't running and hasn't stored its results", caused_by=cause
    )


def cancel_tasks(cluster: Cluster, request: CancelRequest) -> TasksResult:
    """`TransportCancelTasksAction`: flag matching cancellable tasks and ban their children.

    Without a task id every cancellable task on the target nodes that matches is cancelled,
    the request's own `cancel[n]` tasks included (cancellable from 8.4): they are listed
    cancelled. Waiting for them would never end on the server (a task's cancellation completes
    when it finishes, and they finish only by answering); the fake's wait ends at `max_wait`.
    """
    request.validate()
    with cluster.lock:
        cluster.settle()
        failures: list[FailedNodeError] = []
        if request.task_id is not None:
            contacted = [request.task_id.node] if request.task_id.node in cluster.nodes else []
        else:
            targets = cluster_nodes(cluster, request.nodes)
            contacted = targets
        live = [n for n in contacted if n not in cluster.failed_nodes]
        description = own.cancel_description(
            request.reason,
            request.wait_for_completion,
            request.task_id,
            request.parent_task_id,
            request.nodes,
            request.actions,
        )
        mine = own.start(cluster, own.CANCEL_ACTION, live, request.headers, description=description)
        try:
            if request.task_id is not None:
                chosen, failure = _cancel_target(cluster, request)
                failures.extend([failure] if failure is not None else [])
            else:
                failures = _node_failures(cluster, targets, CANCEL_NODE_ACTION)
                test = _action_test(request.actions)
                chosen = [
                    t for t in cluster.select(live, test, request.parent_task_id) if t.cancellable
                ]
            return _cancel(cluster, request, chosen, failures)
        finally:
            own.finish(cluster, mine)


def _cancel(
    cluster: Cluster, request: CancelRequest, chosen: list[Task], failures: list[FailedNodeError]
) -> TasksResult:
    task_failures = _task_failures(cluster, chosen)
    chosen = [t for t in chosen if t.task_id not in cluster.task_failures]
    refused = [(t, e) for t in chosen if (e := handoff_refusal(t)) is not None]
    task_failures += [TaskFailure(t.task_id, e.http_status(), e) for t, e in refused]
    chosen = [t for t in chosen if handoff_refusal(t) is None]
    for task in chosen:
        cluster.cancel(task, request.reason)
    now = cluster.now_ns()
    infos = [t.info(now, detailed=False) for t in chosen]
    if request.wait_for_completion:
        awaited = [d for t in chosen for d in (t, *cluster.descendants(t))]
        if not cluster.wait_for(awaited, cluster.max_wait_ns):
            raise timeout_error(cluster, cluster.max_wait_ns)
    return TasksResult(tasks=infos, node_failures=failures, task_failures=task_failures)


def _cancel_target(
    cluster: Cluster, request: CancelRequest
) -> tuple[list[Task], FailedNodeError | None]:
    """The task a cancel by id reaches; from 9.5 also the tasks continuing it after a
    relocation, on any node (`TransportCancelTasksAction.processTasks` matches original ids)."""
    chosen, failure = _direct_cancel_target(cluster, request)
    if request.task_id is None or not cluster.has("reindex_relocation"):
        return chosen, failure
    continued = [
        t
        for t in cluster.tasks()
        if t.original == request.task_id
        and t.cancellable
        and _matches(t, request.actions, request.parent_task_id)
    ]
    if not continued:
        return chosen, failure
    missing = (
        failure is not None
        and failure.caused_by is not None
        and (
            failure.caused_by.es_type in ("resource_not_found_exception", "no_such_node_exception")
        )
    )
    return [*chosen, *continued], None if missing else failure


def _direct_cancel_target(
    cluster: Cluster, request: CancelRequest
) -> tuple[list[Task], FailedNodeError | None]:
    task_id = request.task_id
    assert task_id is not None
    node = task_id.node
    if node not in cluster.nodes:
        return [], FailedNodeError(node, NoSuchNodeError(node))
    node_failure = cluster.node_failure(node, CANCEL_NODE_ACTION)
    if node_failure is not None:
        return [], FailedNodeError(node, node_failure)
    task = cluster.find(task_id)
    if task is None:
        return [], FailedNodeError(node, ResourceNotFoundError(f"task [{task_id}] is not found"))
    if not task.cancellable:
        reason = f"task [{task_id}] doesn't support cancellation"
        return [], FailedNodeError(node, IllegalArgumentError(reason))
    if not _matches(task, request.actions, request.parent_task_id):
        reason = f"task [{task_id}] doesn't support this operation"
        return [], FailedNodeError(node, IllegalArgumentError(reason))
    return [task], None
