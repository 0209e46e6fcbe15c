"""The control API's answers: tasks, fault rules, stubs and journal entries as JSON values."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fake_tasks.cluster.clock import VirtualClock
from fake_tasks.cluster.indices import Index
from fake_tasks.cluster.model import Node, Task
from fake_tasks.cluster.rollup import RollupJob
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.faults import Rule, TaskOperationFailure
from fake_tasks.scripting.journal import Exchange
from fake_tasks.scripting.requests import Match
from fake_tasks.scripting.stubs import Stub

__all__ = [
    "clock_view",
    "exchange_view",
    "index_view",
    "info_view",
    "node_view",
    "rollup_job_view",
    "rule_view",
    "stub_view",
    "task_failure_view",
    "task_view",
]


def package_version() -> str:
    try:
        return version("fake-tasks")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def info_view(fake: FakeTasks) -> dict[str, Any]:
    s = fake.settings
    return {
        "fake_tasks": package_version(),
        "url": fake.url,
        "settings": {
            "seed": s.seed,
            "nodes": s.nodes,
            "tasks": s.tasks,
            "version": s.version,
            "tick": str(s.tick),
        },
        "cluster": {"name": fake.cluster.name, "uuid": fake.cluster.uuid},
        "clock": clock_view(fake),
        "counts": {
            "nodes": len(fake.cluster.nodes),
            "running_tasks": len(fake.cluster.tasks()),
            "faults": len(fake.faults),
            "stubs": len(fake.stubs),
            "journal": len(fake.journal),
        },
    }


def clock_view(fake: FakeTasks) -> dict[str, Any]:
    clock = fake.cluster.clock
    now = clock.now_ns()
    view: dict[str, Any] = {"virtual": bool(clock.virtual), "now_in_nanos": now}
    view["now_in_millis"] = now // 1_000_000
    if isinstance(clock, VirtualClock):
        view["tick_in_nanos"] = clock.tick_ns
    return view


def node_view(fake: FakeTasks, node: Node) -> dict[str, Any]:
    failure = fake.cluster.failed_nodes.get(node.id)
    return {
        "id": node.id,
        "name": node.name,
        "host": node.host,
        "ip": node.ip,
        "roles": list(node.roles),
        "attributes": dict(node.attributes),
        "failed": None if failure is None else failure.to_dict(),
    }


def task_view(fake: FakeTasks, task: Task) -> dict[str, Any]:
    cluster = fake.cluster
    now = cluster.now_ns()
    end = cluster.end_ns(task) if task.running else task.finished_ns
    return {
        "id": str(task.task_id),
        "node": task.node,
        "node_name": cluster.nodes[task.node].name if task.node in cluster.nodes else None,
        "action": task.action,
        "type": task.type,
        "description": task.description,
        "parent_task_id": None if task.parent is None else str(task.parent),
        "cancellable": task.cancellable,
        "cancelled": task.cancelled,
        "running": task.running,
        "start_time_in_millis": task.start_ns // 1_000_000,
        "running_time_in_nanos": max(0, (task.finished_ns or now) - task.start_ns),
        "ends_in_nanos": None if end is None else max(0, end - now),
        "children": [str(child.task_id) for child in cluster.children(task)],
    }


def _match_view(match: Match) -> dict[str, Any]:
    view: dict[str, Any] = {}
    for name in ("method", "api", "path", "opaque_id"):
        value = getattr(match, name)
        if value is not None:
            view[name] = value
    if match.params:
        view["params"] = dict(match.params)
    if match.headers:
        view["headers"] = dict(match.headers)
    return view


def rule_view(fake: FakeTasks, rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "faults": [repr(f) for f in rule.faults],
        "match": _match_view(rule.match),
        "times": rule.times,
        "probability": rule.probability,
        "hits": fake.faults.hits(rule),
    }


def task_failure_view(failure: TaskOperationFailure) -> dict[str, Any]:
    return {"task_id": str(failure.task_id), "error": failure.error.to_dict()}


def stub_view(fake: FakeTasks, stub: Stub) -> dict[str, Any]:
    return {
        "id": stub.id,
        "name": stub.name,
        "match": _match_view(stub.match),
        "answers": [{"status": a.status} for a in stub.answers],
        "times": stub.times,
        "override": stub.override,
        "hits": fake.stubs.hits(stub),
    }


def exchange_view(exchange: Exchange, *, bodies: bool = True) -> dict[str, Any]:
    request = exchange.request
    view: dict[str, Any] = {
        "seq": exchange.seq,
        "method": request.method,
        "path": request.path,
        "query": request.query,
        "api": request.api,
        "route": request.route,
        "status": exchange.status,
        "answered": exchange.answered,
        "unexpected": exchange.unexpected,
        "fault": None if exchange.fault is None else repr(exchange.fault),
        "fault_rule": None if exchange.rule is None else exchange.rule.id,
        "stub": None if exchange.stub is None else exchange.stub.id,
        "started_in_nanos": exchange.started_ns,
        "took_in_nanos": exchange.duration_ns,
        "request_headers": [[k, v] for k, v in request.headers],
        "response_headers": [[k, v] for k, v in exchange.response_headers],
    }
    if bodies:
        view["request_body"] = request.body.decode("utf-8", "replace")
        view["response_body"] = exchange.response_body.decode("utf-8", "replace")
    return view


def index_view(index: Index) -> dict[str, Any]:
    return {
        "name": index.name,
        "docs": index.docs_count,
        "aliases": sorted(index.aliases),
        "hidden": index.hidden,
        "fields": index.field_types(),
    }


def rollup_job_view(job: RollupJob) -> dict[str, Any]:
    config = job.config
    return {
        "id": config.id,
        "index_pattern": config.index_pattern,
        "rollup_index": config.rollup_index,
        "state": job.state.lower(),
    }
