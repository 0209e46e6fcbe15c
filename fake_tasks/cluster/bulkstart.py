"""Starting a bulk-by-scroll request on the cluster: one worker task, or a leader and its slices."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from fake_tasks.cluster.bulk import Worker, split_evenly
from fake_tasks.cluster.bulkjob import (
    ACTIONS,
    AT_BATCH_END,
    LeaderProgress,
    Outcome,
    WorkerProgress,
    float32,
)
from fake_tasks.cluster.model import Cluster, Task

__all__ = ["DOCS_PER_SECOND", "BulkRequest", "start_bulk"]

DOCS_PER_SECOND = 10_000
"""How fast an unthrottled worker goes unless told otherwise: 1000 documents per 100 ms."""

_SLICE_DELAY_NS = 1_000_000  # slices start one after the other, a millisecond apart
_NOTHING_SCRIPTED = Outcome()  # every slice's share of it is itself


@dataclass(frozen=True)
class BulkRequest:
    """A reindex, update by query or delete by query, as the model runs it.

    `total` is the number of documents the search matches (before `max_docs`); `index` is where
    failures are reported (the destination of a reindex, the index of a by-query request).
    `batch_ns` is the work time of one batch (None: `DOCS_PER_SECOND`).
    """

    kind: str
    description: str
    total: int
    index: str
    batch_size: int = 1000
    batch_ns: int | None = None
    requests_per_second: float = math.inf
    slices: int = 1
    max_docs: int | None = None
    abort_on_conflict: bool = True
    outcome: Outcome = field(default_factory=Outcome)
    store_result: bool = False
    cancel_delay_ns: int | None = AT_BATCH_END
    node: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    started_ago_ns: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ACTIONS:
            raise ValueError(f"kind must be one of {sorted(ACTIONS)}, got {self.kind!r}")
        if self.slices < 1:
            raise ValueError(f"slices must be at least 1, got {self.slices}")

    @property
    def action(self) -> str:
        return ACTIONS[self.kind]

    def pace_ns(self) -> int:
        if self.batch_ns is not None:
            return max(1, self.batch_ns)
        return max(1, self.batch_size * 1_000_000_000 // DOCS_PER_SECOND)


def start_bulk(cluster: Cluster, request: BulkRequest) -> Task:
    """Register the request's tasks: the task to report is returned (the leader if sliced)."""
    with cluster.lock:
        start = cluster.now_ns() - request.started_ago_ns
        ago = request.started_ago_ns / 1e9
        progress: WorkerProgress | LeaderProgress
        if request.slices == 1:
            total = _limited(request.total, request.max_docs)
            progress = _worker(cluster, request, total, start, request.requests_per_second, None)
        else:
            progress = LeaderProgress(request.kind, [], request.requests_per_second)
        parent = cluster.start_task(
            request.action,
            node=request.node,
            description=request.description,
            headers=request.headers,
            store_result=request.store_result,
            started_ago=ago,
            progress=progress,
        )
        if not isinstance(progress, LeaderProgress):
            return parent
        leader = progress
        share = request.max_docs // request.slices if request.max_docs is not None else None
        rps = float32(request.requests_per_second / request.slices)
        for slice_id, hits in enumerate(split_evenly(request.total, request.slices)):
            offset = _SLICE_DELAY_NS * (slice_id + 1)
            shared = (
                request
                if request.outcome == _NOTHING_SCRIPTED
                else replace(request, outcome=_share(request.outcome, slice_id, request.slices))
            )
            worker = _worker(
                cluster,
                shared,
                _limited(hits, share),
                start + offset,
                rps,
                slice_id,
            )
            leader.slices.append(worker)
            cluster.start_task(
                request.action,
                node=parent.node,
                description=request.description,
                parent=parent,
                headers=request.headers,
                started_ago=max(0.0, ago - offset / 1e9),
                progress=worker,
            )
        cluster.set_timing(parent)  # its end is its last slice's: schedule it now
        return parent


def _share(outcome: Outcome, slice_id: int, slices: int) -> Outcome:
    """A slice's part of the scripted outcome: counts split, failures in the first slice."""

    def part(count: int) -> int:
        return split_evenly(count, slices)[slice_id]

    first = slice_id == 0
    return Outcome(
        version_conflicts=part(outcome.version_conflicts),
        noops=part(outcome.noops),
        existing=part(outcome.existing),
        bulk_retries=part(outcome.bulk_retries),
        search_retries=part(outcome.search_retries),
        bulk_failure=outcome.bulk_failure if first else None,
        search_failure=outcome.search_failure if first else None,
        failure_batch=outcome.failure_batch,
    )


def _limited(total: int, max_docs: int | None) -> int:
    return total if max_docs is None else min(total, max_docs)


def _worker(
    cluster: Cluster,
    request: BulkRequest,
    total: int,
    start_ns: int,
    rps: float,
    slice_id: int | None,
) -> WorkerProgress:
    node = cluster.node(request.node).id if request.node is not None else cluster.local_node_id
    worker = Worker(
        total=total,
        batch_size=min(request.batch_size, total) if total else request.batch_size,
        batch_ns=request.pace_ns(),
        start_ns=start_ns,
        rps=rps,
    )
    return WorkerProgress(
        request.kind,
        worker,
        index=request.index,
        node=node,
        slice_id=slice_id,
        abort_on_conflict=request.abort_on_conflict,
        outcome=request.outcome,
        cancel_delay_ns=request.cancel_delay_ns,
    )
