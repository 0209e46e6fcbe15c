"""Model to JSON: TaskInfo field order, `group_by` envelopes, get results, node and cluster info."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fake_tasks.actions.tasks import GetResult, TaskFailure, TasksResult
from fake_tasks.cluster.bulkjob import humanize
from fake_tasks.cluster.model import Cluster, Node, TaskInfo
from fake_tasks.cluster.timevalue import human as human_time
from fake_tasks.rest.render_json import compact

GROUP_BY = ("nodes", "parents", "none")

REST_STATUS = {
    100: "CONTINUE", 101: "SWITCHING_PROTOCOLS", 200: "OK", 201: "CREATED", 202: "ACCEPTED",
    203: "NON_AUTHORITATIVE_INFORMATION", 204: "NO_CONTENT", 205: "RESET_CONTENT",
    206: "PARTIAL_CONTENT", 207: "MULTI_STATUS", 300: "MULTIPLE_CHOICES",
    301: "MOVED_PERMANENTLY", 302: "FOUND", 303: "SEE_OTHER", 304: "NOT_MODIFIED",
    305: "USE_PROXY", 307: "TEMPORARY_REDIRECT", 400: "BAD_REQUEST", 401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED", 403: "FORBIDDEN", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE", 407: "PROXY_AUTHENTICATION", 408: "REQUEST_TIMEOUT", 409: "CONFLICT",
    410: "GONE", 411: "LENGTH_REQUIRED", 412: "PRECONDITION_FAILED",
    413: "REQUEST_ENTITY_TOO_LARGE", 414: "REQUEST_URI_TOO_LONG", 415: "UNSUPPORTED_MEDIA_TYPE",
    416: "REQUESTED_RANGE_NOT_SATISFIED", 417: "EXPECTATION_FAILED", 422: "UNPROCESSABLE_ENTITY",
    423: "LOCKED", 424: "FAILED_DEPENDENCY", 429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR", 501: "NOT_IMPLEMENTED", 502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT", 505: "HTTP_VERSION_NOT_SUPPORTED",
    507: "INSUFFICIENT_STORAGE",
}  # fmt: skip


def iso_millis(epoch_ms: int) -> str:
    """`strict_date_optional_time_nanos` for a millisecond timestamp: `2026-01-01T00:00:00.000Z`."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}Z"


def task_info(info: TaskInfo, *, human: bool = False) -> dict[str, Any]:
    """`TaskInfo.toXContent`, field for field and in the same order."""
    # what a list (not detailed) mostly holds: one display, its dict sized once
    if (
        not human
        and info.status is None
        and info.description is None
        and info.original_task_id is None
    ):
        fast: dict[str, Any] = {
            "node": info.node,
            "id": info.id,
            "type": info.type,
            "action": info.action,
            "start_time_in_millis": info.start_time_ms,
            "running_time_in_nanos": info.running_time_ns,
            "cancellable": info.cancellable,
        }
        if info.cancellable and info.cancelled is not None:
            fast["cancelled"] = info.cancelled
        parent = info.parent_task_id
        if parent is not None:
            fast["parent_task_id"] = f"{parent.node}:{parent.id}"
        headers = info.headers
        fast["headers"] = headers if type(headers) is dict else dict(headers)
        return fast
    out: dict[str, Any] = {
        "node": info.node,
        "id": info.id,
    }
    relocated = info.original_task_id is not None and info.original_task_id != info.task_id
    if relocated:
        out["original_task_id"] = str(info.original_task_id)
    out |= {
        "type": info.type,
        "action": info.action,
    }
    if info.status is not None:
        out["status"] = humanize(info.status, human)
    if info.description is not None:
        out["description"] = info.description
    if human:
        out["start_time"] = iso_millis(info.start_time_ms)
    out["start_time_in_millis"] = info.start_time_ms
    if human:
        out["running_time"] = human_time(info.running_time_ns)
    out["running_time_in_nanos"] = info.running_time_ns
    if relocated and info.original_start_time_ms is not None:
        if human:
            out["original_start_time"] = iso_millis(info.original_start_time_ms)
        out["original_start_time_in_millis"] = info.original_start_time_ms
    out["cancellable"] = info.cancellable
    if info.cancellable and info.cancelled is not None:
        out["cancelled"] = info.cancelled
    if info.parent_task_id is not None:
        out["parent_task_id"] = str(info.parent_task_id)
    headers = info.headers
    out["headers"] = headers if type(headers) is dict else dict(headers)
    return out


def node_fields(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": node.name,
        "transport_address": node.transport_address,
        "host": node.host,
        "ip": node.transport_address,
        "roles": list(node.roles),
    }
    if node.attributes:
        out["attributes"] = dict(node.attributes)
    return out


def task_failure(failure: TaskFailure) -> dict[str, Any]:
    return {
        "task_id": failure.task_id.id,
        "node_id": failure.task_id.node,
        "status": REST_STATUS.get(failure.status, "INTERNAL_SERVER_ERROR"),
        "reason": failure.reason.to_dict(),
    }


