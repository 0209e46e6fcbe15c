"""Reindex, update by query and delete by query as the transport actions run them, and rethrottle.

A request is validated (`ActionRequestValidationException`, before anything starts), then its
task is registered and the action resolves its indices (a missing source index, a reindex into
its own source, a remote host not allowed): with `wait_for_completion=false` such a failure is
the task's stored error, otherwise it is the answer. Totals come from the index catalog (or a
scripted number of matching documents); the work runs on the clock (`cluster/bulkjob.py`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from fake_tasks.actions.indices import IndicesOptions, resolve_indices
from fake_tasks.actions.tasks import TaskFailure, TasksResult
from fake_tasks.cluster.bulkjob import LeaderProgress, Outcome, WorkerProgress
from fake_tasks.cluster.bulkstart import BulkRequest, start_bulk
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.matching import simple_match
from fake_tasks.cluster.model import Cluster, Task
from fake_tasks.cluster.shapes import stand_in_status
from fake_tasks.errors import (
    ActionRequestValidationError,
    EsError,
    FailedNodeError,
    IllegalArgumentError,
    NoSuchNodeError,
    ResourceNotFoundError,
)

__all__ = [
    "AUTO_SLICES",
    "ByScrollRequest",
    "await_task",
    "rethrottle",
    "start",
]

AUTO_SLICES = 0
_AUTO_SLICE_CEILING = 20
_MAX_SLICES_PER_SCROLL = 1024  # the default of index.max_slices_per_scroll
_MAX_JUMP_NS = 365 * 86_400 * 10**9
_RETHROTTLE_NODE_ACTION = "cluster:admin/reindex/rethrottle[n]"


@dataclass(frozen=True)
class ByScrollRequest:
    """One reindex, update by query or delete by query, as parsed from the REST request."""

    kind: str
    indices: tuple[str, ...]
    description: str
    dest: str | None = None
    options: IndicesOptions = field(default_factory=IndicesOptions)
    batch_size: int = 1000
    slices: int = 1
    requests_per_second: float = math.inf
    max_docs: int | None = None
    conflicts: str = "abort"
    remote: tuple[str, int] | None = None
    remote_problems: tuple[str, ...] = ()
    has_query: bool = True
    problems: tuple[str, ...] = ()  # validation messages found while parsing
    store_result: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        """`validate()` of the request class (`AbstractBulkByScrollRequest` and subclasses)."""
        out = list(self.problems)
        if self.kind == "reindex":
            if not self.indices:
                out.append("use _all if you really want to copy from all existing indexes")
            if self.dest is None:
                out.append("index must be specified")
            elif self.remote is not None:
                if self.slices != 1:
                    out.append(
                        "reindex from remote sources doesn't support slices > 1 but was "
                        f"[{self.slices}]"
                    )
                out.extend(self.remote_problems)
        elif self.kind == "delete_by_query" and not self.has_query:
            out.append("query is missing")
        if out:
            raise ActionRequestValidationError(*out)


def start(cluster: Cluster, request: ByScrollRequest) -> Task:
    """Register the request's task; a failure of the action itself ends it at once.

    With `store_result` (`wait_for_completion=false`) the failure is stored on the task;
    otherwise it is raised for the caller to answer with.
    """
    request.validate()
    with cluster.lock:
        try:
            total, outcome = _plan(cluster, request)
        except EsError as error:
            if not request.store_result:
                raise
            task = cluster.start_task(
                _ACTION[request.kind],
                description=request.description,
                headers=request.headers,
                store_result=True,
                status=stand_in_status(_ACTION[request.kind]),  # a task that found nothing
            )
            cluster.fail(task, error)
            return task
        slices = request.slices
        if slices == AUTO_SLICES:
            slices = _auto_slices(cluster, request)
        task = start_bulk(
            cluster,
            BulkRequest(
                request.kind,
                request.description,
                total=total,
                index=_failure_index(request),
                batch_size=max(1, request.batch_size),
                batch_ns=max(1, request.batch_size * 10**9 // cluster.bulk.docs_per_second),
                requests_per_second=request.requests_per_second,
                slices=slices,
                max_docs=request.max_docs,
                abort_on_conflict=request.conflicts == "abort",
                outcome=outcome,
                store_result=request.store_result,
                headers=request.headers,
            ),
        )
        for worker in _workers(cluster, task):
            worker.effect = _effect(cluster, request)
        return task


_ACTION = {
    "reindex": "indices:data/write/reindex",
    "update_by_query": "indices:data/write/update/byquery",
    "delete_by_query": "indices:data/write/delete/byquery",
}


def _failure_index(request: ByScrollRequest) -> str:
    """Where bulk failures are reported: a reindex's destination, a by-query's index."""
    if request.kind == "reindex" and request.dest:
        return request.dest
    return request.indices[0] if request.indices else "_all"


def _plan(cluster: Cluster, request: ByScrollRequest) -> tuple[int, Outcome]:
    """`ReindexValidator.initialValidation` / the first search: how many documents, and how."""
    if request.slices > _MAX_SLICES_PER_SCROLL:  # what each slice's search refuses (SliceBuilder)
        raise IllegalArgumentError(
            f"The number of slices [{request.slices}] is too large. It must be less than "
            f"[{_MAX_SLICES_PER_SCROLL}]. This limit can be set by changing the "
            "[index.max_slices_per_scroll] index level setting."
        )
    if request.remote is not None:
        address = f"{request.remote[0]}:{request.remote[1]}"
        allowed = [docs for p, docs in cluster.bulk.remotes.items() if simple_match(p, address)]
        if not allowed:
            raise IllegalArgumentError(f"[{address}] not whitelisted in reindex.remote.whitelist")
        return allowed[0], Outcome()
    found = resolve_indices(cluster, request.indices, request.options)
    names = [index.name for index in found]
    if request.kind == "reindex" and request.dest in names:
        raise ActionRequestValidationError(
            f"reindex cannot write into an index its reading from [{request.dest}]"
        )
    total = sum(index.docs_count for index in found)
    for pattern, outcome, matching in cluster.bulk.outcomes:
        if any(simple_match(pattern, name) for name in names):
            return (total if matching is None else matching), outcome
    return total, Outcome()


def _auto_slices(cluster: Cluster, request: ByScrollRequest) -> int:
    """`slices=auto`: the fewest shards among the source indices, at most 20."""
    shards = [
        int(index.settings.get("index.number_of_shards", "1"))
        for index in cluster.indices.resolve(request.indices, ignore_unavailable=True)
    ]
    return max(1, min(min(shards, default=1), _AUTO_SLICE_CEILING))


def _workers(cluster: Cluster, task: Task) -> list[WorkerProgress]:
    progress = task.progress
    if isinstance(progress, LeaderProgress):
        return list(progress.slices)
    return [progress] if isinstance(progress, WorkerProgress) else []


def _effect(cluster: Cluster, request: ByScrollRequest) -> WorkerEffect:
    return WorkerEffect(cluster, request.kind, request.dest, request.indices)


@dataclass(frozen=True)
class WorkerEffect:
    """What a finished worker did to the catalog: documents created or deleted."""

    cluster: Cluster
    kind: str
    dest: str | None
    sources: tuple[str, ...]

    def __call__(self, counts: dict[str, int]) -> None:
        catalog = self.cluster.indices
        if self.kind == "reindex" and self.dest is not None and counts["created"]:
            if self.dest not in catalog:
                catalog.create(self.dest)
            index = catalog.get(self.dest)
            if index is not None:
                index.docs_count += counts["created"]
        if self.kind == "delete_by_query":
            left = counts["deleted"]
            for index in catalog.resolve(self.sources, ignore_unavailable=True):
                taken = min(left, index.docs_count)
                index.docs_count -= taken
                left -= taken


def await_task(cluster: Cluster, task: Task) -> bool:
    """Wait for a `wait_for_completion=true` request: a virtual clock jumps to the end (not
    further than a year ahead: a request crawling longer is answered as a realtime one is)."""
    with cluster.lock:
        end = cluster.end_ns(task)
        if cluster.clock.virtual and end is not None and end - cluster.now_ns() <= _MAX_JUMP_NS:
            cluster.clock.wait(cluster.changed, end)
            cluster.settle()
            return not task.running
        return cluster.wait_for([task], cluster.max_wait_ns)


def rethrottle(cluster: Cluster, task_id: TaskId, requests_per_second: float) -> TasksResult:
    """`TransportRethrottleAction` on the task's node: the new pace and the task's detailed info."""
    node = task_id.node
    if node not in cluster.nodes:
        return TasksResult([], node_failures=[FailedNodeError(node, NoSuchNodeError(node))])
    with cluster.lock:
        cluster.settle()
        failure = cluster.node_failure(node, _RETHROTTLE_NODE_ACTION)
        if failure is not None:
            return TasksResult([], node_failures=[FailedNodeError(node, failure)])
        task = cluster.find(task_id)
        if task is None:
            missing = ResourceNotFoundError(f"task [{task_id}] is missing")
            return TasksResult([], node_failures=[FailedNodeError(node, missing)])
        now = cluster.now_ns()
        progress = task.progress
        if isinstance(progress, LeaderProgress):
            progress.rethrottle(now, requests_per_second)
            status = progress.fields(now, task.cancel_reason, live=True)
        elif isinstance(progress, WorkerProgress):
            progress.worker.rethrottle(now, requests_per_second)
            status = progress.fields(now, task.cancel_reason)
        else:
            error = EsError.custom(
                "class_cast_exception",
                f"class {task.action} task cannot be cast to class "
                "org.elasticsearch.index.reindex.BulkByScrollTask",
                500,
            )
            return TasksResult([], task_failures=[TaskFailure(task_id, 500, error)])
        for each in [*cluster.children(task), task]:  # their ends moved: reschedule them
            cluster.set_timing(each)
        info = replace(task.info(now), status=status)
        return TasksResult([info])
