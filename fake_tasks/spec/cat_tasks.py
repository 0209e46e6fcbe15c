"""`GET /_cat/tasks`: the task list as a `_cat` table."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Deviation, Param
from fake_tasks.spec.tasks import LIST_PARAMS

__all__ = ["APIS", "DEVIATIONS"]

APIS: Final = (
    # AbstractCatAction.prepareRequest (help), RestListTasksAction.generateListTasksRequest,
    # then the response parameters of AbstractCatAction and RestTasksAction (`detailed`).
    ApiSpec(
        "cat.tasks",
        (("GET", "/_cat/tasks"),),
        (
            Param("help", "boolean", default="false"),
            *LIST_PARAMS,
            Param("h", "list"),
            Param("s", "list"),
            Param("time", "string"),
            Param("bytes", "string"),
            Param("size", "string"),
            Param("pri", "string"),
            Param("v", "boolean", default="false"),
            Param("ts", "boolean", default="true"),
        ),
    ),
)

DEVIATIONS: Final = (
    Deviation(
        "cat.tasks",
        "node_id",
        "rejected",
        "rest-api-spec cat.tasks.json (8.x)",
        "documented, but RestTasksAction reads [nodes]: [node_id] is an unrecognized parameter",
    ),
    Deviation(
        "cat.tasks",
        "parent_task",
        "rejected",
        "rest-api-spec cat.tasks.json (8.x)",
        "documented, but RestTasksAction reads [parent_task_id]: [parent_task] is refused",
    ),
)
