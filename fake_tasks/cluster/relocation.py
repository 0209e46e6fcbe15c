"""Reindex relocation (9.5+): a running reindex moves to another node when its node shuts down.

The source task ends by storing a `task_relocated_exception` naming the task that continues it
on the destination node; that task carries the first task's id and start time
(`original_task_id`, `original_start_time_in_millis`) and picks up its progress. During a
hand-off both run and the source refuses cancels (`BulkByScrollTask.ensureCancellable`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.model import Cluster, Task
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import EsError, FakeTasksError

__all__ = [
    "REINDEX_ACTION",
    "TaskRelocatedError",
    "handoff_refusal",
    "relocate",
    "relocated_to",
    "shutdown_node",
]

REINDEX_ACTION = "indices:data/write/reindex"


class TaskRelocatedError(EsError):
    """`TaskRelocatedException`: stored as the source task's error when it relocates."""

    es_type = "task_relocated_exception"
    java_class = "org.elasticsearch.reindex.TaskRelocatedException"

    def __init__(self, original: TaskId, relocated: TaskId) -> None:
        super().__init__(
            "Task was relocated",
            metadata={"original_task_id": str(original), "relocated_task_id": str(relocated)},
        )


def relocated_to(error: EsError | None) -> TaskId | None:
    """The task a stored `task_relocated_exception` points to (`relocatedTaskIdFromErrorMap`)."""
    if error is None or error.es_type != "task_relocated_exception":
        return None
    target = error.metadata.get("relocated_task_id")
    return TaskId.parse(target) if isinstance(target, str) else None


def handoff_refusal(task: Task) -> EsError | None:
    """What a cancel of `task` gets while its hand-off is under way (None: cancellable)."""
    if task.handoff_to is None or not task.running:
        return None
    return EsError.custom(
        "status_exception",
        f"task [{task.task_id}] is being relocated to [{task.handoff_to}] and cannot be cancelled",
        503,
    )


@dataclass(frozen=True)
class _Continued:
    """A status or result function evaluated as if the task had started `offset_ns` earlier."""

    inner: Callable[[Task, int], Any] | Callable[[Task], Any]
    offset_ns: int

    def _view(self, task: Task) -> Task:
        view = copy.copy(task)
        view.start_ns = task.start_ns - self.offset_ns
        if task.duration_ns is not None:
            view.duration_ns = task.duration_ns + self.offset_ns
        return view

    def __call__(self, task: Task, *now: int) -> Any:
        return self.inner(self._view(task), *now)


def relocate(
    cluster: Cluster, task: Task | TaskId | str, node: str, *, handoff: float | str = 0
) -> Task:
    """Move a running reindex to `node`; returns the task that continues it there.

    With `handoff` (seconds or an ES time), the source keeps running that long, refusing
    cancels, before it stores its `task_relocated_exception`.
    """
    if not cluster.has("reindex_relocation"):
        raise FakeTasksError(
            f"reindex relocation needs Elasticsearch 9.5 or later; this cluster emulates "
            f"{cluster.version}"
        )
    with cluster.lock:
        source = cluster.task(task.task_id if isinstance(task, Task) else task)
        target = cluster.node(node).id
        if source.action != REINDEX_ACTION or source.parent is not None:
            raise FakeTasksError(f"only a reindex's own task relocates, not {source.action}")
        if source.cancelled:
            raise FakeTasksError(f"task {source.task_id} was cancelled: it does not relocate")
        if source.handoff_to is not None:
            raise FakeTasksError(f"task {source.task_id} is already relocating")
        if target == source.node:
            raise FakeTasksError(f"task {source.task_id} already runs on {node}")
        if target in cluster.failed_nodes:
            raise FakeTasksError(f"node {node} is failed (fail_node): nothing relocates to it")
        delay = seconds_to_nanos(handoff, "handoff")
        workers = cluster.children(source)
        continued = _continue_task(cluster, source, target, None)
        continued.original = source.original or source.task_id
        continued.original_start_ns = (
            source.original_start_ns if source.original_start_ns is not None else source.start_ns
        )
        for worker in workers:  # a sliced reindex's workers restart under the new leader
            _continue_task(cluster, worker, target, continued)
            _freeze(cluster, worker, delay)  # the old workers end with the hand-off
        source.handoff_to = continued.task_id
        source.store_result = True  # the relocation is always recorded in `.tasks`
        source.error = TaskRelocatedError(continued.original, continued.task_id)
        source.failed = True
        _freeze(cluster, source, delay, reschedule=False)
        if delay == 0:
            cluster.fail(source, source.error)
        else:
            cluster.set_timing(source)  # reschedules its end: the hand-off ends by itself
        return continued


def shutdown_node(cluster: Cluster, node: str) -> list[Task]:
    """Relocate the running reindexes of `node` to the next live node; returns the moved ones."""
    with cluster.lock:
        leaving = cluster.node(node).id
        others = [n for n in cluster.nodes if n != leaving and n not in cluster.failed_nodes]
        if not others:
            raise FakeTasksError("no other live node to relocate to")
        moving = [
            t
            for t in cluster.tasks()
            if t.node == leaving
            and t.action == REINDEX_ACTION
            and t.parent is None
            and not t.cancelled
            and t.handoff_to is None
        ]
        return [relocate(cluster, t, others[0]) for t in moving]


def _continue_task(cluster: Cluster, task: Task, node: str, parent: Task | None) -> Task:
    """A new task on `node` carrying on `task`'s work: same request, progress and timings."""
    ran_ns = cluster.now_ns() - task.start_ns
    remaining = None if task.duration_ns is None else max(0, task.duration_ns - ran_ns)
    continued = cluster.start_task(
        task.action,
        node=node,
        type=task.type,
        description=task.description,
        parent=parent,
        cancellable=task.cancellable,
        headers=task.headers,
        status=_continue(task.status, ran_ns),
        duration=None,
        store_result=task.store_result,
        result=_continue(task.result, ran_ns),
    )
    continued.duration_ns = remaining
    continued.cancel_delay_ns = task.cancel_delay_ns
    continued.cancel_end = task.cancel_end
    # a bulk-by-scroll request's progress runs on the clock's timeline: it carries on as it is
    continued.progress = task.progress
    cluster.set_timing(continued)  # reschedules its end with the exact timings
    return continued


def _freeze(cluster: Cluster, task: Task, delay_ns: int, *, reschedule: bool = True) -> None:
    """Let a relocated task run on for `delay_ns` as it was now, then end (hand-off)."""
    now = cluster.now_ns()
    if task.progress is not None:
        task.status = task.progress.status(task, now)
        task.progress = None
    task.result = None
    task.duration_ns = now - task.start_ns + delay_ns
    task.cancel_delay_ns = None
    task.cancel_end = None
    if reschedule:
        cluster.set_timing(task)


def _continue(fn: Any, offset_ns: int) -> Any:
    return _Continued(fn, offset_ns) if callable(fn) else copy.deepcopy(fn)
