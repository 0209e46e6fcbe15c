"""Scripting rollup jobs in a test's words: started, mid-way, slow to stop, stuck, failing."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from fake_tasks.actions.rollup import find_job, put_job
from fake_tasks.cluster.model import Cluster
from fake_tasks.cluster.rollup import Behaviour, RollupJob
from fake_tasks.cluster.rollup_config import (
    CALENDAR_UNITS,
    Groups,
    make_config,
    make_date_histogram,
    make_histogram,
    make_metric,
    make_terms,
)
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import EsError, FakeTasksError

__all__ = ["RollupScripting"]


class RollupScripting:
    """The rollup calls of `FakeTasks` (a mixin: it works on `self.cluster`)."""

    cluster: Cluster

    def add_rollup_job(
        self,
        job_id: str,
        *,
        index_pattern: str = "sensor-*",
        rollup_index: str | None = None,
        date_field: str = "@timestamp",
        interval: str = "1h",
        metrics: Mapping[str, Sequence[str]] | None = None,
        terms: Sequence[str] = (),
        histogram: tuple[int, Sequence[str]] | None = None,
        cron: str = "*/30 * * * * ?",
        page_size: int = 1000,
        docs: int = 10_000,
        state: str = "stopped",
        progress: float = 0.0,
        page_time: float | str = "1s",
        docs_per_bucket: int = 10,
    ) -> RollupJob:
        """A rollup job as if the cluster already had it (no 8.15 usage check), and its source.

        `state` is "stopped", "started" or "indexing" (a run under way, `progress` of it done).
        A source index is created when none matches `index_pattern`, with `docs` documents and
        the fields the job names; `page_time` is how long each page of a run takes.
        """
        if state not in ("stopped", "started", "indexing"):
            raise FakeTasksError(f"state must be stopped, started or indexing, not {state!r}")
        cluster = self.cluster
        metric_fields = dict(metrics if metrics is not None else {"value": ("min", "max", "sum")})
        with cluster.lock:
            try:
                if not cluster.indices.resolve(index_pattern.split(","), ignore_unavailable=True):
                    fields = {date_field: {"type": "date"}}
                    fields.update({name: {"type": "long"} for name in metric_fields})
                    fields.update({name: {"type": "keyword"} for name in terms})
                    for name in histogram[1] if histogram else ():
                        fields[name] = {"type": "long"}
                    source = index_pattern.split(",")[0].replace("*", "000001")
                    cluster.indices.create(source, mappings={"properties": fields}, docs=docs)
                groups = Groups(
                    make_date_histogram(date_field, None, interval, None, None, None)
                    if interval in CALENDAR_UNITS
                    else make_date_histogram(date_field, None, None, interval, None, None),
                    make_histogram(histogram[0], histogram[1]) if histogram else None,
                    make_terms(terms) if terms else None,
                )
                config = make_config(
                    job_id,
                    index_pattern,
                    rollup_index or f"{job_id}_rollup",
                    cron,
                    page_size,
                    groups,
                    [make_metric(name, aggs) for name, aggs in metric_fields.items()],
                    None,
                )
                behaviour = Behaviour(
                    page_time_ns=seconds_to_nanos(page_time, "page_time"),
                    docs_per_bucket=docs_per_bucket,
                )
                job = put_job(cluster, config, behaviour, check_usage=False)
            except EsError as error:
                raise FakeTasksError(f"cannot add rollup job {job_id!r}: {error.reason}") from None
            now = cluster.now_ns()
            if state in ("started", "indexing"):
                job.start(now)
            if state == "indexing":
                job.trigger_now(now)
                pages = math.ceil(job.run_left / (page_size * docs_per_bucket))
                job.fast_forward(int(pages * progress), now)
            cluster.changed.notify_all()
            return job

    def rollup_job(self, job_id: str) -> RollupJob:
        """A rollup job by id, its state brought up to now; FakeTasksError if there is none."""
        with self.cluster.lock:
            job = find_job(self.cluster, job_id)
        if job is None:
            raise FakeTasksError(f"no rollup job {job_id!r}")
        return job

    def slow_rollup_stop(self, job_id: str, delay: float | str) -> RollupJob:
        """A stop while the job indexes leaves it `stopping` for `delay` (the page is slow)."""
        job = self.rollup_job(job_id)
        job.behaviour.stop_delay_ns = seconds_to_nanos(delay, "delay")
        return job

    def stick_rollup_aborting(self, job_id: str) -> RollupJob:
        """The job is `aborting` and never gets out: stop and start fail, delete is refused."""
        job = self.rollup_job(job_id)
        with self.cluster.lock:
            job.behaviour.stuck_aborting = True
            job.abort(self.cluster.now_ns())
        return job

    def fail_rollup_runs(self, job_id: str, failing: bool = True) -> RollupJob:
        """Every run of the job fails on its first search (`search_failures` counts them)."""
        job = self.rollup_job(job_id)
        job.behaviour.failing = failing
        return job
