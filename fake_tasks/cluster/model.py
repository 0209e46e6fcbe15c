"""The fake cluster: its tasks (`TaskTable`), identity, node failures, waits and copies; no HTTP."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fake_tasks.cluster.bulkscript import BulkScript
from fake_tasks.cluster.clock import Clock
from fake_tasks.cluster.events import Scheduled
from fake_tasks.cluster.health import HealthScript
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.indices import IndexCatalog
from fake_tasks.cluster.lifecycle import DEFAULT_CANCEL_REASON, KEEP, TaskTable
from fake_tasks.cluster.nodes import Node
from fake_tasks.cluster.rollup import RollupJobs
from fake_tasks.cluster.tasks import Progress, ResultFn, StatusFn, StoredResult, Task, TaskInfo
from fake_tasks.cluster.timeline import ClusterClosed
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import EsError, TransportFailure
from fake_tasks.versions import DEFAULT_VERSION, EsVersion, parse_version

__all__ = [
    "DEFAULT_CANCEL_REASON",
    "ES_VERSION",
    "KEEP",
    "Cluster",
    "ClusterClosed",
    "Node",
    "Progress",
    "ResultFn",
    "Scheduled",
    "StatusFn",
    "StoredResult",
    "Task",
    "TaskInfo",
]

ES_VERSION = DEFAULT_VERSION

# Waits end by the year 9000 at the latest: a virtual clock jumping ahead by the longest timeouts
# (106751 days each) would otherwise leave the dates Python (and the ES formatters) can print.
_LATEST_NS = 220_898_880_000 * 1_000_000_000


class Cluster(TaskTable):
    """A fake multi-node cluster: the state behind every route, guarded by one lock.

    Time comes from `clock` (see `Timeline`): a task's end, a cancel honoured after its delay
    and a parent ending with its last child are scheduled events. `copy.deepcopy(cluster)` is
    an independent cluster in the same state (clock included).
    """

    def __init__(
        self,
        nodes: Sequence[Node],
        *,
        clock: Clock | None = None,
        name: str = "fake-cluster",
        uuid: str = "Wl9mYWtlLXRhc2tzLXV1aWQ",
        version: str | EsVersion = ES_VERSION,
        first_task_id: int | Mapping[str, int] = 1,
        max_wait: float | str = "60s",
    ) -> None:
        super().__init__(nodes, clock, first_task_id)
        self.name = name
        self.uuid = uuid
        self.es_version = parse_version(version)
        self.version = self.es_version.number
        self.master_node_id = next(
            (node.id for node in nodes if "master" in node.roles), nodes[0].id
        )
        self.max_wait_ns = seconds_to_nanos(max_wait, "max_wait")
        self.indices = IndexCatalog(self.clock, self.version)
        self.rollup = RollupJobs()
        self.bulk = BulkScript()
        self.health = HealthScript()
        self.failed_nodes: dict[str, EsError] = {}
        # tasks whose per-task operation fails: reported in `task_failures`, not listed/cancelled
        self.task_failures: Mapping[TaskId, EsError] = {}
        self._request_seq = 0

    def attach_clock(self, clock: Clock) -> None:
        """Run on `clock` from now on (generation draws a cluster on a frozen clock first)."""
        with self.lock:
            self.clock = clock
            self.indices.use_clock(clock)

    def __deepcopy__(self, memo: dict[int, Any]) -> Cluster:
        """An independent cluster in the same state: the snapshot and restore of the fixture.

        Tasks, their index and the schedule are copied by hand (a generic deep copy costs more
        than generating a small cluster); any other state (other API families') is deep-copied
        with the copied tasks in `memo`, so references to tasks land on the copies.
        """
        with self.lock:
            twin = Cluster.__new__(Cluster)
            memo[id(self)] = twin
            twins = {task.task_id: task.duplicate() for task in self._index}
            for key, task in twins.items():
                memo[id(self._index.get(key))] = task

            # Other state (a rollup job) may hold its scheduled entry: map every entry first.
            schedule, entries = self._schedule.copy()
            memo.update(entries)
            due, twin_due = self._due, twin._due
            for entry in entries.values():
                if isinstance(entry.subject, Task) and entry.callback == due:
                    entry.callback, entry.subject = twin_due, twins[entry.subject.task_id]
                else:
                    entry.callback, entry.subject = copy.deepcopy(
                        (entry.callback, entry.subject), memo
                    )
            for key, task in twins.items():
                original = self._index.get(key)
                event = None if original is None else original.end_event
                task.end_event = None if event is None else entries.get(id(event))
            by_hand = {
                "lock": threading.RLock(),
                "_closed": False,
                "_index": self._index.copy(twins),
                "_schedule": schedule,
                "nodes": dict(self.nodes),  # Node values are frozen
                "failed_nodes": dict(self.failed_nodes),
                "task_failures": dict(self.task_failures),
                "_results": dict(self._results),  # StoredResult values are frozen
                "_next_ids": dict(self._next_ids),
            }
            for name, value in self.__dict__.items():
                if name == "changed":
                    continue
                twin.__dict__[name] = (
                    by_hand[name] if name in by_hand else copy.deepcopy(value, memo)
                )
            twin.changed = threading.Condition(twin.lock)
            return twin

    def __getstate__(self) -> dict[str, Any]:
        """Pickling copies the state too (resets use it when faster), locks aside."""
        with self.lock:
            return {k: v for k, v in self.__dict__.items() if k not in ("lock", "changed")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._closed = False

    def next_request_number(self) -> int:
        with self.lock:
            self._request_seq += 1
            return self._request_seq

    # -- node failures -------------------------------------------------------------------------

    def fail_node(self, node: str, cause: EsError) -> None:
        with self.lock:
            self.failed_nodes[self.node(node).id] = cause

    def node_failure(self, node_id: str, action: str) -> EsError | None:
        """What a request for `action` gets from a failed node, or None if the node is up."""
        cause = self.failed_nodes.get(node_id)
        if isinstance(cause, TransportFailure):
            return cause.for_action(action)
        return cause

    def restore_node(self, node: str) -> None:
        with self.lock:
            self.failed_nodes.pop(self.node(node).id, None)

    # -- waits and versions --------------------------------------------------------------------

    def wait_for(self, tasks: Iterable[Task], timeout_ns: int) -> bool:
        """Wait until all `tasks` (and descendants) finish or `timeout_ns` passes.

        Returns whether they all finished. Virtual clocks jump instead of sleeping; realtime
        waits block, bounded by the timeout (the request's own, as on the server: the caller
        bounds waits the server does not), and `close()` releases them. A timeout of zero or
        less checks once.
        """
        awaited = list(tasks)
        with self.lock:
            deadline = min(self.now_ns() + max(0, timeout_ns), _LATEST_NS)
            while True:
                self.settle()
                if all(not t.running for t in awaited):
                    return True
                if self._closed:
                    raise ClusterClosed("the cluster was closed while a request was waiting")
                now = self.now_ns()
                if now >= deadline:
                    return False
                ends = [self.end_ns(t) for t in awaited if t.running]
                known = [e for e in ends if e is not None]
                target = deadline if len(known) < len(ends) else min(max(known), deadline)
                self.clock.wait(self.changed, max(target, now + 1))

    @property
    def major_version(self) -> int:
        return self.es_version.major

    def at_least(self, major: int, minor: int = 0) -> bool:
        """Whether the emulated Elasticsearch version is `major.minor` or newer."""
        return self.es_version.at_least(major, minor)

    def has(self, feature: str) -> bool:
        """Whether the emulated version has a behaviour of `fake_tasks.versions.FEATURES`."""
        return self.es_version.has(feature)
