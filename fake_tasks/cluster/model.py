"""The fake cluster: nodes, running tasks, stored results and every task transition; no HTTP."""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fake_tasks.cluster.bulkscript import BulkScript
from fake_tasks.cluster.clock import Clock, VirtualClock
from fake_tasks.cluster.events import Schedule, Scheduled
from fake_tasks.cluster.health import HealthScript
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.index import TaskIndex
from fake_tasks.cluster.indices import IndexCatalog
from fake_tasks.cluster.rollup import RollupJobs
from fake_tasks.cluster.tasks import Progress, ResultFn, StatusFn, StoredResult, Task, TaskInfo
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import EsError, FakeTasksError, TaskCancelledError, TransportFailure
from fake_tasks.versions import DEFAULT_VERSION, EsVersion, parse_version

__all__ = [
    "DEFAULT_CANCEL_REASON",
    "ES_VERSION",
    "KEEP",
    "Cluster",
    "ClusterClosed",
    "Node",
    "Progress",
    "ResultFn",
    "Scheduled",
    "StatusFn",
    "StoredResult",
    "Task",
    "TaskInfo",
]

DEFAULT_CANCEL_REASON = "by user request"
ES_VERSION = DEFAULT_VERSION


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


class _Keep:
    """Marker for "leave this setting as it is"."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


# Waits end by the year 9000 at the latest: a virtual clock jumping ahead by the longest timeouts
# (106751 days each) would otherwise leave the dates Python (and the ES formatters) can print.
_LATEST_NS = 220_898_880_000 * 1_000_000_000


class ClusterClosed(FakeTasksError):
    """The cluster was closed while a request waited on it."""


class Cluster:
    """A fake multi-node cluster: the state behind every route, guarded by one lock.

    Time comes from `clock`. Everything that happens with time (a task's end, a cancel honoured
    after its delay, a parent ending after its last child) is a scheduled event; every
    observation first runs the events that have come due (`settle`), in time order, so reading
    never depends on a thread and costs nothing when nothing is due.
    `copy.deepcopy(cluster)` is an independent cluster in the same state (clock included).
    """

    def __init__(
        self,
        nodes: Sequence[Node],
        *,
        clock: Clock | None = None,
        name: str = "fake-cluster",
        uuid: str = "Wl9mYWtlLXRhc2tzLXV1aWQ",
        version: str | EsVersion = ES_VERSION,
        first_task_id: int | Mapping[str, int] = 1,
        max_wait: float | str = "60s",
    ) -> None:
        if not nodes:
            raise FakeTasksError("a cluster needs at least one node")
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self.name = name
        self.uuid = uuid
        self.es_version = parse_version(version)
        self.version = self.es_version.number
        self.nodes: dict[str, Node] = {node.id: node for node in nodes}
        self.local_node_id = nodes[0].id
        self.master_node_id = next(
            (node.id for node in nodes if "master" in node.roles), nodes[0].id
        )
        self.max_wait_ns = seconds_to_nanos(max_wait, "max_wait")
        self.indices = IndexCatalog(self.clock, self.version)
        self.rollup = RollupJobs()
        self.bulk = BulkScript()
        self.health = HealthScript()
        self.failed_nodes: dict[str, EsError] = {}
        # tasks whose per-task operation fails: reported in `task_failures`, not listed/cancelled
        self.task_failures: Mapping[TaskId, EsError] = {}
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._closed = False
        self._index = TaskIndex(list(self.nodes))
        self._schedule = Schedule()
        self._results: dict[TaskId, StoredResult] = {}
        self._tasks_index_exists = False
        self._next_ids = {
            node.id: first_task_id
            if isinstance(first_task_id, int)
            else first_task_id.get(node.id, 1)
            for node in nodes
        }
        self._request_seq = 0

    def __deepcopy__(self, memo: dict[int, Any]) -> Cluster:
        with self.lock:
            twin = Cluster.__new__(Cluster)
            memo[id(self)] = twin
            for name, value in self.__dict__.items():
                if name not in ("lock", "changed", "_closed"):
                    twin.__dict__[name] = copy.deepcopy(value, memo)
            twin.lock = threading.RLock()
            twin.changed = threading.Condition(twin.lock)
            twin._closed = False
            return twin

    def attach_clock(self, clock: Clock) -> None:
        """Run on `clock` from now on (generation draws a cluster on a frozen clock first)."""
        with self.lock:
            self.clock = clock
            self.indices.use_clock(clock)

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
            return list(self._index)

    def select(
        self,
        nodes: Collection[str] | None = None,
        action: Callable[[str], bool] | None = None,
        parent: TaskId | None = None,
    ) -> list[Task]:
        """Running tasks on `nodes` (None: all) whose action passes `action` and whose parent is
        `parent` (None: any), in node order then id order, read from the narrowest index."""
        with self.lock:
            self.settle()
            return self._index.select(nodes, action, parent)

    def task(self, task_id: TaskId | str) -> Task:
        """A running task by id; FakeTasksError if it is not running."""
        key = _as_task_id(task_id)
        found = self.find(key)
        if found is None:
            raise FakeTasksError(f"task {key} is not running")
        return found

    def find(self, task_id: TaskId) -> Task | None:
        with self.lock:
            self.settle()
            return self._index.get(task_id)

    def children(self, task: Task) -> list[Task]:
        """Running children, in the order they started."""
        return self._index.children(task.task_id)

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
        with self.lock:
            self._request_seq += 1
            return self._request_seq

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
        progress: Progress | None = None,
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
                parent_task = self._index.get(parent_id)
                if parent_task is not None and parent_task.cancelled:
                    raise TaskCancelledError(
                        f"parent task was cancelled [{parent_task.cancel_reason}]"
                    )
            number = task_id if task_id is not None else self._next_ids[node_id]
            if TaskId(node_id, number) in self._index:
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
                progress=progress,
            )
            if task_id is None:
                self._next_ids[node_id] = number + 1
            self._index.add(task)
            self._reschedule(task)
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
                    if each.progress is not None:
                        each.progress.on_cancel(each, now)
                    self._reschedule(each)
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
            self._reschedule(found)
            self.changed.notify_all()
            return found

    def remove(self, task: Task | TaskId | str) -> None:
        """Drop a task without storing anything (a request task that answered)."""
        with self.lock:
            found = self._running(task)
            now = self.now_ns()
            found.finished_ns = now
            self._discard(found)
            self._parents_after(found, now)
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

    def schedule(self, at_ns: int, callback: Callable[[int], None]) -> Scheduled:
        """Run `callback(at_ns)` under the lock once the clock has reached `at_ns`.

        Due events run at the next observation, in time order (ties: in scheduling order), so a
        callback sees the state as it was at its instant. For the state to survive a deepcopy,
        `callback` must be a bound method (or a `functools.partial` of one) of an object the
        cluster holds; a closure would act on the original. `unschedule` withdraws it.
        """
        with self.lock:
            entry = self._schedule.at(at_ns, callback)
            self.changed.notify_all()
            return entry

    def unschedule(self, entry: Scheduled | None) -> None:
        """Withdraw a scheduled event that has not run yet (anything else is ignored)."""
        with self.lock:
            self._schedule.withdraw(entry)

    def next_event_ns(self) -> int | None:
        """When the next scheduled event is due; None if nothing is scheduled."""
        with self.lock:
            return self._schedule.next_ns()

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
        """Run every event whose time has come, in time order: O(1) when none is due."""
        with self.lock:
            now = self.clock.now_ns()
            ran = False
            while (entry := self._schedule.pop_due(now)) is not None:
                entry.callback(entry.at_ns)
                ran = True
            if ran:
                self.changed.notify_all()

    def wait_for(self, tasks: Iterable[Task], timeout_ns: int) -> bool:
        """Wait until all `tasks` (and descendants) finish or `timeout_ns` passes.

        Returns whether they all finished. Virtual clocks jump instead of sleeping; realtime
        waits block, bounded by the timeout (the request's own, as on the server: the caller
        bounds waits the server does not), and `close()` releases them. A timeout of zero or
        less checks once.
        """
        awaited = list(tasks)
        with self.lock:
            deadline = min(self.now_ns() + max(0, timeout_ns), _LATEST_NS)
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
        return self.es_version.major

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Whether the emulated Elasticsearch version is `major.minor` or newer."""
        return self.es_version.at_least(major, minor)

    def has(self, feature: str) -> bool:
        """Whether the emulated version has a behaviour of `fake_tasks.versions.FEATURES`."""
        return self.es_version.has(feature)

    # -- internals -----------------------------------------------------------------------------

    def _running(self, task: Task | TaskId | str) -> Task:
        if isinstance(task, Task) and self._index.get(task.task_id) is task:
            return task  # no settle: a batch of transitions sees one instant
        self.settle()
        key = task.task_id if isinstance(task, Task) else _as_task_id(task)
        found = self._index.get(key)
        if found is None:
            raise FakeTasksError(f"task {key} is not running")
        return found

    def _reschedule(self, task: Task) -> None:
        """(Re)schedule the task's own end after its timing or cancellation changed."""
        end = task.own_end_ns()
        current = task.end_event
        if current is not None and not current.done and current.at_ns == end:
            return
        self._schedule.withdraw(current)
        task.end_event = (
            None if end is None else self._schedule.at(end, functools.partial(self._due, task))
        )

    def _due(self, task: Task, at_ns: int) -> None:
        """A task's own end came: it ends now, or with its last child if children still run."""
        task.end_event = None
        if task.running and not self._index.has_children(task.task_id):
            self._end(task, at_ns)
            self._parents_after(task, at_ns)

    def _parents_after(self, task: Task, at_ns: int) -> None:
        """A task ended at `at_ns`: end the ancestors that were waiting only for it."""
        parent_id = task.parent
        while parent_id is not None:
            parent = self._index.get(parent_id)
            if parent is None or self._index.has_children(parent_id):
                return
            own_end = parent.own_end_ns()
            if own_end is None or own_end > at_ns:
                return
            self._end(parent, at_ns)
            parent_id = parent.parent

    def _finish_tree(self, task: Task, at_ns: int) -> None:
        """End a task now, its running descendants first (deepest first)."""

        def end_subtree(each: Task) -> None:
            for child in sorted(self.children(each), key=lambda t: (t.node, t.id)):
                end_subtree(child)
            self._end(each, at_ns)

        end_subtree(task)
        self._parents_after(task, at_ns)
        self.changed.notify_all()

    def _discard(self, task: Task) -> None:
        self._index.discard(task)
        self._schedule.withdraw(task.end_event)
        task.end_event = None

    def _end(self, task: Task, at_ns: int) -> None:
        task.finished_ns = at_ns
        self._discard(task)
        if task.progress is not None:
            task.progress.on_finish(task)
        if not task.store_result:
            return
        # Stored without `cancelled` (TaskResultsService), read back with its default: false.
        info = task.info(at_ns, include_cancelled=False)
        if info.cancellable:
            info = replace(info, cancelled=False)
        if task.failed and task.error is not None:
            self.store(StoredResult(info, error=task.error))
        elif task.progress is not None:
            self.store(StoredResult(info, response=task.progress.response(task)))
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
