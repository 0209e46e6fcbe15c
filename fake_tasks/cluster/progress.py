"""Statuses that move with time: `BulkByScrollTask.Status` of reindex and by-query tasks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fake_tasks.cluster.model import Task

BATCH_SIZE = 1000
_COUNTED = {"reindex": "created", "update_by_query": "updated", "delete_by_query": "deleted"}


@dataclass(frozen=True)
class BulkProgress:
    """Documents processed so far grow linearly from the task's start to its planned end.

    `kind` is `reindex`, `update_by_query` or `delete_by_query`; `slices` > 1 gives a leader
    status with a `slices` array, as a sliced request's parent task shows.
    """

    kind: str
    total: int
    slice_id: int | None = None
    slices: int = 1

    def __post_init__(self) -> None:
        if self.kind not in _COUNTED:
            raise ValueError(f"kind must be one of {sorted(_COUNTED)}, got {self.kind!r}")

    def fraction(self, task: Task, now_ns: int) -> float:
        if task.finished_ns is not None and not task.cancelled and not task.failed:
            return 1.0
        if not task.duration_ns:
            return 0.0
        return min(1.0, max(0.0, (now_ns - task.start_ns) / task.duration_ns))

    def counts(self, done: int, total: int) -> dict[str, Any]:
        counted = _COUNTED[self.kind]
        out: dict[str, Any] = {
            "total": total,
            "updated": done if counted == "updated" else 0,
            "created": done if counted == "created" else 0,
            "deleted": done if counted == "deleted" else 0,
            "batches": -(-done // BATCH_SIZE),
            "version_conflicts": 0,
            "noops": 0,
            "retries": {"bulk": 0, "search": 0},
            "throttled_millis": 0,
            "requests_per_second": -1.0,
        }
        return out

    def __call__(self, task: Task, now_ns: int) -> dict[str, Any]:
        done = int(self.total * self.fraction(task, now_ns))
        status: dict[str, Any] = {}
        if self.slice_id is not None:
            status["slice_id"] = self.slice_id
        status.update(self.counts(done, self.total))
        if task.cancel_reason is not None:
            status["canceled"] = task.cancel_reason
        status["throttled_until_millis"] = 0
        if self.slices > 1:
            share = self.total // self.slices
            status["slices"] = [
                {
                    "slice_id": i,
                    **self.counts(done // self.slices, share),
                    "throttled_until_millis": 0,
                }
                for i in range(self.slices)
            ]
        return status

    def response(self, task: Task) -> dict[str, Any]:
        """The stored `BulkByScrollResponse` once the task has finished."""
        end = task.finished_ns if task.finished_ns is not None else task.start_ns
        done = int(self.total * self.fraction(task, end))
        body: dict[str, Any] = {
            "took": max(0, end - task.start_ns) // 1_000_000,
            "timed_out": False,
        }
        body.update(self.counts(done, self.total))
        if task.cancel_reason is not None:
            body["canceled"] = task.cancel_reason
        body["throttled_until_millis"] = 0
        body["failures"] = []
        return body
