"""Scripting reindex, by-query requests, force merges and health, in a test's words."""

from __future__ import annotations

import math

from fake_tasks.cluster.bulkjob import LeaderProgress, WorkerProgress
from fake_tasks.cluster.bulkscript import Outcome
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.model import Cluster, Task
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import EsError, FakeTasksError

__all__ = ["BulkScripting"]

_STATUSES = ("green", "yellow", "red")


class BulkScripting:
    """The bulk-by-scroll, merge and health calls of `FakeTasks` (a mixin on `self.cluster`)."""

    cluster: Cluster

    def script_bulk(
        self,
        index: str = "*",
        *,
        matching: int | None = None,
        version_conflicts: int = 0,
        noops: int = 0,
        existing: int = 0,
        bulk_retries: int = 0,
        search_retries: int = 0,
        bulk_failure: EsError | None = None,
        search_failure: EsError | None = None,
        failure_batch: int = 0,
    ) -> Outcome:
        """What the next reindex / update / delete by query reading `index` (a `*` pattern) meets.

        `matching` is how many documents its query matches (default: all in the index); the
        first `version_conflicts` of them conflict (`conflicts=abort` stops there with
        failures, `proceed` counts and skips them), the next `noops` are left alone, the next
        `existing` (reindex) overwrite documents. `bulk_failure` / `search_failure` end the
        request at batch `failure_batch` with that error in `failures`. Later rules are
        consulted after earlier ones.
        """
        outcome = Outcome(
            version_conflicts=version_conflicts,
            noops=noops,
            existing=existing,
            bulk_retries=bulk_retries,
            search_retries=search_retries,
            bulk_failure=bulk_failure,
            search_failure=search_failure,
            failure_batch=failure_batch,
        )
        with self.cluster.lock:
            self.cluster.bulk.outcomes.append((index, outcome, matching))
        return outcome

    def allow_remote_reindex(self, host: str = "*", *, docs: int = 0) -> None:
        """Add `host` (`host:port`, `*` allowed) to `reindex.remote.whitelist`; the remote
        source holds `docs` documents. Without it, a reindex from a remote is refused."""
        with self.cluster.lock:
            self.cluster.bulk.remotes[host] = docs

    def set_bulk_speed(self, docs_per_second: int) -> None:
        """How fast unthrottled requests the APIs start go (default 10,000 documents/s)."""
        if docs_per_second < 1:
            raise FakeTasksError(f"docs_per_second must be at least 1, got {docs_per_second}")
        self.cluster.bulk.docs_per_second = docs_per_second

    def set_merge_speed(self, seconds_per_shard: float | str) -> None:
        """How long a force merge spends on one shard copy (default 1 s)."""
        self.cluster.bulk.merge_ns_per_shard = max(1, seconds_to_nanos(seconds_per_shard))

    def rethrottle(self, task: Task | TaskId | str, requests_per_second: float) -> Task:
        """Change a running reindex or by-query request's pace, as `_rethrottle` does (`-1`:
        unlimited); a sliced leader shares it among its running slices."""
        rps = math.inf if requests_per_second == -1 else float(requests_per_second)
        if not rps > 0:
            raise FakeTasksError(f"requests_per_second must be above 0 or -1, got {rps}")
        with self.cluster.lock:
            found = self.cluster.task(task if not isinstance(task, Task) else task.task_id)
            now = self.cluster.now_ns()
            if isinstance(found.progress, LeaderProgress):
                found.progress.rethrottle(now, rps)
            elif isinstance(found.progress, WorkerProgress):
                found.progress.worker.rethrottle(now, rps)
            else:
                raise FakeTasksError(f"task {found.task_id} is no reindex or by-query request")
            for child in self.cluster.children(found):  # their ends moved: reschedule them
                self.cluster.set_timing(child)
            return self.cluster.set_timing(found)

    def set_health(self, status: str | None, *, after: float | str = 0) -> None:
        """Report `status` (`green`, `yellow`, `red`; None: back to the computed one) from
        `after` seconds from now on: `wait_for_status` waits end when it comes."""
        if status is not None and status not in _STATUSES:
            raise FakeTasksError(f"status must be one of {list(_STATUSES)} or None, got {status!r}")
        with self.cluster.lock:
            since = self.cluster.now_ns() + seconds_to_nanos(after, "after")
            self.cluster.health.changes.append((since, status))
            self.cluster.health.changes.sort(key=lambda change: change[0])
            self.cluster.changed.notify_all()
