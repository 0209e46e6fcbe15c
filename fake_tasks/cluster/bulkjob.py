"""Reindex, update by query and delete by query as tasks: statuses, responses and slices.

`WorkerProgress` drives one worker task (an unsliced request, or one slice) and renders
`BulkByScrollTask.Status` and `BulkByScrollResponse` as the server does; `LeaderProgress`
drives the parent of a sliced request, whose status holds `null` for each slice still running
and counts only the finished ones (`LeaderBulkByScrollTaskState`). What the documents do
(version conflicts, noops, failures) is an `Outcome` a test scripts.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from fake_tasks.cluster.bulk import Moment, Worker
from fake_tasks.cluster.bulkscript import Outcome
from fake_tasks.cluster.timevalue import HumanTime
from fake_tasks.errors import EsError

if TYPE_CHECKING:
    from fake_tasks.cluster.model import Task

__all__ = [
    "ACTIONS",
    "AT_BATCH_END",
    "COUNTED",
    "LeaderProgress",
    "Outcome",
    "WorkerProgress",
    "float32",
    "humanize",
    "version_conflict",
]

ACTIONS: Final = {
    "reindex": "indices:data/write/reindex",
    "update_by_query": "indices:data/write/update/byquery",
    "delete_by_query": "indices:data/write/delete/byquery",
}
AT_BATCH_END: Final = -1
"""A worker honours a cancel when its current batch is done (or at once while throttled)."""
COUNTED: Final = {"reindex": "created", "update_by_query": "updated", "delete_by_query": "deleted"}


def float32(value: float) -> float:
    """A Java `float`: rounded to single precision, printed as its shortest decimal."""
    if math.isinf(value) or math.isnan(value):
        return value
    single = struct.unpack("f", struct.pack("f", value))[0]
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            return float(text)
    return float(single)


def _rps_field(rps: float) -> float:
    return -1.0 if math.isinf(rps) else float32(rps)


def humanize(value: Any, human: bool) -> Any:
    """Drop the human-only `HumanTime` fields, or print them when `human` is set.

    Called for every status a list renders: only dicts and lists are walked, and a status
    without human-only fields comes back as it is.
    """
    kind = type(value)
    if kind is dict:
        out = {}
        for key, item in value.items():
            item_kind = type(item)
            if item_kind is HumanTime:
                if human:
                    out[key] = str(item)
            elif item_kind is dict or item_kind is list:
                out[key] = humanize(item, human)
            else:
                out[key] = item
        return out
    if kind is list:
        return [humanize(item, human) for item in value]
    if kind is HumanTime:
        return str(value)
    return value


def version_conflict(index: str, doc_id: str, kind: str) -> EsError:
    """The `version_conflict_engine_exception` a bulk item gets."""
    if kind == "reindex":
        reason = f"[{doc_id}]: version conflict, document already exists (current version [1])"
    else:
        reason = (
            f"[{doc_id}]: version conflict, required seqNo [1], primary term [1]. "
            "current document has seqNo [2] and primary term [1]"
        )
    return EsError.custom(
        "version_conflict_engine_exception",
        reason,
        409,
        metadata={"index_uuid": "Zmxha2UtaW5kZXgtdXVpZA", "shard": "0", "index": index},
    )


@dataclass
class WorkerProgress:
    """One worker task of a bulk-by-scroll request (`slice_id` None: not sliced)."""

    kind: str
    worker: Worker
    index: str
    node: str
    slice_id: int | None = None
    abort_on_conflict: bool = True
    outcome: Outcome = field(default_factory=Outcome)
    cancel_delay_ns: int | None = AT_BATCH_END  # how long a cancel takes; None: ignored
    cancel_reason: str | None = None
    effect: Callable[[dict[str, int]], None] | None = None  # applied to the indices at the end

    def __post_init__(self) -> None:
        size, out = self.worker.batch_size, self.outcome
        if out.version_conflicts and self.abort_on_conflict:
            self.worker.cut_after((min(out.version_conflicts, self.worker.total) - 1) // size)
        if out.bulk_failure is not None:
            self.worker.cut_after(out.failure_batch)
        if out.search_failure is not None:
            self.worker.cut_after(out.failure_batch - 1)

    # -- counting ---------------------------------------------------------------------------

    def _split(self, moment: Moment) -> dict[str, int]:
        out, done = self.outcome, moment.docs
        conflicts = min(done, out.version_conflicts)
        noops = min(max(done - conflicts, 0), out.noops)
        existing = min(max(done - conflicts - noops, 0), out.existing)
        failed = 0
        if out.bulk_failure is not None and moment.batches > out.failure_batch:
            failed = int(done > out.failure_batch * self.worker.batch_size)
        counted = max(done - conflicts - noops - existing - failed, 0)
        key = COUNTED[self.kind]
        return {
            "updated": counted if key == "updated" else existing,
            "created": counted if key == "created" else 0,
            "deleted": counted if key == "deleted" else 0,
            "version_conflicts": conflicts,
            "noops": noops,
        }

    def fields(self, now_ns: int, cancel_reason: str | None) -> dict[str, Any]:
        """`Status.innerXContent` at `now_ns`, human-only fields as `HumanTime`."""
        moment = self.worker.at(now_ns)
        split = self._split(moment)
        started = moment.batches > 0
        out: dict[str, Any] = {}
        if self.slice_id is not None:
            out["slice_id"] = self.slice_id
        out["total"] = self.worker.total
        out["updated"] = split["updated"]
        out["created"] = split["created"]
        out["deleted"] = split["deleted"]
        out["batches"] = moment.batches
        out["version_conflicts"] = split["version_conflicts"]
        out["noops"] = split["noops"]
        out["retries"] = {
            "bulk": self.outcome.bulk_retries if started else 0,
            "search": self.outcome.search_retries if started else 0,
        }
        out["throttled"] = HumanTime(moment.throttled_ns)
        out["throttled_millis"] = moment.throttled_ns // 1_000_000
        out["requests_per_second"] = _rps_field(moment.rps)
        if cancel_reason is not None:
            out["canceled"] = cancel_reason
        out["throttled_until"] = HumanTime(moment.throttled_until_ns)
        out["throttled_until_millis"] = moment.throttled_until_ns // 1_000_000
        return out

    def failures(self) -> list[dict[str, Any]]:
        """`BulkByScrollResponse.failures` once finished: bulk items, then search failures."""
        moment = self.worker.at(self.worker.end_ns())
        out = self.outcome
        items: list[dict[str, Any]] = []
        if self.abort_on_conflict and out.version_conflicts:
            for number in range(min(moment.docs, out.version_conflicts)):
                doc_id = f"{self.slice_id or 0}-{number + 1}"
                cause = version_conflict(self.index, doc_id, self.kind).to_dict()
                items.append({"index": self.index, "id": doc_id, "cause": cause, "status": 409})
        if out.bulk_failure is not None and moment.batches > out.failure_batch:
            doc_id = f"{self.slice_id or 0}-{out.failure_batch * self.worker.batch_size + 1}"
            status = out.bulk_failure.http_status()
            cause = out.bulk_failure.to_dict()
            items.append({"index": self.index, "id": doc_id, "cause": cause, "status": status})
        if out.search_failure is not None:
            items.append(
                {
                    "index": self.index,
                    "shard": 0,
                    "node": self.node,
                    "status": out.search_failure.http_status(),
                    "reason": out.search_failure.to_dict(),
                }
            )
        return items

    # -- Progress -------------------------------------------------------------------------------

    def status(self, task: Task, now_ns: int) -> dict[str, Any]:
        return self.fields(now_ns, task.cancel_reason)

    def end_ns(self, task: Task) -> int:
        return self.worker.end_ns()

    def on_cancel(self, task: Task, now_ns: int) -> None:
        self.cancel_reason = task.cancel_reason
        if self.cancel_delay_ns == AT_BATCH_END:
            self.worker.stop(now_ns)
        elif self.cancel_delay_ns is not None:
            self.worker.stop(now_ns + self.cancel_delay_ns, at_batch_end=False)

    def on_finish(self, task: Task) -> None:
        if self.effect is not None:
            self.effect(self._split(self.worker.at(self.worker.end_ns())))

    def result(self, task: Task) -> dict[str, Any]:
        """The `BulkByScrollResponse` once finished, human-only fields as `HumanTime`."""
        return _response(task, [self])

    def response(self, task: Task) -> dict[str, Any]:
        return _stored(self.result(task))


@dataclass
class LeaderProgress:
    """The parent task of a sliced request; `slices` are its workers, in slice order."""

    kind: str
    slices: list[WorkerProgress]
    rps: float = math.inf

    def finished(self, now_ns: int) -> list[WorkerProgress | None]:
        return [s if s.worker.end_ns() <= now_ns else None for s in self.slices]

    def fields(
        self, now_ns: int, cancel_reason: str | None, *, live: bool = False
    ) -> dict[str, Any]:
        """The leader's status: finished slices only, or (`live`, as a rethrottle answers
        with `taskInfoGivenSubtaskInfo`) the running slices' current statuses too."""
        slots = [
            s.fields(min(now_ns, s.worker.end_ns()), s.cancel_reason)
            if live or s.worker.end_ns() <= now_ns
            else None
            for s in self.slices
        ]
        return _merged(slots, cancel_reason, with_slices=True)

    def rethrottle(self, now_ns: int, rps: float) -> None:
        """`rethrottleParentTask`: the running slices share the new pace."""
        self.rps = rps
        running = [s for s in self.slices if s.worker.end_ns() > now_ns]
        for each in running:
            each.worker.rethrottle(now_ns, rps / len(running))

    def status(self, task: Task, now_ns: int) -> dict[str, Any]:
        return self.fields(now_ns, task.cancel_reason)

    def end_ns(self, task: Task) -> int | None:
        """When the last slice ends (None while the slices are being started)."""
        return max((s.worker.end_ns() for s in self.slices), default=None)

    def on_cancel(self, task: Task, now_ns: int) -> None:
        """Cancelling the leader bans its children, which are cancelled with it."""

    def on_finish(self, task: Task) -> None:
        """The slices changed the indices as they finished."""

    def result(self, task: Task) -> dict[str, Any]:
        """The merged `BulkByScrollResponse` once finished, with `slices`."""
        return _response(task, self.slices, leader=True)

    def response(self, task: Task) -> dict[str, Any]:
        return _stored(self.result(task))


