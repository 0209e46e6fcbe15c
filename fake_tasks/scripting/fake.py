"""`FakeTasks`: one fake cluster and its scripting API, shared by the app, fixture and CLI."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fake_tasks.cluster.bulkjob import LeaderProgress, WorkerProgress
from fake_tasks.cluster.bulkstart import BulkRequest, start_bulk
from fake_tasks.cluster.clock import Clock, VirtualClock
from fake_tasks.cluster.generate import generate_cluster
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.matching import simple_match
from fake_tasks.cluster.model import ES_VERSION, Cluster, Task
from fake_tasks.cluster.model import StatusFn as StatusFn
from fake_tasks.cluster.shapes import stand_in_result, stand_in_status
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.contract.schemas import ContractLog, Rejection, ResponseViolation
from fake_tasks.errors import EsError, FakeTasksError, IllegalStateError
from fake_tasks.scripting.bulk import BulkScripting
from fake_tasks.scripting.errorlog import ServerErrors
from fake_tasks.scripting.faults import Fault, Faults, Rule, TaskOperationFailure, node_cause
from fake_tasks.scripting.indices import IndexScripting
from fake_tasks.scripting.journal import Journal
from fake_tasks.scripting.mixins import StubsAndScenarios
from fake_tasks.scripting.pristine import Pristine
from fake_tasks.scripting.relocation import RelocationScripting
from fake_tasks.scripting.requests import Match
from fake_tasks.scripting.rollup import RollupScripting
from fake_tasks.scripting.security import Security
from fake_tasks.scripting.stubs import Stubs


@dataclass(frozen=True)
class Settings:
    """What a fake cluster is generated from; the same settings give the same cluster."""

    seed: int = 0
    nodes: int = 3
    tasks: int = 30
    version: str = ES_VERSION
    tick: float | str = "1s"
    # security emulation: None/False off, True the built-in `elastic` user, or a `Security`
    # (copied for each reset, so a test's changes never leak into the next)
    security: bool | Security | None = None


class FakeTasks(
    IndexScripting, RollupScripting, BulkScripting, RelocationScripting, StubsAndScenarios
):
    """A fake Elasticsearch cluster's task API state, and the calls tests script it with.

    The HTTP app reads `cluster` for every request; `reset` swaps in the cluster as generated.
    """

    def __init__(self, settings: Settings | None = None, *, clock: Clock | None = None) -> None:
        self.settings = settings or Settings()
        self._given_clock = clock
        self.url: str | None = None
        # set by an HTTPS server: the CA file clients trust, the server certificate's SHA-256
        self.ca_certs: str | None = None
        self.fingerprint: str | None = None
        self.server_errors = ServerErrors()  # bounded; their frames keep no locals
        self._lock = threading.Lock()
        self.faults = Faults(self.settings.seed)
        self.journal = Journal()
        self.stubs = Stubs()
        self.contract = ContractLog()
        self.security = _security(self.settings.security)
        self._pristine = Pristine()
        self._cluster = self._build()
        self._touched = False

    @property
    def cluster(self) -> Cluster:
        """The cluster the app serves; reading it marks it used, so `reset` replaces it."""
        self._touched = True
        return self._cluster

    @cluster.setter
    def cluster(self, cluster: Cluster) -> None:
        self._cluster = cluster
        self._touched = True

    def _fresh(self) -> Cluster:
        """The cluster as generated from the settings: a copy of the one generated first."""
        if self._given_clock is not None:  # its time has moved on since: generate again
            return self._build()
        try:
            hash(self.settings)
        except TypeError:  # a setting that cannot key the kept clusters
            return self._build()
        cluster = self._pristine.copy(self.settings, self.settings.tasks, self._build)
        cluster.task_failures = self.faults.failure_map
        return cluster

    def _build(self) -> Cluster:
        clock = self._given_clock or VirtualClock(tick=self.settings.tick)
        cluster = generate_cluster(
            self.settings.seed,
            nodes=self.settings.nodes,
            tasks=self.settings.tasks,
            clock=clock,
            version=self.settings.version,
        )
        cluster.task_failures = self.faults.failure_map
        return cluster

    # -- contract ---------------------------------------------------------------------------------

    @property
    def violations(self) -> list[ResponseViolation]:
        """Responses this fake sent whose body broke its JSON Schema contract (since `reset`).

        `contract.strict = True` answers a 500 instead of such a body; `contract.enabled = False`
        stops checking.
        """
        return self.contract.violations

    @property
    def rejected(self) -> list[Rejection]:
        """Requests this fake refused as invalid (400: bad parameter, header or body)."""
        return self.contract.rejected

    def reset(self, settings: Settings | None = None, **changes: Any) -> None:
        """Start over: the cluster as generated (from new settings, if given), nothing recorded.

        The first cluster generated for some settings is kept aside and later resets copy it,
        several times faster than generating; a cluster nothing has read since the last reset
        (no request, no scripting call) is kept as it is.
        """
        with self._lock:
            base = settings or self.settings
            settings = Settings(**{**base.__dict__, **changes})
            # cleared first: a request racing this reset marks the next cluster used, not none
            touched, self._touched = self._touched, False
            if touched or settings != self.settings or self._given_clock is not None:
                old = self._cluster
                self.settings = settings
                self._cluster = self._fresh()
                old.close()
            self.server_errors.clear()
            self.faults.reset(self.settings.seed)
            self.journal.clear()
            self.stubs.clear()
            self.contract.clear()
            self.security = _security(self.settings.security)

    # -- time ----------------------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The cluster's clock: `clock.now_ns()` reads it; a `VirtualClock` also has `set_tick`."""
        return self.cluster.clock

    @property
    def now(self) -> datetime:
        """The cluster's current time as an aware UTC `datetime` (what `start_time` is set by)."""
        return datetime.fromtimestamp(self.cluster.now_ns() / 1e9, tz=UTC)

    def advance(self, duration: float | str) -> None:
        """Move virtual time forward (seconds or an ES time value such as `"30s"`)."""
        clock = self.cluster.clock
        if not isinstance(clock, VirtualClock):
            raise FakeTasksError("advance() needs a VirtualClock; this cluster runs in real time")
        clock.advance(duration)
        self.cluster.settle()

    # -- looking tasks up ----------------------------------------------------------------------

    def tasks(self, action: str | None = None) -> list[Task]:
        """Running tasks, optionally only those whose action matches a `*` pattern."""
        running = self.cluster.tasks()
        return [t for t in running if action is None or simple_match(action, t.action)]

    def task(self, task_id: TaskId | str) -> Task:
        """A running task by id (`"node:id"` or a `TaskId`); FakeTasksError if it is not running."""
        return self.cluster.task(task_id)

    # -- scripting -----------------------------------------------------------------------------

    def add_task(
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
        result: dict[str, Any] | None = None,
        started_ago: float | str = 0,
        task_id: int | None = None,
        error: EsError | None = None,
    ) -> Task:
        """Start a task. `node` is a node id or name (default: the coordinating node).

        `duration` None runs it until `finish`/`fail`; `cancel_delay` is how long it keeps
        running after a cancel (None: until finished); `store_result` keeps its outcome in
        `.tasks` so `GET /_tasks/<id>` answers `completed: true` after it ends. A task of a
        known action (reindex, update or delete by query, force merge) without its own status or
        result gets ones of that action's shape.
        `task_id` picks its number on the node; `error` makes it end (at `duration`) with that
        error.
        """
        task = self.cluster.start_task(
            action,
            node=node,
            type=type,
            description=description,
            parent=parent,
            cancellable=cancellable,
            headers=headers,
            status=stand_in_status(action) if status is None else status,
            duration=duration,
            cancel_delay=cancel_delay,
            store_result=store_result,
            result=stand_in_result(action) if result is None else result,
            started_ago=started_ago,
            task_id=task_id,
        )
        if error is not None:
            with self.cluster.lock:
                task.error, task.failed = error, True
        return task

    def add_reindex(
        self,
        source: str = "source",
        dest: str = "dest",
        *,
        docs: int = 10_000,
        duration: float | str | None = "30s",
        slices: int = 1,
        node: str | None = None,
        headers: Mapping[str, str] | None = None,
        cancel_delay: float | str | None = 0,
        started_ago: float | str = 0,
    ) -> Task:
        """A `_reindex?wait_for_completion=false` task: progress grows with time, result stored.

        With `slices` > 1 it gets one worker child per slice on the same node. `started_ago`
        backdates it (`"10m"`: it has been running ten minutes; `duration` counts from then).
        """
        return self._add_bulk_by_scroll(
            "reindex",
            f"reindex from [{source}] to [{dest}]",
            docs=docs,
            duration=duration,
            slices=slices,
            node=node,
            headers=headers,
            cancel_delay=cancel_delay,
            index=dest,
            started_ago=started_ago,
        )

    def add_update_by_query(
        self,
        index: str = "index",
        *,
        docs: int = 10_000,
        duration: float | str | None = "30s",
        node: str | None = None,
        headers: Mapping[str, str] | None = None,
        cancel_delay: float | str | None = 0,
        started_ago: float | str = 0,
    ) -> Task:
        """An `_update_by_query?wait_for_completion=false` task."""
        return self._add_bulk_by_scroll(
            "update_by_query",
            f"update-by-query [{index}]",
            docs=docs,
            duration=duration,
            node=node,
            headers=headers,
            cancel_delay=cancel_delay,
            index=index,
            started_ago=started_ago,
        )

    def add_delete_by_query(
        self,
        index: str = "index",
        *,
        docs: int = 10_000,
        duration: float | str | None = "30s",
        node: str | None = None,
        headers: Mapping[str, str] | None = None,
        cancel_delay: float | str | None = 0,
        started_ago: float | str = 0,
    ) -> Task:
        """A `_delete_by_query?wait_for_completion=false` task."""
        return self._add_bulk_by_scroll(
            "delete_by_query",
            f"delete-by-query [{index}]",
            docs=docs,
            duration=duration,
            node=node,
            headers=headers,
            cancel_delay=cancel_delay,
            index=index,
            started_ago=started_ago,
        )

    def _add_bulk_by_scroll(
        self,
        kind: str,
        description: str,
        *,
        docs: int,
        duration: float | str | None,
        slices: int = 1,
        node: str | None,
        headers: Mapping[str, str] | None,
        cancel_delay: float | str | None,
        index: str,
        started_ago: float | str = 0,
    ) -> Task:
        if slices < 1:
            raise FakeTasksError(f"slices must be at least 1, got {slices}")
        per_slice = -(-docs // slices)
        batches = max(1, -(-per_slice // 1000))
        return start_bulk(
            self.cluster,
            BulkRequest(
                kind,
                description,
                total=docs,
                index=index,
                slices=slices,
                batch_ns=None if duration is None else seconds_to_nanos(duration) // batches,
                store_result=True,
                cancel_delay_ns=None if cancel_delay is None else seconds_to_nanos(cancel_delay),
                node=node,
                headers=dict(headers or {}),
                started_ago_ns=seconds_to_nanos(started_ago, "started_ago"),
            ),
        )

    def finish(self, task: Task | TaskId | str, result: dict[str, Any] | None = None) -> None:
        """End a task successfully now (its running descendants end first)."""
        self.cluster.finish(task, result)

    def fail(self, task: Task | TaskId | str, error: EsError | str) -> None:
        """End a task now with `error`, which `GET /_tasks/<id>` shows if the result is stored.

        A string is the reason of an `illegal_state_exception`, as in `add_task_failure`.
        """
        self.cluster.fail(task, IllegalStateError(error) if isinstance(error, str) else error)

    def cancel(self, task: Task | TaskId | str) -> None:
        """Cancel as `POST /_tasks/<id>/_cancel` would: the task and its descendants."""
        self.cluster.cancel(task)

    def slow_cancel(self, task: Task | TaskId | str, delay: float | str) -> Task:
        """After a cancel, keep running (listed with `cancelled: true`) for `delay`."""
        return self._cancel_delay(task, delay)

    def ignore_cancel(self, task: Task | TaskId | str) -> Task:
        """Never honour a cancel: the task runs until its duration ends or `finish`."""
        return self._cancel_delay(task, None)

    def _cancel_delay(self, task: Task | TaskId | str, delay: float | str | None) -> Task:
        with self.cluster.lock:
            found = self.cluster.set_timing(task, cancel_delay=delay)
            # a reindex-family task's workers decide how they stop
            progress = found.progress
            workers = progress.slices if isinstance(progress, LeaderProgress) else [progress]
            for worker in workers:
                if isinstance(worker, WorkerProgress):
                    worker.cancel_delay_ns = found.cancel_delay_ns
            return found

    def set_duration(self, task: Task | TaskId | str, duration: float | str | None) -> Task:
        """Run for `duration` from the task's start (None: until `finish` or `fail`).

        A reindex-family task's time follows its batches: `rethrottle` paces it instead.
        """
        found = task if isinstance(task, Task) else self.cluster.task(task)
        if found.progress is not None:
            raise FakeTasksError(
                f"task {found.task_id} ({found.action}) runs batch by batch; "
                "pace it with rethrottle(task, requests_per_second) instead"
            )
        return self.cluster.set_timing(task, duration=duration)

    def run_until_finished(self, task: Task | TaskId | str) -> None:
        """Advance virtual time to the moment the task and its descendants have all finished."""
        found = task if isinstance(task, Task) else self.cluster.task(task)
        end = self.cluster.end_ns(found)
        if found.running and end is None:
            raise FakeTasksError(f"task {found.task_id} has no foreseeable end; finish() it")
        clock = self.cluster.clock
        if not isinstance(clock, VirtualClock):
            raise FakeTasksError("run_until_finished() needs a VirtualClock")
        if end is not None:
            clock.advance_to(end)
            self.cluster.settle()

    # -- server-side errors --------------------------------------------------------------------

    def record_error(self, error: BaseException) -> None:
        self.server_errors.record(error)

    def check(self) -> None:
        """Raise the first exception the server hit while answering, if any."""
        if self.server_errors:
            first = self.server_errors[0]
            raise FakeTasksError(
                f"the fake server failed {self.server_errors.total} time(s); first: {first!r}"
            ) from first

    def __repr__(self) -> str:
        s = self.settings
        return f"FakeTasks(seed={s.seed}, nodes={s.nodes}, tasks={s.tasks}, url={self.url!r})"

    # -- faults and journal ---------------------------------------------------------------------

    def inject(
        self,
        fault: Fault | Sequence[Fault],
        *,
        api: str | None = None,
        method: str | None = None,
        path: str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        opaque_id: str | None = None,
        times: int | None = None,
        probability: float = 1.0,
        cycle: bool = False,
    ) -> Rule:
        """Make matching requests fail: `inject(Fault.rejected(), api="tasks.list", times=2)`.

        A sequence of faults is used in order, one per matching request, then requests pass
        (`cycle=True` repeats it; `Fault.passthrough()` lets one through). Selectors as in
        `Match`; `probability` draws from the settings' seed, so runs repeat. The first
        registered rule that matches a request wins. Returns the rule (`fake.faults.remove`).
        """
        match = Match(
            method=method,
            api=api,
            path=path,
            params=dict(params or {}),
            headers=dict(headers or {}),
            opaque_id=opaque_id,
        )
        return self.faults.add(fault, match, times=times, probability=probability, cycle=cycle)

    def make_missing(
        self, task: Task | TaskId | str, *, unknown_node: bool = False, times: int | None = None
    ) -> Rule:
        """Answer requests about this task id as if it did not exist (get: 404; cancel: a
        `node_failures` entry), `times` times or for good. `unknown_node` answers as for a task
        of a node that left the cluster."""
        task_id = task.task_id if isinstance(task, Task) else task
        return self.inject(
            Fault.not_found(unknown_node=unknown_node),
            params={"task_id": str(task_id)},
            times=times,
        )

    def fail_node(
        self, node: str, cause: str | EsError = "disconnected", *, timeout: float | str = "30s"
    ) -> None:
        """Make a node unreachable: list and cancel report it in `node_failures` and leave out its
        tasks; a get of one of its tasks fails with the cause. `cause` is `"disconnected"`
        (`node_disconnected_exception`), `"timeout"` (`receive_timeout_transport_exception`
        after `timeout`) or any `EsError`."""
        error = (
            node_cause(self.cluster, node, cause, timeout=timeout)
            if isinstance(cause, str)
            else cause
        )
        self.cluster.fail_node(node, error)

    def restore_node(self, node: str) -> None:
        """Undo `fail_node`."""
        self.cluster.restore_node(node)

    def add_task_failure(
        self, task: Task | TaskId | str, error: EsError | str
    ) -> TaskOperationFailure:
        """Report this task in `task_failures` instead of listing it (`tasks.list`, and a cancel
        of this task id). A string is the reason of an `illegal_state_exception` (500)."""
        task_id = task.task_id if isinstance(task, Task) else TaskId.parse(str(task))
        if task_id is None:
            raise FakeTasksError(f"{task!r} is not a task id")
        if isinstance(error, str):
            error = IllegalStateError(error)
        return self.faults.add_task_failure(task_id, error)


def _security(setting: bool | Security | None) -> Security:
    if isinstance(setting, Security):
        return setting.copy()
    return Security.default() if setting else Security()
