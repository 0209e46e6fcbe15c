"""Handlers of the task management APIs: list, get and cancel tasks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final

from fake_tasks.actions import tasks as actions
from fake_tasks.errors import IllegalArgumentError
from fake_tasks.rest import render, render_stream
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS", "list_request", "tasks_reply"]


def _group_by(call: Call) -> str:
    return call.params.string("group_by") or ""


def _check_group_by(group_by: str) -> None:
    """`group_by` of a task list answer (list, cancel, rethrottle), checked as its listener does."""
    if group_by not in render.GROUP_BY:
        raise IllegalArgumentError(
            f"[group_by] must be one of [nodes], [parents] or [none] but was [{group_by}]"
        )


def tasks_reply(
    call: Call, group_by: str, act: Callable[[], actions.TasksResult], *, stream: bool = False
) -> Run:
    """List, cancel and rethrottle answer alike; `group_by` is checked first, when the listener
    is built. A large list by node (`stream`) is rendered as it is written (`render_stream`)."""

    def run() -> Reply:
        _check_group_by(group_by)
        result = act()
        if stream and group_by == "nodes" and len(result.tasks) >= render_stream.STREAM_FROM:
            return Reply(200, render_stream.StreamedList(result, call.cluster, call.human))
        body = render.tasks_response(result, call.cluster, group_by, human=call.human)
        return Reply(200, body)

    return run


def list_request(call: Call) -> actions.ListRequest:
    """The list request `GET /_tasks` and `GET /_cat/tasks` read, in the handlers' order."""
    p = call.params
    return actions.ListRequest(
        detailed=p.boolean("detailed"),
        nodes=p.strings("nodes"),
        actions=p.strings("actions"),
        parent_task_id=p.task_id("parent_task_id"),
        wait_for_completion=p.boolean("wait_for_completion"),
        timeout_ns=p.time_ns("timeout"),
        headers=call.task_headers,
    )


def prepare_list(call: Call) -> Run:
    request = list_request(call)
    return tasks_reply(
        call, _group_by(call), lambda: actions.list_tasks(call.cluster, request), stream=True
    )


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
        wait_for_completion=p.boolean("wait_for_completion"),
        headers=call.task_headers,
    )

    return tasks_reply(call, group_by, lambda: actions.cancel_tasks(call.cluster, request))


def prepare_get(call: Call) -> Run:
    p = call.params
    request = actions.GetRequest(
        task_id=p.task_id("task_id"),
        wait_for_completion=p.boolean("wait_for_completion"),
        timeout_ns=p.time_ns("timeout"),
        follow_relocations=(
            p.boolean("follow_relocations") if call.cluster.has("follow_relocations") else True
        ),
    )

    def run() -> Reply:
        result = actions.get_task(call.cluster, request)
        return Reply(200, render.get_response(result, human=call.human))

    return run


HANDLERS: Final[Mapping[str, Prepare]] = {
    "tasks.list": prepare_list,
    "tasks.get": prepare_get,
    "tasks.cancel": prepare_cancel,
}
