"""Rollup jobs and their indexer's life on the clock (`RollupJobTask`, `AsyncTwoPhaseIndexer`).

A job is created STOPPED. Started, it waits for its cron; each firing starts a run that reads
the documents its source indices gained since the last run, page by page, and goes back to
STARTED. A stop during a page is STOPPING until the page ends; an abort (delete, cancel) during
a page is ABORTING until then. The job's next transition (a firing, a page's end) is an event
on the cluster's schedule; `advance(now)` applies the transitions due by `now` in order (the
event does, and so does any read), and `next_change_ns` says when the state changes next
(waits jump there).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from fake_tasks.cluster.cron import Cron
from fake_tasks.cluster.indices import IndexCatalog
from fake_tasks.cluster.rollup_config import RollupJobConfig
from fake_tasks.errors import EsError

__all__ = ["STATES", "Behaviour", "RollupJob", "RollupJobs", "Stats"]

STATES = ("STARTED", "INDEXING", "STOPPING", "STOPPED", "ABORTING")
_MAX_STEPS = 200_000  # firings and pages applied per advance: a bound, not a limit tests meet


class _Scheduler(Protocol):
    """Where the job puts its next transition: the cluster's event queue."""

    def schedule(self, at_ns: int, callback: Callable[[int], None]) -> Any: ...

    def unschedule(self, entry: Any) -> None: ...


class _Cancellable(Protocol):
    @property
    def cancelled_ns(self) -> int | None: ...


@dataclass
class Behaviour:
    """How a job behaves beyond its config: what scripting changes."""

    page_time_ns: int = 1_000_000_000
    docs_per_bucket: int = 10
    stop_delay_ns: int | None = None  # a stop during a page keeps it STOPPING this long
    failing: bool = False  # every run fails on its first search
    stuck_aborting: bool = False  # an abort never completes


@dataclass
class Stats:
    """`RollupIndexerJobStats`, in its field order."""

    pages_processed: int = 0
    documents_processed: int = 0
    rollups_indexed: int = 0
    trigger_count: int = 0
    index_time_in_ms: int = 0
    index_total: int = 0
    index_failures: int = 0
    search_time_in_ms: int = 0
    search_total: int = 0
    search_failures: int = 0
    processing_time_in_ms: int = 0
    processing_total: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(eq=False)
