"""Action-shaped stand-ins: the status and stored result a hand-made task of a known action has.

A task scripted with `add_task("indices:data/write/reindex", store_result=True)` and no status
or result of its own still answers like the server's task of that action would: a
`BulkByScrollTask.Status` of a worker that found nothing, and a `BulkByScrollResponse` (or a
force merge's broadcast answer) when it ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fake_tasks.cluster.bulk import Worker
from fake_tasks.cluster.bulkjob import ACTIONS, WorkerProgress
from fake_tasks.cluster.merge import ACTION as MERGE_ACTION
from fake_tasks.cluster.merge import MergeProgress

if TYPE_CHECKING:
    from fake_tasks.cluster.model import ResultFn, StatusFn, Task

__all__ = ["stand_in_result", "stand_in_status"]

_KINDS = {action: kind for kind, action in ACTIONS.items()}


def _empty(task: Task) -> WorkerProgress:
    worker = Worker(total=0, batch_size=1000, batch_ns=1, start_ns=task.start_ns)
    progress = WorkerProgress(_KINDS[task.action], worker, index="", node=task.node)
    progress.cancel_reason = task.cancel_reason
    return progress


def _status(task: Task, now_ns: int) -> dict[str, Any]:
    return _empty(task).fields(now_ns, task.cancel_reason)


def _bulk_result(task: Task) -> dict[str, Any]:
    return _empty(task).response(task)


def _merge_result(task: Task) -> dict[str, Any]:
    return MergeProgress(0, 0).response(task)


def stand_in_status(action: str) -> StatusFn | None:
    """The status a task of `action` shows without one of its own (None: no status)."""
    return _status if action in _KINDS else None


def stand_in_result(action: str) -> ResultFn | None:
    """The response a task of `action` stores without one of its own (None: `{}`)."""
    if action in _KINDS:
        return _bulk_result
    return _merge_result if action == MERGE_ACTION else None
