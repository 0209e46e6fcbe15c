"""The task management APIs: `tasks.list`, `tasks.get` and `tasks.cancel`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fake_tasks.spec.base import ApiSpec, Deviation, Param

__all__ = ["APIS", "DEVIATIONS", "LIST_PARAMS"]

LIST_PARAMS: Final = (
    Param("detailed", "boolean", default="false"),
    Param("nodes", "list"),
    Param("actions", "list"),
    Param("parent_task_id", "task_id"),
    Param("wait_for_completion", "boolean", default="false"),
    Param("timeout", "time"),
)
"""`RestListTasksAction.generateListTasksRequest`: what `GET /_tasks` and `GET /_cat/tasks` read."""
_GROUP_BY: Final = Param("group_by", "enum", ("nodes", "parents", "none"), default="nodes")


def _unset(values: Mapping[str, str]) -> bool:
    task_id = values.get("task_id", "")
    return task_id in ("", "unset") or task_id.endswith(":-1")


def _needs_task_id(values: Mapping[str, str]) -> str | None:
    return "task id is required" if _unset(values) else None


def _task_id_or_nodes(values: Mapping[str, str]) -> str | None:
    if not _unset(values) and values.get("nodes"):
        return "task id cannot be used together with node ids"
    return None


APIS: Final = (
    # RestListTasksAction.generateListTasksRequest, then group_by in prepareRequest
    ApiSpec(
        "tasks.list",
        (("GET", "/_tasks"),),
        (*LIST_PARAMS, _GROUP_BY),
    ),
    # RestGetTaskAction; follow_relocations is read from 9.5 on only (earlier servers refuse it)
    ApiSpec(
        "tasks.get",
        (("GET", "/_tasks/{task_id}"),),
        (
            Param("task_id", "task_id", in_path=True),
            Param("wait_for_completion", "boolean", default="false"),
            Param("timeout", "time"),
            Param("follow_relocations", "boolean", default="true"),
        ),
        checks=(_needs_task_id,),
    ),
    # RestCancelTasksAction (task_id only on POST /_tasks/{task_id}/_cancel)
    ApiSpec(
        "tasks.cancel",
        (("POST", "/_tasks/_cancel"), ("POST", "/_tasks/{task_id}/_cancel")),
        (
            Param("nodes", "list"),
            Param("task_id", "task_id", in_path=True),
            Param("actions", "list"),
            Param("parent_task_id", "task_id"),
            _GROUP_BY,
            Param("wait_for_completion", "boolean", default="false"),
        ),
        checks=(_task_id_or_nodes,),
    ),
)

DEVIATIONS: Final = (
    Deviation(
        "tasks.cancel",
        "group_by",
        "undocumented",
        "rest-api-spec tasks.cancel.json, OpenAPI",
        "undocumented, but RestCancelTasksAction reads it (default nodes) and checks it like list",
    ),
    Deviation(
        "tasks.list",
        "master_timeout",
        "rejected",
        "Python client TasksClient.list, reference docs 8.9 (seeds)",
        "documented, but no tasks handler reads it: the server answers 400 unrecognized parameter",
    ),
    Deviation(
        "tasks.list",
        "parent_task_id",
        "value",
        "rest-api-spec tasks.list.json, OpenAPI",
        "'set to -1 to return all', but -1 has no ':' and the server answers 400 malformed task id;"
        " 'unset' or no value returns all",
    ),
    Deviation(
        "tasks.cancel",
        "parent_task_id",
        "value",
        "rest-api-spec tasks.cancel.json",
        "'set to -1 to cancel all': same as list, -1 is a malformed task id (400)",
    ),
    Deviation(
        "tasks.get",
        "follow_relocations",
        "undocumented",
        "rest-api-spec tasks.get.json (8.x), OpenAPI extract",
        "read from 9.5 on (default true: a relocated reindex is followed); servers before 9.5 "
        "refuse it as unrecognized (400), as the fake does when it emulates them",
    ),
)
