"""The rollup job actions (`Transport*RollupJobAction`s) on the cluster: each as the server runs it.

A job is a persistent task `xpack/rollup/job[c]` (description `rollup_<id>`) from the moment it
is created, with its indexer status as the task's status; cancelling that task aborts the job
as `RollupJobTask.onCancelled` does (at once when idle, at the end of the page otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_tasks.actions.tasks import TaskFailure
from fake_tasks.cluster.matching import DATA_ROLES
from fake_tasks.cluster.model import Cluster, ClusterClosed
from fake_tasks.cluster.patterns import simple_match
from fake_tasks.cluster.rollup import Behaviour, RollupJob
from fake_tasks.cluster.rollup_config import RollupJobConfig, string_rep
from fake_tasks.cluster.rollup_mappings import validate_mappings
from fake_tasks.errors import (
    ActionRequestValidationError,
    EsError,
    EsTimeoutError,
    IllegalArgumentError,
    IllegalStateError,
    ResourceNotFoundError,
)

__all__ = [
    "TASK_ACTION",
    "DeleteResult",
    "RollupValidationError",
    "delete_job",
    "find_job",
    "get_jobs",
    "put_job",
    "rollup_caps",
    "rollup_index_caps",
    "start_job",
    "stop_job",
]

TASK_ACTION = "xpack/rollup/job[c]"
_DYNAMIC_TEMPLATES = [
    {"strings": {"match_mapping_type": "string", "mapping": {"type": "keyword"}}},
    {"date_histograms": {"path_match": "*.date_histogram.timestamp", "mapping": {"type": "date"}}},
]
_NOT_AGGREGATABLE = frozenset({"text", "match_only_text", "binary", "semantic_text"})


class RollupValidationError(ActionRequestValidationError):
    """`RollupActionRequestValidationException`: 400 with the numbered problems."""

    es_type = "rollup_action_request_validation_exception"


def _status_exception(reason: str, status: int, cause: EsError | None = None) -> EsError:
    return EsError.custom("status_exception", reason, status, caused_by=cause)


def _runtime(reason: str, cause: EsError | None = None) -> EsError:
    return EsError.custom("runtime_exception", reason, 500, caused_by=cause)


def find_job(cluster: Cluster, job_id: str) -> RollupJob | None:
    """The job whose persistent task still runs, its state brought up to now."""
    job = cluster.rollup.jobs.get(job_id)
    if job is None:
        return None
    task = cluster.find(job.task_id)
    if task is None:
        del cluster.rollup.jobs[job_id]
        return None
    job.task_status(task, cluster.now_ns())
    return job


def _field_caps(cluster: Cluster, config: RollupJobConfig) -> dict[str, dict[str, bool]]:
    """`_field_caps` of the job's fields over the indices its pattern names (404 if missing)."""
    indices = cluster.indices.resolve(config.indices, allow_no_indices=False)
    wanted = set(config.all_fields())
    caps: dict[str, dict[str, bool]] = {}
    for index in indices:
        for name, kind in index.field_types().items():
            if name in wanted:
                types = caps.setdefault(name, {})
                types[kind] = types.get(kind, True) and kind not in _NOT_AGGREGATABLE
    return caps


def _has_rollup_usage(cluster: Cluster) -> bool:
    """`findNumberOfRollupJobs` > 0 or an index whose mapping `_meta` has `_rollup`."""
    if any(find_job(cluster, job_id) is not None for job_id in list(cluster.rollup.jobs)):
        return True
    return any("_rollup" in index.meta for index in cluster.indices)


