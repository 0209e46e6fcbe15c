"""A cluster's tasks: running ones (indexed), stored results, and every task transition."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from fake_tasks.cluster.clock import Clock
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.index import TaskIndex
from fake_tasks.cluster.nodes import Node
from fake_tasks.cluster.tasks import Progress, ResultFn, StatusFn, StoredResult, Task
from fake_tasks.cluster.timeline import Timeline
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import EsError, FakeTasksError, TaskCancelledError

__all__ = ["DEFAULT_CANCEL_REASON", "KEEP", "TaskTable", "as_task_id"]

DEFAULT_CANCEL_REASON = "by user request"


class _Keep:
    """Marker for "leave this setting as it is"."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


class TaskTable(Timeline):
    """The tasks of a cluster of `nodes`: lookups through indexes, transitions as events.

    A task's own end (its duration, or a cancel plus its delay) is scheduled when it starts and
    rescheduled when its timing changes; a parent whose own end has passed ends with its last
    running child. Task ids count up per node from `first_task_id`.
    """

    def __init__(
        self,
        nodes: Sequence[Node],
        clock: Clock | None = None,
        first_task_id: int | Mapping[str, int] = 1,
    ) -> None:
        if not nodes:
            raise FakeTasksError("a cluster needs at least one node")
        super().__init__(clock)
        self.nodes: dict[str, Node] = {node.id: node for node in nodes}
        self.local_node_id = nodes[0].id
        self._index = TaskIndex(list(self.nodes))
        self._results: dict[TaskId, StoredResult] = {}
        self._tasks_index_exists = False
        self._next_ids = {
            node.id: first_task_id
            if isinstance(first_task_id, int)
            else first_task_id.get(node.id, 1)
            for node in nodes
        }

    # -- queries ---------------------------------------------------------------------------------

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

    def running_count(self) -> int:
        """How many tasks run now (without listing them)."""
        with self.lock:
            self.settle()
            return len(self._index)

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
        key = as_task_id(task_id)
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

    def stored_results(self) -> list[StoredResult]:
        """The documents of the `.tasks` index, in the order they were stored."""
        with self.lock:
            self.settle()
            return list(self._results.values())

    @property
    def tasks_index_exists(self) -> bool:
        """Whether the `.tasks` index exists: it is created by the first stored result."""
        return self._tasks_index_exists

    # -- transitions -----------------------------------------------------------------------------

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
                else as_task_id(parent)
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
                start_ns=self.now_ns() - _nanos(started_ago, "started_ago"),
                cancellable=cancellable,
                parent=parent_id,
                headers=dict(headers or {}),
                status=status,
                duration_ns=None if duration is None else _nanos(duration, "duration"),
                cancel_delay_ns=None
                if cancel_delay is None
                else _nanos(cancel_delay, "cancel_delay"),
                store_result=store_result,
                result=result,
                progress=progress,
            )
            # a node's ids only grow: later ids follow an explicit one too
            self._next_ids[node_id] = max(self._next_ids[node_id], number + 1)
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

    # -- internals -------------------------------------------------------------------------------

    def _running(self, task: Task | TaskId | str) -> Task:
        if isinstance(task, Task) and self._index.get(task.task_id) is task:
            return task  # no settle: a batch of transitions sees one instant
        self.settle()
        key = task.task_id if isinstance(task, Task) else as_task_id(task)
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
        task.end_event = None if end is None else self._schedule.at_for(end, self._due, task)

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


def _nanos(value: float | str, setting: str) -> int:
    """`seconds_to_nanos`, without its checks for the plain seconds a generated cluster gives."""
    if (type(value) is float or type(value) is int) and 0 <= value < math.inf:
        return round(value * 1e9)
    return seconds_to_nanos(value, setting)


def as_task_id(task_id: TaskId | str) -> TaskId:
    if isinstance(task_id, TaskId):
        return task_id
    try:
        parsed = TaskId.parse(task_id)
    except EsError as error:
        raise FakeTasksError(f"{task_id!r} is not a task id: {error.reason}") from None
    if parsed is None:
        raise FakeTasksError(f"{task_id!r} is not a task id")
    return parsed
