"""The fake cluster: nodes, running tasks, stored results and every task transition; no HTTP."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.cluster.clock import Clock, VirtualClock
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import EsError, FakeTasksError, TaskCancelledError, TransportFailure

DEFAULT_CANCEL_REASON = "by user request"
ES_VERSION = "9.1.0"

StatusFn = Callable[["Task", int], "dict[str, Any] | None"]
ResultFn = Callable[["Task"], "dict[str, Any]"]


@dataclass(frozen=True)
class Node:
    """A cluster member as `DiscoveryNode` describes it."""

    id: str
    name: str
    host: str
    ip: str
    port: int = 9300
    roles: tuple[str, ...] = ("data", "ingest", "master")
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", tuple(sorted(self.roles)))

    @property
    def transport_address(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True)
class TaskInfo:
    """An immutable snapshot of a task, as `TaskInfo` carries it over the wire."""

    node: str
    id: int
    type: str
    action: str
    status: Mapping[str, Any] | None
    description: str | None
    start_time_ms: int
    running_time_ns: int
    cancellable: bool
    cancelled: bool | None
    parent_task_id: TaskId | None
    headers: Mapping[str, str]

    @property
    def task_id(self) -> TaskId:
        return TaskId(self.node, self.id)


@dataclass(frozen=True)
class StoredResult:
    """A document of the `.tasks` index: the finished task and its response or error."""

    task: TaskInfo
    response: Mapping[str, Any] | None = None
    error: EsError | None = None


@dataclass(eq=False)
class Task:
    """A running (or finished) task and how it will behave over time.

    `duration_ns` of None means it runs until a script finishes it; `cancel_delay_ns` is how
    long it keeps running after a cancel (None: it ignores cancellation until finished).
    """

    node: str
    id: int
    action: str
    type: str = "transport"
    description: str = ""
    start_ns: int = 0
    cancellable: bool = True
    parent: TaskId | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: dict[str, Any] | StatusFn | None = None
    duration_ns: int | None = None
    cancel_delay_ns: int | None = 0
    store_result: bool = False
    result: dict[str, Any] | ResultFn | None = None
    error: EsError | None = None
    cancel_reason: str | None = None
    cancelled_ns: int | None = None
    finished_ns: int | None = None
    failed: bool = False

    @property
    def task_id(self) -> TaskId:
        return TaskId(self.node, self.id)

    @property
    def cancelled(self) -> bool:
        return self.cancel_reason is not None

    @property
    def running(self) -> bool:
        return self.finished_ns is None

    def own_end_ns(self) -> int | None:
        """When the task stops by itself, ignoring its children; None if not foreseeable."""
        if self.finished_ns is not None:
            return self.finished_ns
        ends = []
        if self.duration_ns is not None:
            ends.append(self.start_ns + self.duration_ns)
        if self.cancelled_ns is not None and self.cancel_delay_ns is not None:
            ends.append(self.cancelled_ns + self.cancel_delay_ns)
        return min(ends) if ends else None

    def status_at(self, now_ns: int) -> dict[str, Any] | None:
        if callable(self.status):
            return self.status(self, now_ns)
        return self.status

    def info(self, now_ns: int, *, include_cancelled: bool = True) -> TaskInfo:
        end = self.finished_ns if self.finished_ns is not None else now_ns
        return TaskInfo(
            node=self.node,
            id=self.id,
            type=self.type,
            action=self.action,
            status=self.status_at(end),
            description=self.description,
            start_time_ms=self.start_ns // 1_000_000,
            running_time_ns=max(0, end - self.start_ns),
            cancellable=self.cancellable,
            cancelled=self.cancelled if include_cancelled else None,
            parent_task_id=self.parent,
            headers=dict(self.headers),
        )


class _Keep:
    """Marker for "leave this setting as it is"."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


class ClusterClosed(FakeTasksError):
    """The cluster was closed while a request waited on it."""