_COUNTS: Final = ("total", "updated", "created", "deleted", "batches", "version_conflicts", "noops")


def _merged(
    slots: Sequence[dict[str, Any] | None], cancel_reason: str | None, *, with_slices: bool
) -> dict[str, Any]:
    """`Status(List<StatusOrException>, reason)`: sums over the slices that have finished."""
    done = [s for s in slots if s is not None]
    out: dict[str, Any] = {key: sum(s[key] for s in done) for key in _COUNTS}
    out["retries"] = {
        "bulk": sum(s["retries"]["bulk"] for s in done),
        "search": sum(s["retries"]["search"] for s in done),
    }
    throttled = sum(int(s["throttled"]) for s in done)
    out["throttled"] = HumanTime(throttled)
    out["throttled_millis"] = throttled // 1_000_000
    rates = [math.inf if s["requests_per_second"] == -1 else s["requests_per_second"] for s in done]
    out["requests_per_second"] = _rps_field(sum(rates))
    if cancel_reason is not None:
        out["canceled"] = cancel_reason
    until = min((int(s["throttled_until"]) for s in done), default=0)
    out["throttled_until"] = HumanTime(until)
    out["throttled_until_millis"] = until // 1_000_000
    if with_slices:
        out["slices"] = list(slots)
    return out


def _response(
    task: Task, workers: Sequence[WorkerProgress], *, leader: bool = False
) -> dict[str, Any]:
    """`BulkByScrollResponse.toXContent` of a finished task, human fields as `HumanTime`."""
    end = (
        task.finished_ns
        if task.finished_ns is not None
        else max(w.worker.end_ns() for w in workers)
    )
    body: dict[str, Any] = {"took": max(0, end - task.start_ns) // 1_000_000, "timed_out": False}
    if leader:
        slots = [w.fields(w.worker.end_ns(), w.cancel_reason) for w in workers]
        body.update(_merged(slots, task.cancel_reason, with_slices=True))
    else:
        body.update(workers[0].fields(end, task.cancel_reason))
    body["failures"] = [f for w in workers for f in w.failures()]
    return body


def _stored(body: dict[str, Any]) -> dict[str, Any]:
    """`TaskResult` stores the response with `human=true` (`XContentHelper.toXContent`)."""
    out: dict[str, Any] = humanize(body, True)
    return out