class RollupJob:
    """One job: its config, its indexer state over time and its stats."""

    config: RollupJobConfig
    created_ns: int
    catalog: IndexCatalog | None = None  # where the source indices are counted
    behaviour: Behaviour = field(default_factory=Behaviour)
    state: str = "STOPPED"
    stats: Stats = field(default_factory=Stats)
    position: dict[str, Any] | None = None
    task_id: Any = None  # the persistent task's id, set by the action that creates the job
    processed_docs: int = 0
    cursor_ns: int = 0
    page_end_ns: int | None = None
    run_left: int = 0
    next_trigger_ns: int | None = None
    aborted: bool = False
    done_ns: int | None = None  # when an abort completed
    upgraded_doc_id: bool | None = None  # 7.x statuses carry it (true for jobs made in 7.x)
    scheduler: _Scheduler | None = None
    event: Any = None  # the scheduled next transition

    def __post_init__(self) -> None:
        self.cron = Cron.parse(self.config.cron)
        self.cursor_ns = self.created_ns

    # -- reading ----------------------------------------------------------------------------

    def source_docs(self) -> int:
        """The documents of the indices the pattern names now (missing ones count nothing)."""
        if self.catalog is None:
            return 0
        found = self.catalog.resolve(self.config.indices, ignore_unavailable=True)
        return sum(index.docs_count for index in found)

    def task_status(self, task: _Cancellable, at: int) -> dict[str, Any]:
        """The persistent task's status at `at`: a cancel of the task aborts the job first."""
        if task.cancelled_ns is not None and not self.aborted:
            self.abort(task.cancelled_ns)
        self.advance(at)
        return self.status()

    def status(self) -> dict[str, Any]:
        """`RollupJobStatus`: the state, lower case, and the position once there is one."""
        out: dict[str, Any] = {"job_state": self.state.lower()}
        if self.position is not None:
            out["current_position"] = dict(self.position)
        if self.upgraded_doc_id is not None:
            out["upgraded_doc_id"] = self.upgraded_doc_id
        return out

    def next_change_ns(self) -> int | None:
        """When the indexer state changes next by itself (None: not by itself)."""
        if self.state in ("INDEXING", "STOPPING", "ABORTING"):
            return self.page_end_ns
        if self.state == "STARTED":
            return self.next_trigger_ns
        return None

    def attach(self, scheduler: _Scheduler) -> None:
        """Put the job's transitions on `scheduler` from now on."""
        self.scheduler = scheduler
        self._reschedule()

    def _reschedule(self) -> None:
        if self.scheduler is None:
            return
        target = self.next_change_ns()
        current = self.event
        if current is not None and not current.done and current.at_ns == target:
            return
        self.scheduler.unschedule(current)
        self.event = None if target is None else self.scheduler.schedule(target, self._due)

    def _due(self, at_ns: int) -> None:
        self.event = None
        self.advance(at_ns)

    # -- commands (each at `now`, after applying what is due) -------------------------------

    def start(self, now: int, *, acknowledge_started: bool = True) -> None:
        """`RollupJobTask.start`: STOPPED -> STARTED; started or indexing: as is (8.x+)."""
        self.advance(now)
        if self.state in ("STARTED", "INDEXING") and acknowledge_started:
            return
        if self.state != "STOPPED":
            raise EsError(
                f"Cannot start task for Rollup Job [{self.config.id}] because state was "
                f"[{self.state}]"
            )
        self.state = "STARTED"
        self.next_trigger_ns = self.cron.next_after(now)
        self._reschedule()

    def stop(self, now: int) -> str:
        """`AsyncTwoPhaseIndexer.stop`: the state it leaves (ABORTING refuses)."""
        self.advance(now)
        if self.state == "INDEXING":
            self.state = "STOPPING"
            delay = self.behaviour.stop_delay_ns
            if delay is not None and self.page_end_ns is not None:
                self.page_end_ns = max(self.page_end_ns, now + delay)
        elif self.state == "STARTED":
            self.state = "STOPPED"
            self.next_trigger_ns = None
        elif self.state == "ABORTING":
            raise EsError(
                f"Cannot stop task for Rollup Job [{self.config.id}] because state was [ABORTING]"
            )
        self._reschedule()
        return self.state

    def abort(self, now: int) -> None:
        """`RollupJobTask.onCancelled`: ABORTING; done at once when idle, else at page end."""
        self.advance(now)
        if self.aborted:
            return
        self.aborted = True
        previous = self.state
        self.state = "ABORTING"
        self.next_trigger_ns = None
        if self.behaviour.stuck_aborting:
            self.page_end_ns = None
        elif previous in ("STOPPED", "STARTED"):
            self.done_ns = now
        self._reschedule()

    def end_after_abort(self, at_ns: int) -> int | None:
        """When an abort at `at_ns` completes (None: never, the job is stuck aborting)."""
        self.abort(at_ns)
        return self.done_ns if self.done_ns is not None else self.page_end_ns

    def fast_forward(self, pages: int, now: int) -> None:
        """Count `pages` pages of the current run as already done (scripting a run mid-way)."""
        for _ in range(pages):
            if self.state != "INDEXING" or not self.run_left:
                break
            self._page_done(now)
        if self.state == "INDEXING":
            self.page_end_ns = now + self.behaviour.page_time_ns
        self._reschedule()

    def trigger_now(self, now: int) -> None:
        """A firing at `now` (scripting: a job already mid-run)."""
        self.advance(now)
        if self.state == "STARTED":
            self._fire(now)
        self._reschedule()

    # -- time ---------------------------------------------------------------------------------

    def advance(self, now: int) -> None:
        """Apply the firings and page ends due by `now`, in time order."""
        for _ in range(_MAX_STEPS):
            if self.state in ("INDEXING", "STOPPING", "ABORTING") and self.done_ns is None:
                end = self.page_end_ns
                if end is None or end > now:
                    break
                self._page_done(end)
            elif self.state == "STARTED" and self.next_trigger_ns is not None:
                if self.next_trigger_ns > now:
                    break
                self._fire(self.next_trigger_ns)
            else:
                break
        self.cursor_ns = max(self.cursor_ns, now)
        self._reschedule()

    def _fire(self, at: int) -> None:
        """`maybeTriggerAsyncJob` while STARTED: count it, read the backlog, search."""
        self.stats.trigger_count += 1
        self.next_trigger_ns = None
        self.run_left = max(0, self.source_docs() - self.processed_docs)
        self.state = "INDEXING"
        self.page_end_ns = at + self.behaviour.page_time_ns

    def _page_done(self, at: int) -> None:
        """A search response arrives at `at`: a stop or abort halts first, else the page counts."""
        stats, behaviour = self.stats, self.behaviour
        page_ms = behaviour.page_time_ns // 1_000_000
        stats.search_total += 1
        stats.search_time_in_ms += page_ms * 6 // 10
        if self.state != "INDEXING":
            self._finish(at)
            return
        if behaviour.failing:
            stats.search_failures += 1
            self._finish(at)
            return
        stats.pages_processed += 1
        stats.processing_total += 1
        stats.processing_time_in_ms += page_ms // 10
        page_docs = min(self.run_left, self.config.page_size * behaviour.docs_per_bucket)
        if not page_docs:
            self._finish(at)
            return
        stats.documents_processed += page_docs
        stats.rollups_indexed += math.ceil(page_docs / behaviour.docs_per_bucket)
        stats.index_total += 1
        stats.index_time_in_ms += page_ms * 3 // 10
        self.run_left -= page_docs
        self.processed_docs += page_docs
        self._move_position(at)
        self.page_end_ns = at + behaviour.page_time_ns

    def _finish(self, at: int) -> None:
        """`finishAndSetState`: INDEXING -> STARTED, STOPPING -> STOPPED, ABORTING -> done."""
        self.page_end_ns = None
        if self.state == "ABORTING":
            self.done_ns = at
        elif self.state == "STOPPING":
            self.state = "STOPPED"
        else:
            self.state = "STARTED"
            self.next_trigger_ns = self.cron.next_after(at)

    def _move_position(self, at: int) -> None:
        groups = self.config.groups
        if groups is None:
            return
        key = f"{groups.date_histogram.field}.date_histogram"
        self.position = {key: at // 1_000_000 // 3_600_000 * 3_600_000}


class RollupJobs:
    """The cluster's rollup jobs by id, and the persistent tasks' allocation ids."""

    def __init__(self) -> None:
        self.jobs: dict[str, RollupJob] = {}
        self.allocation_id = 0

    def next_allocation(self) -> int:
        self.allocation_id += 1
        return self.allocation_id