def tasks_response(
    result: TasksResult,
    cluster: Cluster,
    group_by: str = "nodes",
    *,
    human: bool = False,
) -> dict[str, Any]:
    """`ListTasksResponse` in one of its three layouts (cancel answers the same).

    Failures never carry `stack_trace`: `error_trace` adds traces to error responses only
    (`RestResponse`); a 200 renders exceptions with the default, skip the trace.
    """
    out: dict[str, Any] = {}
    if result.task_failures:
        out["task_failures"] = [task_failure(f) for f in result.task_failures]
    if result.node_failures:
        out["node_failures"] = [f.to_dict() for f in result.node_failures]
    if group_by == "nodes":
        out["nodes"] = _by_nodes(result.tasks, cluster, human=human)
    elif group_by == "parents":
        out["tasks"] = _by_parents(result.tasks, human=human)
    else:
        out["tasks"] = [task_info(t, human=human) for t in result.tasks]
    return out


def _by_nodes(tasks: Sequence[TaskInfo], cluster: Cluster, *, human: bool) -> dict[str, Any]:
    grouped: dict[str, dict[str, Any]] = {}
    for info in tasks:
        if info.node not in grouped:
            node = cluster.nodes.get(info.node)
            grouped[info.node] = {**(node_fields(node) if node else {}), "tasks": {}}
        grouped[info.node]["tasks"][f"{info.node}:{info.id}"] = task_info(info, human=human)
    return grouped


def _by_parents(tasks: Sequence[TaskInfo], *, human: bool) -> dict[str, Any]:
    keyed = [(f"{info.node}:{info.id}", info) for info in tasks]
    present = {key for key, _ in keyed}
    children: dict[str, list[tuple[str, TaskInfo]]] = {}
    roots: list[tuple[str, TaskInfo]] = []
    for key, info in keyed:
        parent = None if info.parent_task_id is None else str(info.parent_task_id)
        if parent is not None and parent in present:
            children.setdefault(parent, []).append((key, info))
        else:
            roots.append((key, info))

    def group(key: str, info: TaskInfo) -> dict[str, Any]:
        out = task_info(info, human=human)
        kids = children.get(key)
        if kids:
            out["children"] = [group(*kid) for kid in kids]
        return out

    return {key: group(key, info) for key, info in roots}


def get_response(result: GetResult, *, human: bool = False) -> dict[str, Any]:
    """`GetTaskResponse` / `TaskResult`: completed, task, error, response."""
    out: dict[str, Any] = {
        "completed": result.completed,
        "task": task_info(result.task, human=human),
    }
    if result.error is not None:
        out["error"] = result.error.to_dict()  # stored as written: never with a trace
    if result.response is not None:
        out["response"] = dict(result.response)
    return out


def cluster_info(cluster: Cluster) -> dict[str, Any]:
    """`GET /`: what clients read for the product and version checks (docs/versions.md)."""
    local = cluster.nodes[cluster.local_node_id]
    build = cluster.es_version.build
    return {
        "name": local.name,
        "cluster_name": cluster.name,
        "cluster_uuid": cluster.uuid,
        "version": {
            "number": cluster.version,
            "build_flavor": "default",
            "build_type": "docker",
            "build_hash": build.hash,
            "build_date": build.date,
            "build_snapshot": False,
            "lucene_version": build.lucene,
            "minimum_wire_compatibility_version": build.minimum_wire_compatibility,
            "minimum_index_compatibility_version": build.minimum_index_compatibility,
        },
        "tagline": "You Know, for Search",
    }


def nodes_info(cluster: Cluster, node_ids: Sequence[str]) -> dict[str, Any]:
    """`GET /_nodes`: the identity part of each node's info, consistent with the task lists."""
    nodes: dict[str, dict[str, Any]] = {}
    for node_id in node_ids:
        node = cluster.nodes[node_id]
        nodes[node_id] = {
            "name": node.name,
            "transport_address": node.transport_address,
            "host": node.host,
            "ip": node.ip,
            "version": cluster.version,
            "build_flavor": "default",
            "build_type": "docker",
            "build_hash": cluster.es_version.build.hash,
            "roles": list(node.roles),
        }
        if node.attributes:  # only if non-empty, as in `NodesInfoResponse.toXContent`
            nodes[node_id]["attributes"] = dict(node.attributes)
    return {
        "_nodes": {"total": len(node_ids), "successful": len(node_ids), "failed": 0},
        "cluster_name": cluster.name,
        "nodes": nodes,
    }


def to_json(body: Any, *, pretty: bool = False) -> bytes:
    """Compact JSON, or Jackson's pretty printer as ES configures it (plus a trailing newline)."""
    if not pretty:
        return compact(body)
    return (_pretty(body, 0) + "\n").encode()


def _pretty(value: Any, depth: int) -> str:
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{ }"
        items = (
            f"{inner}{json.dumps(k, ensure_ascii=False)} : {_pretty(v, depth + 1)}"
            for k, v in value.items()
        )
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list | tuple):
        if not value:
            return "[ ]"
        return "[\n" + ",\n".join(f"{inner}{_pretty(v, depth + 1)}" for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)