def put_job(
    cluster: Cluster,
    config: RollupJobConfig,
    behaviour: Behaviour | None = None,
    *,
    check_usage: bool = True,
) -> RollupJob:
    """`TransportPutRollupJobAction.masterOperation`: checks, rollup index, persistent task.

    `check_usage` False skips the 8.15+ refusal in clusters without rollup usage (scripting
    creates jobs a cluster already had).
    """
    with cluster.lock:
        if config.groups is None:
            # checkForDeprecatedTZ reads the date histogram's time zone before anything else
            raise EsError.custom(
                "null_pointer_exception",
                'Cannot invoke "org.elasticsearch.xpack.core.rollup.job.GroupConfig'
                '.getDateHistogram()" because the return value of "org.elasticsearch.xpack.core'
                '.rollup.job.RollupJobConfig.getGroupConfig()" is null',
                500,
            )
        if check_usage and cluster.has("rollup_put_restricted") and not _has_rollup_usage(cluster):
            raise IllegalArgumentError(
                "new rollup jobs are not allowed in clusters that don't have any rollup usage,"
                " since rollup has been deprecated"
            )
        problems = validate_mappings(config, _field_caps(cluster, config))
        if problems:
            raise RollupValidationError(*problems)
        _store_in_rollup_index(cluster, config)
        if config.id in cluster.rollup.jobs and find_job(cluster, config.id) is not None:
            cause = EsError.custom(
                "resource_already_exists_exception",
                f"task with id {{{config.id}}} already exist",
                400,
            )
            reason = f"Cannot create job [{config.id}] because it has already been created"
            raise _status_exception(f"{reason} (task exists)", 409, cause)
        return _start_persistent_task(cluster, config, behaviour or Behaviour())


def _store_in_rollup_index(cluster: Cluster, config: RollupJobConfig) -> None:
    """`createIndex`, or `updateMapping` when the rollup index exists."""
    name = config.rollup_index
    version = "" if cluster.has("rollup_version_meta_empty") else cluster.version
    index = cluster.indices.get(name)
    if index is None:
        try:
            cluster.indices.create(
                name,
                mappings={
                    "_meta": {"_rollup": {config.id: config.to_dict()}, "rollup-version": version},
                    "dynamic_templates": _DYNAMIC_TEMPLATES,
                },
            )
        except EsError as error:
            raise _runtime(f"Could not create index for rollup job [{config.id}]", error) from None
        return
    meta = index.mappings.get("_meta")
    prefix = (
        "Rollup data cannot be added to existing indices that contain non-rollup data (expected "
    )
    if not isinstance(meta, dict):
        raise _runtime(
            f"{prefix}to find _meta key in mapping of rollup index [{name}] but not found)."
        )
    jobs = meta.get("_rollup")
    if not isinstance(jobs, dict):
        raise _runtime(
            f"{prefix}to find rollup meta key [_rollup] in mapping of rollup index [{name}] but not"
            " found)."
        )
    if not cluster.has("rollup_version_meta_empty") and meta.get("rollup-version") is None:
        raise IllegalStateError(
            f"Could not determine version of existing rollup metadata for index [{name}]"
        )
    if jobs.get(config.id) is not None:
        raise _status_exception(
            f"Cannot create rollup job [{config.id}] because job was previously created (existing"
            " metadata).",
            409,
        )
    jobs[config.id] = config.to_dict()


def _assigned_node(cluster: Cluster) -> str:
    """`selectLeastLoadedNode`: the data node running the fewest persistent tasks."""
    load = {node_id: 0 for node_id, node in cluster.nodes.items() if DATA_ROLES & set(node.roles)}
    if not load:
        return cluster.local_node_id
    for task in cluster.tasks():
        if task.type == "persistent" and task.node in load:
            load[task.node] += 1
    return min(load, key=lambda node_id: (load[node_id], list(cluster.nodes).index(node_id)))


def _start_persistent_task(
    cluster: Cluster, config: RollupJobConfig, behaviour: Behaviour
) -> RollupJob:
    job = RollupJob(config, cluster.now_ns(), catalog=cluster.indices, behaviour=behaviour)
    if cluster.has("rollup_upgraded_doc_id"):
        job.upgraded_doc_id = True
    task = cluster.start_task(
        TASK_ACTION,
        node=_assigned_node(cluster),
        type="persistent",
        description=f"rollup_{config.id}",
        parent=f"cluster:{cluster.rollup.next_allocation()}",
        status=job.task_status,
    )
    task.cancel_end = job.end_after_abort
    job.task_id = task.task_id
    job.attach(cluster)
    cluster.rollup.jobs[config.id] = job
    return job


def get_jobs(cluster: Cluster, job_id: str) -> list[RollupJob]:
    """`TransportGetRollupJobAction`: one job, or all for `_all`, `*` or no id; none is no error."""
    with cluster.lock:
        ids = sorted(cluster.rollup.jobs) if job_id in ("", "_all", "*") else [job_id]
        return [job for i in ids if (job := find_job(cluster, i)) is not None]


