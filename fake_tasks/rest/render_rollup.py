"""Rollup responses in Elasticsearch's field order: jobs, capabilities, the deprecation header."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fake_tasks.actions.rollup import DeleteResult
from fake_tasks.cluster.javaorder import hash_order
from fake_tasks.cluster.model import Cluster
from fake_tasks.cluster.rollup import RollupJob
from fake_tasks.rest import render

__all__ = ["DEPRECATION", "caps", "deleted", "jobs", "warning_headers"]

DEPRECATION = (
    "The rollup functionality will be removed in Elasticsearch 10.0. See docs for more information."
)


def warning_headers(cluster: Cluster) -> dict[str, str]:
    """`Rollup.DEPRECATION_MESSAGE`, logged by every rollup transport action from 9.0."""
    if not cluster.has("rollup_deprecation_warning"):
        return {}
    return {"Warning": cluster.es_version.warning_header(DEPRECATION)}


def jobs(found: Iterable[RollupJob]) -> dict[str, Any]:
    """`GetRollupJobsAction.Response`: config, status, stats per job."""
    return {
        "jobs": [
            {"config": job.config.to_dict(), "status": job.status(), "stats": job.stats.to_dict()}
            for job in found
        ]
    }


def deleted(result: DeleteResult) -> dict[str, Any]:
    """`DeleteRollupJobAction.Response`: the task failures first, then acknowledged (a response
    body, not an error: `error_trace` adds no stack traces to it)."""
    out: dict[str, Any] = {}
    if result.task_failures:
        out["task_failures"] = [render.task_failure(f) for f in result.task_failures]
    out["acknowledged"] = result.acknowledged
    return out


def _ordered(entries: Mapping[str, Any]) -> dict[str, Any]:
    return {key: entries[key] for key in hash_order(entries)}


def _field_caps(config: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """`RollupJobCaps`: per field, the aggregations the job rolled up (each a `HashMap`)."""
    fields: dict[str, list[dict[str, Any]]] = {}
    groups = config.get("groups") or {}
    histo = groups.get("date_histogram")
    if isinstance(histo, dict) and "field" in histo:
        cap: dict[str, Any] = {"agg": "date_histogram"}
        cap.update({k: v for k, v in histo.items() if k != "field"})
        fields.setdefault(histo["field"], []).append(_ordered(cap))
    numeric = groups.get("histogram")
    if isinstance(numeric, dict):
        for name in numeric.get("fields", ()):
            cap = {"agg": "histogram", "interval": numeric.get("interval")}
            fields.setdefault(name, []).append(_ordered(cap))
    terms = groups.get("terms")
    if isinstance(terms, dict):
        for name in terms.get("fields", ()):
            fields.setdefault(name, []).append({"agg": "terms"})
    for metric in config.get("metrics") or ():
        for agg in metric.get("metrics", ()):
            fields.setdefault(metric["field"], []).append({"agg": agg})
    return _ordered(fields)


def caps(found: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Any]:
    """`GetRollupCapsAction.Response` (per index pattern) or `GetRollupIndexCapsAction.Response`
    (per rollup index): the jobs, sorted by id."""
    out: dict[str, Any] = {}
    for pattern in hash_order(found):
        configs = sorted(found[pattern], key=lambda c: str(c.get("id")))
        out[pattern] = {
            "rollup_jobs": [
                {
                    "job_id": config.get("id"),
                    "rollup_index": config.get("rollup_index"),
                    "index_pattern": config.get("index_pattern"),
                    "fields": _field_caps(config),
                }
                for config in configs
            ]
        }
    return out