class Cluster:
    """A fake multi-node cluster: the state behind every route, guarded by one lock.

    Time comes from `clock`. Tasks finish lazily: every observation first settles the tasks
    whose end time has passed (children before parents), so reading never depends on a thread.
    """

    def __init__(
        self,
        nodes: Sequence[Node],
        *,
        clock: Clock | None = None,
        name: str = "fake-cluster",
        uuid: str = "Wl9mYWtlLXRhc2tzLXV1aWQ",
        version: str = ES_VERSION,
        first_task_id: int | Mapping[str, int] = 1,
        max_wait: float | str = "60s",
    ) -> None:
        if not nodes:
            raise FakeTasksError("a cluster needs at least one node")
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self.name = name
        self.uuid = uuid
        self.version = version
        self.nodes: dict[str, Node] = {node.id: node for node in nodes}
        self.local_node_id = nodes[0].id
        self.master_node_id = next(
            (node.id for node in nodes if "master" in node.roles), nodes[0].id
        )
        self.max_wait_ns = seconds_to_nanos(max_wait, "max_wait")
        self.failed_nodes: dict[str, EsError] = {}
        # tasks whose per-task operation fails: reported in `task_failures`, not listed/cancelled
        self.task_failures: Mapping[TaskId, EsError] = {}
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._closed = False
        self._tasks: dict[TaskId, Task] = {}
        self._children: dict[TaskId, dict[TaskId, Task]] = {}
        self._results: dict[TaskId, StoredResult] = {}
        self._tasks_index_exists = False
        self._dirty = True  # something may have become due without the clock moving
        self._settled_at = -1
        self._counters = {
            node.id: itertools.count(
                first_task_id if isinstance(first_task_id, int) else first_task_id.get(node.id, 1)
            )
            for node in nodes
        }
        self._request_seq = itertools.count(1)

    # -- queries -------------------------------------------------------------------------------

    def now_ns(self) -> int:
        return self.clock.now_ns()

    def node(self, node: str) -> Node:
        """A node by id or name."""
        found = self.nodes.get(node) or next(
            (n for n in self.nodes.values() if n.name == node), None
        )
        if found is None:
            raise FakeTasksError(
                f"no node {node!r}; nodes are {[n.name for n in self.nodes.values()]}"
            )
        return found

    def tasks(self) -> list[Task]:
        """The running tasks, in node order then id order."""
        with self.lock:
            self.settle()
            order = {node_id: i for i, node_id in enumerate(self.nodes)}
            return sorted(
                self._tasks.values(), key=lambda t: (order.get(t.node, len(order)), t.node, t.id)
            )

    def task(self, task_id: TaskId | str) -> Task:
        """A running task by id; FakeTasksError if it is not running."""
        key = _as_task_id(task_id)
        with self.lock:
            self.settle()
            found = self._tasks.get(key)
        if found is None:
            raise FakeTasksError(f"task {key} is not running")
        return found

    def find(self, task_id: TaskId) -> Task | None:
        with self.lock:
            self.settle()
            return self._tasks.get(task_id)

    def children(self, task: Task) -> list[Task]:
        """Running children, in the order they started."""
        return list(self._children.get(task.task_id, {}).values())

    def descendants(self, task: Task) -> Iterator[Task]:
        for child in self.children(task):
            yield child
            yield from self.descendants(child)

    def stored_result(self, task_id: TaskId) -> StoredResult | None:
        with self.lock:
            self.settle()
            return self._results.get(task_id)

    @property
    def tasks_index_exists(self) -> bool:
        """Whether the `.tasks` index exists: it is created by the first stored result."""
        return self._tasks_index_exists

    def next_request_number(self) -> int:
        return next(self._request_seq)

    # -- transitions ---------------------------------------------------------------------------

    def start_task(
        self,
        action: str,
        *,
        node: str | None = None,
        type: str = "transport",
        description: str = "",
        parent: Task | TaskId | str | None = None,
        cancellable: bool = True,
        headers: Mapping[str, str] | None = None,
        status: dict[str, Any] | StatusFn | None = None,
        duration: float | str | None = None,
        cancel_delay: float | str | None = 0,
        store_result: bool = False,
        result: dict[str, Any] | ResultFn | None = None,
        started_ago: float | str = 0,
        task_id: int | None = None,
    ) -> Task:
        """Register a new running task; children of a cancelled parent are refused."""
        with self.lock:
            self.settle()
            node_id = self.node(node).id if node is not None else self.local_node_id
            parent_id = (
                parent.task_id
                if isinstance(parent, Task)
                else None
                if parent is None
                else _as_task_id(parent)
            )
            if parent_id is not None:
                parent_task = self._tasks.get(parent_id)
                if parent_task is not None and parent_task.cancelled:
                    raise TaskCancelledError(
                        f"parent task was cancelled [{parent_task.cancel_reason}]"
                    )
            number = task_id if task_id is not None else next(self._counters[node_id])
            if TaskId(node_id, number) in self._tasks:
                raise FakeTasksError(f"task {node_id}:{number} is already running")
            task = Task(
                node=node_id,
                id=number,
                action=action,
                type=type,
                description=description,
                start_ns=self.now_ns() - seconds_to_nanos(started_ago, "started_ago"),
                cancellable=cancellable,
                parent=parent_id,
                headers=dict(headers or {}),
                status=status,
                duration_ns=None if duration is None else seconds_to_nanos(duration, "duration"),
                cancel_delay_ns=(
                    None if cancel_delay is None else seconds_to_nanos(cancel_delay, "cancel_delay")
                ),
                store_result=store_result,
                result=result,
            )
            self._add(task)
            self.changed.notify_all()
            return task

    def finish(self, task: Task | TaskId | str, result: dict[str, Any] | None = None) -> None:
        """Complete a task now (after its running descendants, which complete first)."""
        with self.lock:
            found = self._running(task)
            if result is not None:
                found.result = result
            self._finish_tree(found, self.now_ns())

    def fail(self, task: Task | TaskId | str, error: EsError) -> None:
        """End a task now with an error (stored if the task stores its result)."""
        with self.lock:
            found = self._running(task)
            found.error = error
            found.failed = True
            self._finish_tree(found, self.now_ns())

    def cancel(self, task: Task | TaskId | str, reason: str = DEFAULT_CANCEL_REASON) -> list[Task]:
        """Flag a cancellable task and its cancellable descendants cancelled; idempotent."""
        with self.lock:
            found = self._running(task)
            if not found.cancellable:
                raise FakeTasksError(f"task {found.task_id} is not cancellable")
            now = self.now_ns()
            touched = [found, *self.descendants(found)]
            for each in touched:
                if each.cancellable and each.cancel_reason is None:
                    each.cancel_reason = reason
                    each.cancelled_ns = now
            self._dirty = True
            self.changed.notify_all()
            return touched

    def set_timing(
        self,
        task: Task | TaskId | str,
        *,
        duration: float | str | _Keep | None = KEEP,
        cancel_delay: float | str | _Keep | None = KEEP,
    ) -> Task:
        """Change how long a running task runs, or takes to honour a cancel (None: forever)."""
        with self.lock:
            found = self._running(task)
            if not isinstance(duration, _Keep):
                found.duration_ns = (
                    None if duration is None else seconds_to_nanos(duration, "duration")
                )
            if not isinstance(cancel_delay, _Keep):
                found.cancel_delay_ns = (
                    None if cancel_delay is None else seconds_to_nanos(cancel_delay, "cancel_delay")
                )
            self._dirty = True
            self.changed.notify_all()
            return found

    def remove(self, task: Task | TaskId | str) -> None:
        """Drop a task without storing anything (a request task that answered)."""
        with self.lock:
            found = self._running(task)
            found.finished_ns = self.now_ns()
            self._discard(found)
            self.changed.notify_all()

    def store(self, result: StoredResult) -> None:
        """Write a document into `.tasks` (creating the index)."""
        with self.lock:
            self._tasks_index_exists = True
            self._results[result.task.task_id] = result

    def fail_node(self, node: str, cause: EsError) -> None:
        with self.lock:
            self.failed_nodes[self.node(node).id] = cause

    def node_failure(self, node_id: str, action: str) -> EsError | None:
        """What a request for `action` gets from a failed node, or None if the node is up."""
        cause = self.failed_nodes.get(node_id)
        if isinstance(cause, TransportFailure):
            return cause.for_action(action)
        return cause

    def restore_node(self, node: str) -> None:
        with self.lock:
            self.failed_nodes.pop(self.node(node).id, None)

    # -- time ----------------------------------------------------------------------------------

    def end_ns(self, task: Task, _memo: dict[TaskId, int | None] | None = None) -> int | None:
        """When a task and all its descendants will have finished; None if not foreseeable."""
        memo = {} if _memo is None else _memo
        key = task.task_id
        if key in memo:
            return memo[key]
        end = task.own_end_ns()
        for child in self.children(task):
            if end is None:
                break
            child_end = self.end_ns(child, memo)
            end = None if child_end is None else max(end, child_end)
        memo[key] = end
        return end

    def settle(self) -> None:
        """Finish every task whose time has come, children first, at the time each ended."""
        with self.lock:
            now = self.now_ns()
            if now == self._settled_at and not self._dirty:
                return
            memo: dict[TaskId, int | None] = {}
            due = []
            for task in self._tasks.values():
                end = self.end_ns(task, memo)
                if end is not None and end <= now:
                    due.append((end, -self._depth(task), task.node, task.id, task))
            for end, _, _, _, task in sorted(due, key=lambda d: d[:4]):
                if task.running:
                    self._complete(task, end)
            if due:
                self.changed.notify_all()
            self._settled_at, self._dirty = now, False

    def wait_for(self, tasks: Iterable[Task], timeout_ns: int) -> bool:
        """Wait until all `tasks` (and descendants) finish or `timeout_ns` passes.

        Returns whether they all finished. Virtual clocks jump instead of sleeping; realtime
        waits block, bounded by the timeout, and `close()` releases them.
        """
        awaited = list(tasks)
        with self.lock:
            deadline = self.now_ns() + max(0, min(timeout_ns, self.max_wait_ns))
            while True:
                self.settle()
                if all(not t.running for t in awaited):
                    return True
                if self._closed:
                    raise ClusterClosed("the cluster was closed while a request was waiting")
                now = self.now_ns()
                if now >= deadline:
                    return False
                ends = [self.end_ns(t) for t in awaited if t.running]
                known = [e for e in ends if e is not None]
                target = deadline if len(known) < len(ends) else min(max(known), deadline)
                self.clock.wait(self.changed, max(target, now + 1))

    def close(self) -> None:
        """Release every waiting request; later waits fail at once."""
        with self.lock:
            self._closed = True
            self.changed.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def major_version(self) -> int:
        return int(self.version.split(".")[0])

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Whether the emulated Elasticsearch version is `major.minor` or newer."""
        parts = [int(p) for p in self.version.split(".")[:2] if p.isdigit()]
        return tuple(parts + [0] * (2 - len(parts))) >= (major, minor)

    # -- internals -----------------------------------------------------------------------------

    def _running(self, task: Task | TaskId | str) -> Task:
        if isinstance(task, Task) and self._tasks.get(task.task_id) is task:
            return task
        key = task.task_id if isinstance(task, Task) else _as_task_id(task)
        self.settle()
        found = self._tasks.get(key)
        if found is None:
            raise FakeTasksError(f"task {key} is not running")
        return found

    def _depth(self, task: Task) -> int:
        depth, parent = 0, task.parent
        while parent is not None and parent in self._tasks and depth < 64:
            depth, parent = depth + 1, self._tasks[parent].parent
        return depth

    def _finish_tree(self, task: Task, at_ns: int) -> None:
        for child in sorted(self.children(task), key=lambda t: (t.node, t.id)):
            self._finish_tree(child, at_ns)
        self._complete(task, at_ns)
        self.changed.notify_all()

    def _add(self, task: Task) -> None:
        self._tasks[task.task_id] = task
        if task.parent is not None:
            self._children.setdefault(task.parent, {})[task.task_id] = task
        end = task.own_end_ns()
        if end is not None and end <= self.now_ns():
            self._dirty = True

    def _discard(self, task: Task) -> None:
        self._tasks.pop(task.task_id, None)
        if task.parent is not None:
            siblings = self._children.get(task.parent)
            if siblings is not None:
                siblings.pop(task.task_id, None)
                if not siblings:
                    del self._children[task.parent]
        self._dirty = True  # a parent may have been waiting for this task only

    def _complete(self, task: Task, at_ns: int) -> None:
        task.finished_ns = at_ns
        self._discard(task)
        if not task.store_result:
            return
        info = task.info(at_ns, include_cancelled=False)
        if task.failed and task.error is not None:
            self.store(StoredResult(info, error=task.error))
        elif task.cancelled and task.result is None:
            self.store(
                StoredResult(
                    info, error=TaskCancelledError(f"task cancelled [{task.cancel_reason}]")
                )
            )
        else:
            response = task.result(task) if callable(task.result) else (task.result or {})
            self.store(StoredResult(info, response=response))


def _as_task_id(task_id: TaskId | str) -> TaskId:
    if isinstance(task_id, TaskId):
        return task_id
    try:
        parsed = TaskId.parse(task_id)
    except EsError as error:
        raise FakeTasksError(f"{task_id!r} is not a task id: {error.reason}") from None
    if parsed is None:
        raise FakeTasksError(f"{task_id!r} is not a task id")
    return parsed
