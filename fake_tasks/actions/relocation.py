"""How list, get and cancel treat relocated reindex tasks (9.5+).

`TransportGetTaskAction.followReindexRelocationIfNeeded` and `mergeRelocatedTask`,
`TransportListTasksAction.deduplicateTasksOnOriginalTaskId`, and the cancel refused during a
hand-off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TypeVar

from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.model import TaskInfo
from fake_tasks.cluster.relocation import REINDEX_ACTION, relocated_to
from fake_tasks.errors import EsError

__all__ = ["deduplicate", "follow", "merge"]

MAX_HOPS = 32  # a relocation chain longer than this is a loop in a script, not a cluster

R = TypeVar("R")


def follow(
    result: R,
    completed: Callable[[R], bool],
    parts: Callable[[R], tuple[TaskInfo, EsError | None]],
    get: Callable[[TaskId], R],
    rebuild: Callable[[R, TaskInfo], R],
) -> R:
    """Follow a completed reindex's relocation chain to where the task runs (or ended) now.

    Each hop's answer is merged with the first task's timing; a hop that fails leaves the
    answer as it was ("failed to follow ... returning original response").
    """
    for _ in range(MAX_HOPS):
        info, error = parts(result)
        target = relocated_to(error) if completed(result) else None
        if target is None or info.action != REINDEX_ACTION:
            return result
        try:
            hop = get(target)
        except EsError:
            return result
        result = rebuild(hop, merge(info, parts(hop)[0]))
    return result


def merge(original: TaskInfo, relocated: TaskInfo) -> TaskInfo:
    """`mergeRelocatedTask`: the relocated task, timed from the original task's start."""
    shift_ns = (relocated.start_time_ms - original.start_time_ms) * 1_000_000
    return replace(
        relocated,
        start_time_ms=original.start_time_ms,
        running_time_ns=relocated.running_time_ns + shift_ns,
    )


def deduplicate(infos: Mapping[TaskId, TaskInfo]) -> dict[TaskId, TaskInfo]:
    """One entry per original task id; the newer physical task (shorter running time) wins."""
    chosen: dict[TaskId, TaskInfo] = {}
    for info in infos.values():
        key = info.original_task_id or info.task_id
        kept = chosen.get(key)
        if kept is None or info.running_time_ns < kept.running_time_ns:
            chosen[key] = info
    return {info.task_id: info for info in chosen.values()}