def _missing(job_id: str) -> ResourceNotFoundError:
    return ResourceNotFoundError(f"Task for Rollup Job [{job_id}] not found")


def start_job(cluster: Cluster, job_id: str) -> None:
    """`RollupJobTask.start` (a started job stays started from 8.x; 7.x refused it)."""
    with cluster.lock:
        job = find_job(cluster, job_id)
        if job is None:
            raise _missing(job_id)
        job.start(cluster.now_ns(), acknowledge_started=cluster.has("rollup_restart_acknowledged"))
        cluster.changed.notify_all()


def stop_job(cluster: Cluster, job_id: str, *, wait: bool, timeout_ns: int, timeout: str) -> None:
    """`TransportStopRollupAction`: stop, then with `wait` poll until STOPPED or the timeout."""
    with cluster.lock:
        job = find_job(cluster, job_id)
        if job is None:
            raise _missing(job_id)
        job.stop(cluster.now_ns())
        cluster.changed.notify_all()
        if not wait:
            return
        deadline = cluster.now_ns() + max(0, min(timeout_ns, cluster.max_wait_ns))
        while True:
            cluster.settle()
            now = cluster.now_ns()
            job.advance(now)
            if job.state == "STOPPED":
                return
            if cluster.closed:
                raise ClusterClosed("the cluster was closed while a request was waiting")
            if now >= deadline:
                error = EsTimeoutError(
                    f"Timed out after [{string_rep(timeout)}] while waiting for rollup job "
                    f"[{job_id}] to stop. State was [{job.state}]"
                )
                if not cluster.has("timeout_429"):
                    error.status = 500
                raise error
            change = job.next_change_ns()
            target = deadline if change is None else min(change, deadline)
            cluster.clock.wait(cluster.changed, max(target, now + 1))


@dataclass(frozen=True)
class DeleteResult:
    """`DeleteRollupJobAction.Response`: acknowledged, or the task failure that refused it."""

    acknowledged: bool
    task_failures: tuple[TaskFailure, ...] = ()


def delete_job(cluster: Cluster, job_id: str) -> DeleteResult:
    """`TransportDeleteRollupJobAction`: only a STOPPED job goes (its rollup index stays)."""
    with cluster.lock:
        job = find_job(cluster, job_id)
        if job is None:
            raise ResourceNotFoundError(f"the task with id [{job_id}] doesn't exist")
        if job.state != "STOPPED":
            reason = IllegalStateError(
                f"Could not delete job [{job_id}] because indexer state is [{job.state}].  Job"
                " must be [STOPPED] before deletion."
            )
            return DeleteResult(False, (TaskFailure(job.task_id, 500, reason),))
        job.abort(cluster.now_ns())
        cluster.remove(job.task_id)
        del cluster.rollup.jobs[job_id]
        return DeleteResult(True)


def rollup_caps(cluster: Cluster, pattern: str) -> dict[str, list[dict[str, Any]]]:
    """`TransportGetRollupCapsAction`: job configs in rollup indices' `_meta`, by index pattern."""
    found: dict[str, list[dict[str, Any]]] = {}
    with cluster.lock:
        for index in cluster.indices:
            jobs = index.meta.get("_rollup")
            if not isinstance(jobs, dict):
                continue
            for config in jobs.values():
                target = config.get("index_pattern") if isinstance(config, dict) else None
                if not isinstance(target, str) or (
                    "groups" not in config and "metrics" not in config
                ):
                    continue
                wanted = (
                    pattern in ("", "_all")
                    or ("*" in pattern and simple_match(pattern, target))
                    or pattern == target
                )
                if wanted:
                    found.setdefault(target, []).append(config)
    return found


def rollup_index_caps(
    cluster: Cluster, expressions: tuple[str, ...]
) -> dict[str, list[dict[str, Any]]]:
    """`TransportGetRollupIndexCapsAction`: the job configs of the named rollup indices."""
    found: dict[str, list[dict[str, Any]]] = {}
    with cluster.lock:
        for index in cluster.indices.resolve(expressions):
            jobs = index.meta.get("_rollup")
            if not isinstance(jobs, dict):
                continue
            configs = [c for c in jobs.values() if isinstance(c, dict) and "index_pattern" in c]
            if configs:
                found[index.name] = configs
    return found
