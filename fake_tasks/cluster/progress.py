"""`BulkProgress`: a bulk-by-scroll status that grows linearly over a task's `duration`.

A simple status for hand-made tasks (`add_task(..., status=BulkProgress(...), result=
progress.response)`); the APIs and `add_reindex` run the full model of `cluster/bulkjob.py`.
Shapes follow the server: a sliced leader shows `null` for each slice still running and counts
only finished ones, and the stored response carries `slices` and the human-readable times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fake_tasks.cluster.bulk import split_evenly
from fake_tasks.cluster.bulkjob import COUNTED, humanize
from fake_tasks.cluster.timevalue import HumanTime

if TYPE_CHECKING:
    from fake_tasks.cluster.model import Task

__all__ = ["BATCH_SIZE", "BulkProgress"]

BATCH_SIZE = 1000


@dataclass(frozen=True)
class BulkProgress:
    """Documents processed so far grow linearly from the task's start to its planned end.

    `kind` is `reindex`, `update_by_query` or `delete_by_query`; `slices` > 1 makes it the
    status of a sliced request's leader (its slices all end with it); `slice_id` that of one
    slice.
    """

    kind: str
    total: int
    slice_id: int | None = None
    slices: int = 1

    def __deepcopy__(self, memo: dict[int, object]) -> BulkProgress:
        return self  # immutable: copies of a cluster share it

    def __post_init__(self) -> None:
        if self.kind not in COUNTED:
            raise ValueError(f"kind must be one of {sorted(COUNTED)}, got {self.kind!r}")

    def fraction(self, task: Task, now_ns: int) -> float:
        if task.finished_ns is not None and not task.cancelled and not task.failed:
            return 1.0
        if not task.duration_ns:
            return 0.0
        return min(1.0, max(0.0, (now_ns - task.start_ns) / task.duration_ns))

    def counts(
        self, done: int, total: int, cancel: str | None, slice_id: int | None = None
    ) -> dict[str, Any]:
        counted = COUNTED[self.kind]
        out: dict[str, Any] = {} if slice_id is None else {"slice_id": slice_id}
        out.update(
            {
                "total": total,
                "updated": done if counted == "updated" else 0,
                "created": done if counted == "created" else 0,
                "deleted": done if counted == "deleted" else 0,
                "batches": -(-done // BATCH_SIZE),
                "version_conflicts": 0,
                "noops": 0,
                "retries": {"bulk": 0, "search": 0},
                "throttled": HumanTime(0),
                "throttled_millis": 0,
                "requests_per_second": -1.0,
            }
        )
        if cancel is not None:
            out["canceled"] = cancel
        out["throttled_until"] = HumanTime(0)
        out["throttled_until_millis"] = 0
        return out

    def _fields(self, task: Task, now_ns: int) -> dict[str, Any]:
        fraction = self.fraction(task, now_ns)
        cancel = task.cancel_reason
        if self.slices <= 1:
            return self.counts(int(self.total * fraction), self.total, cancel, self.slice_id)
        shares = split_evenly(self.total, self.slices)
        ended = fraction >= 1.0 or task.finished_ns is not None
        slots = [
            self.counts(int(share * fraction), share, cancel, i) if ended else None
            for i, share in enumerate(shares)
        ]
        finished = [s for s in slots if s is not None]
        out = self.counts(
            sum(s["created"] + s["updated"] + s["deleted"] for s in finished), 0, cancel
        )
        out["total"] = sum(s["total"] for s in finished)
        out["batches"] = sum(s["batches"] for s in finished)
        out["requests_per_second"] = -1.0 if finished else 0.0
        out["slices"] = slots
        return out

    def __call__(self, task: Task, now_ns: int) -> dict[str, Any]:
        return self._fields(task, now_ns)

    def response(self, task: Task) -> dict[str, Any]:
        """The stored `BulkByScrollResponse` once the task has finished (human times in)."""
        end = task.finished_ns if task.finished_ns is not None else task.start_ns
        body: dict[str, Any] = {
            "took": max(0, end - task.start_ns) // 1_000_000,
            "timed_out": False,
        }
        body.update(self._fields(task, end))
        body["failures"] = []
        out: dict[str, Any] = humanize(body, True)
        return out
