"""JSON values to scripting calls: errors, faults, stubs and task trees, as scenario files and
the control API write them (shapes in `schemas/control/scenario.json`)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.cluster.indices import Index
from fake_tasks.cluster.model import Node, Task
from fake_tasks.cluster.rollup import RollupJob
from fake_tasks.errors import EsError, FakeTasksError
from fake_tasks.scripting.faults import Fault, Rule
from fake_tasks.scripting.scriptable import Scriptable
from fake_tasks.scripting.stubs import Answer, Stub

__all__ = [
    "Refs",
    "add_fault_rule",
    "add_index",
    "add_rollup_job",
    "add_stub",
    "add_task_tree",
    "build_error",
    "build_fault",
    "build_node",
]

_BY_SCROLL = ("reindex", "update_by_query", "delete_by_query")
_TASK_ONLY = (
    *("action", "type", "description", "cancellable", "status", "running_for"),
    *("store_result", "result", "error", "children", "id", "parent"),
)


@dataclass
class Refs:
    """Tasks by the `ref` names a document gave them, for later entries to point at."""

    tasks: dict[str, Task] = field(default_factory=dict)

    def task_id(self, name: str) -> str:
        found = self.tasks.get(name)
        return str(found.task_id) if found is not None else name


def build_error(value: Mapping[str, Any]) -> EsError:
    """`{"type": ..., "reason": ..., "status": ..., "caused_by": {...}}` as an `EsError`."""
    cause = value.get("caused_by")
    return EsError.custom(
        value["type"],
        value.get("reason"),
        value.get("status", 500),
        caused_by=build_error(cause) if cause is not None else None,
    )


def build_fault(value: Mapping[str, Any]) -> Fault:
    """`{"kind": "rejected"}`, `{"kind": "delay", "duration": "30s"}`, ... as a `Fault`."""
    kind = value["kind"]
    args = {k: v for k, v in value.items() if k != "kind"}
    if kind == "error":
        cause = args.get("caused_by")
        return Fault.error(
            args["type"],
            args.get("reason"),
            args.get("status", 500),
            caused_by=build_error(cause) if cause is not None else None,
            headers=args.get("headers"),
        )
    if kind == "malformed":
        body = args.get("body")
        return Fault.malformed(
            body.encode("utf-8") if body is not None else b'{"nodes":{"',
            status=args.get("status", 200),
        )
    factories = {
        "rejected": Fault.rejected,
        "cluster_block": Fault.cluster_block,
        "not_found": Fault.not_found,
        "delay": Fault.delay,
        "reset": Fault.reset,
        "disconnect": Fault.disconnect,
        "truncated": Fault.truncated,
        "slow_body": Fault.slow_body,
        "passthrough": Fault.passthrough,
    }
    factory: Any = factories.get(kind)
    if factory is None:
        raise FakeTasksError(f"unknown fault kind {kind!r}")
    if kind in ("delay", "slow_body") and "duration" in args:
        return factory(args.pop("duration"), **args)  # type: ignore[no-any-return]
    return factory(**args)  # type: ignore[no-any-return]


def add_fault_rule(fake: Scriptable, value: Mapping[str, Any], refs: Refs | None = None) -> Rule:
    """A fault rule (`{"fault": ..., "api": ..., "times": ...}`) registered on `fake`."""
    faults = value["fault"]
    fault = build_fault(faults) if isinstance(faults, Mapping) else [build_fault(f) for f in faults]
    params = dict(value.get("params", {}))
    if "task" in value:
        params["task_id"] = (refs or Refs()).task_id(value["task"])
    return fake.inject(
        fault,
        api=value.get("api"),
        method=value.get("method"),
        path=value.get("path"),
        params=params,
        headers=value.get("headers"),
        opaque_id=value.get("opaque_id"),
        times=value.get("times"),
        probability=value.get("probability", 1.0),
        cycle=value.get("cycle", False),
    )


def build_answer(value: Mapping[str, Any], *, headers_key: str = "headers") -> Answer:
    body = value.get("body")
    return Answer(
        status=value.get("status", 200),
        json=value.get("json"),
        body=body.encode("utf-8") if body is not None else None,
        headers=dict(value.get(headers_key, {})),
        content_type=value.get("content_type"),
    )


def add_stub(fake: Scriptable, value: Mapping[str, Any]) -> Stub:
    """A stub (`{"method": "GET", "path": "/_cluster/settings", "json": {...}}`) on `fake`."""
    answers = value.get("answers")
    method = value.get("method")
    return fake.stub(
        None if method in (None, "*") else method,
        value["path"],
        answers=[build_answer(a) for a in answers] if answers else None,
        answer=None if answers else build_answer(value, headers_key="response_headers"),
        api=value.get("api"),
        params=value.get("params"),
        headers=value.get("headers"),
        opaque_id=value.get("opaque_id"),
        times=value.get("times"),
        cycle=value.get("cycle", False),
        override=value.get("override", False),
        name=value.get("name"),
    )


def build_node(value: Mapping[str, Any], index: int) -> Node:
    """A node from `{"name": ..., "id": ..., "host": ..., "roles": [...]}`.

    A missing id is derived from the name (the same name gives the same id); a missing
    address is 10.0.0.<index + 1>.
    """
    name = value["name"]
    ip = value.get("ip") or value.get("host") or f"10.0.0.{index + 1}"
    digest = hashlib.sha256(f"fake-tasks/node/{name}".encode()).digest()[:16]
    return Node(
        id=value.get("id") or base64.urlsafe_b64encode(digest).decode("ascii").rstrip("="),
        name=name,
        host=value.get("host") or ip,
        ip=ip,
        port=value.get("port", 9300),
        roles=tuple(value.get("roles", ("data", "ingest", "master"))),
        attributes=dict(value.get("attributes", {})),
    )


def add_task_tree(
    fake: Scriptable, value: Mapping[str, Any], refs: Refs, *, parent: Task | None = None
) -> tuple[Task, list[Task]]:
    """Start a task (and its `children`, recursively); returns it and every task started.

    Tasks marked `cancelled` are cancelled once their whole tree runs, so the children they
    started are cancelled with them, as a real cancel would.
    """
    kind = value.get("kind", "task")
    started: list[Task] = []
    if kind in _BY_SCROLL:
        extra = sorted(k for k in _TASK_ONLY if k in value)
        if extra or parent is not None:
            what = f"fields {extra}" if extra else "a parent"
            raise FakeTasksError(f"a {kind} task takes no {what}")
        task = _add_by_scroll(fake, kind, value)
        started += [task, *fake.cluster.children(task)]
    else:
        task = fake.add_task(
            value["action"],
            node=value.get("node") or (parent.node if parent is not None else None),
            type=value.get("type", "transport"),
            description=value.get("description", ""),
            parent=parent if parent is not None else value.get("parent"),
            cancellable=value.get("cancellable", True),
            headers=value.get("headers"),
            status=value.get("status"),
            duration=value.get("duration"),
            cancel_delay=value.get("cancel_delay", 0),
            store_result=value.get("store_result", False),
            result=value.get("result"),
            started_ago=value.get("running_for", 0),
            task_id=value.get("id"),
            error=build_error(value["error"]) if "error" in value else None,
        )
        started.append(task)
        for child in value.get("children", ()):
            started += add_task_tree(fake, child, refs, parent=task)[1]
    ref = value.get("ref")
    if ref is not None:
        if ref in refs.tasks:
            raise FakeTasksError(f"two tasks have ref {ref!r}")
        refs.tasks[ref] = task
    if value.get("cancelled") and (parent is None or not parent.cancelled):
        fake.cancel(task)
    return task, started


def _add_by_scroll(fake: Scriptable, kind: str, value: Mapping[str, Any]) -> Task:
    common: dict[str, Any] = {
        "docs": value.get("docs", 10_000),
        "duration": value.get("duration", "30s"),
        "node": value.get("node"),
        "headers": value.get("headers"),
        "cancel_delay": value.get("cancel_delay", 0),
    }
    if kind == "reindex":
        return fake.add_reindex(
            value.get("source", "source"),
            value.get("dest", "dest"),
            slices=value.get("slices", 1),
            **common,
        )
    if "slices" in value:
        raise FakeTasksError(f"a {kind} task takes no slices")
    add = fake.add_update_by_query if kind == "update_by_query" else fake.add_delete_by_query
    return add(value.get("index", "index"), **common)


def add_index(fake: Scriptable, value: Mapping[str, Any]) -> Index:
    """An index (`{"name": "logs", "docs": 1000, "fields": {"@timestamp": "date"}}`)."""
    return fake.add_index(
        value["name"],
        docs=value.get("docs", 0),
        mappings=value.get("mappings"),
        fields=value.get("fields"),
        settings=value.get("settings"),
        aliases=value.get("aliases"),
    )


_ROLLUP_KEYS = (
    *("index_pattern", "rollup_index", "date_field", "interval", "metrics", "terms", "cron"),
    *("page_size", "docs", "state", "progress", "page_time", "docs_per_bucket"),
)


def add_rollup_job(fake: Scriptable, value: Mapping[str, Any]) -> RollupJob:
    """A rollup job (`{"id": "sensors", "state": "indexing", "stop_delay": "20s"}`)."""
    options: dict[str, Any] = {k: value[k] for k in _ROLLUP_KEYS if k in value}
    histogram = value.get("histogram")
    if histogram is not None:
        options["histogram"] = (histogram["interval"], histogram["fields"])
    job_id = value["id"]
    job = fake.add_rollup_job(job_id, **options)
    if "stop_delay" in value:
        job = fake.slow_rollup_stop(job_id, value["stop_delay"])
    if value.get("failing_runs"):
        job = fake.fail_rollup_runs(job_id)
    if value.get("stuck_aborting"):
        job = fake.stick_rollup_aborting(job_id)
    return job
