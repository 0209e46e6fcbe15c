"""The route table and its handlers: parameters in the order ES reads them, then the action."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fake_tasks import actions, render
from fake_tasks.errors import IllegalArgumentError
from fake_tasks.model import Cluster
from fake_tasks.params import Params


@dataclass
class Call:
    """One request as a handler sees it: no HTTP objects, just what ES reads from it."""

    cluster: Cluster
    method: str
    path: str
    params: Params
    task_headers: Mapping[str, str] = field(default_factory=dict)
    human: bool = False
    stack_trace: bool = False


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    pretty_by_default: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)


Run = Callable[[], Reply]
Prepare = Callable[[Call], Run]


@dataclass(frozen=True)
class Route:
    """A method and path template (`{name}` matches one segment) with its handler."""

    method: str
    path: str
    api: str
    prepare: Prepare

    def match(self, segments: list[str]) -> dict[str, str] | None:
        template = [s for s in self.path.split("/") if s]
        if len(template) != len(segments):
            return None
        found: dict[str, str] = {}
        for part, value in zip(template, segments, strict=True):
            if part.startswith("{") and part.endswith("}"):
                found[part[1:-1]] = value
            elif part != value:
                return None
        return found

    @property
    def specificity(self) -> tuple[int, ...]:
        """Static segments win over `{params}` at the same position, as in ES's path trie."""
        return tuple(int(s.startswith("{")) for s in self.path.split("/") if s)


def _group_by(call: Call) -> str:
    return call.params.get("group_by", "nodes") or ""


def _check_group_by(group_by: str) -> None:
    if group_by not in render.GROUP_BY:
        raise IllegalArgumentError(
            f"[group_by] must be one of [nodes], [parents] or [none] but was [{group_by}]"
        )


def _tasks_reply(call: Call, group_by: str, act: Callable[[], actions.TasksResult]) -> Run:
    """List and cancel answer alike; `group_by` is checked when the listener is built, first."""

    def run() -> Reply:
        _check_group_by(group_by)
        body = render.tasks_response(
            act(), call.cluster, group_by, human=call.human, stack_trace=call.stack_trace
        )
        return Reply(200, body)

    return run


def prepare_list(call: Call) -> Run:
    p = call.params
    request = actions.ListRequest(
        detailed=p.boolean("detailed", False),
        nodes=p.strings("nodes"),
        actions=p.strings("actions"),
        parent_task_id=p.task_id("parent_task_id"),
        wait_for_completion=p.boolean("wait_for_completion", False),
        timeout_ns=p.time_ns("timeout"),
        headers=call.task_headers,
    )
    return _tasks_reply(call, _group_by(call), lambda: actions.list_tasks(call.cluster, request))


def prepare_cancel(call: Call) -> Run:
    p = call.params
    nodes = p.strings("nodes")
    task_id = p.task_id("task_id")
    request_actions = p.strings("actions")
    parent = p.task_id("parent_task_id")
    group_by = _group_by(call)
    request = actions.CancelRequest(
        task_id=task_id,
        nodes=nodes,
        actions=request_actions,
        parent_task_id=parent,
        wait_for_completion=p.boolean("wait_for_completion", False),
    )

    return _tasks_reply(call, group_by, lambda: actions.cancel_tasks(call.cluster, request))


def prepare_get(call: Call) -> Run:
    p = call.params
    request = actions.GetRequest(
        task_id=p.task_id("task_id"),
        wait_for_completion=p.boolean("wait_for_completion", False),
        timeout_ns=p.time_ns("timeout"),
    )

    def run() -> Reply:
        result = actions.get_task(call.cluster, request)
        return Reply(
            200, render.get_response(result, human=call.human, stack_trace=call.stack_trace)
        )

    return run


def prepare_info(call: Call) -> Run:
    return lambda: Reply(200, render.cluster_info(call.cluster), pretty_by_default=True)


def prepare_nodes(call: Call) -> Run:
    return lambda: Reply(200, render.nodes_info(call.cluster, list(call.cluster.nodes)))


ROUTES: tuple[Route, ...] = (
    Route("GET", "/", "info", prepare_info),
    Route("HEAD", "/", "info", prepare_info),
    Route("GET", "/_nodes", "nodes.info", prepare_nodes),
    Route("GET", "/_tasks", "tasks.list", prepare_list),
    Route("POST", "/_tasks/_cancel", "tasks.cancel", prepare_cancel),
    Route("GET", "/_tasks/{task_id}", "tasks.get", prepare_get),
    Route("POST", "/_tasks/{task_id}/_cancel", "tasks.cancel", prepare_cancel),
)

METHOD_ORDER = ("GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT")


@dataclass(frozen=True)
class Match:
    route: Route | None
    path_params: dict[str, str]
    allowed: tuple[str, ...]


def find_route(method: str, path: str, routes: tuple[Route, ...] = ROUTES) -> Match:
    """The route for a request, or the methods the path allows (empty: no such path)."""
    segments = [s for s in path.split("/") if s]
    candidates = sorted(
        ((r, found) for r in routes if (found := r.match(segments)) is not None),
        key=lambda rf: rf[0].specificity,
    )
    allowed = tuple(m for m in METHOD_ORDER if any(r.method == m for r, _ in candidates))
    for route, found in candidates:
        if route.method == method:
            return Match(route, found, allowed)
    return Match(None, {}, allowed)
