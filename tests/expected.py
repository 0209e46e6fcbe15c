"""Reference shapes from Elasticsearch (es-behavior.md and the ES source), shared by the tests."""

from __future__ import annotations

from typing import Any

# `IndexNotFoundException` for the missing `.tasks` index, metadata in the order ES prints it
INDEX_NOT_FOUND: dict[str, Any] = {
    "type": "index_not_found_exception",
    "reason": "no such index [.tasks]",
    "resource.type": "index_expression",
    "resource.id": ".tasks",
    "index_uuid": "_na_",
    "index": ".tasks",
}

# `TaskInfo.toXContent` field order (with ?human and every optional field present)
TASK_INFO_ORDER = [
    "node",
    "id",
    "type",
    "action",
    "status",
    "description",
    "start_time",
    "start_time_in_millis",
    "running_time",
    "running_time_in_nanos",
    "cancellable",
    "cancelled",
    "parent_task_id",
    "headers",
]

# `GET /_tasks/node:abc`: the id's number is no long (es-behavior.md 1.5)
MALFORMED_NODE_ABC: dict[str, Any] = {
    "error": {
        "root_cause": [
            {"type": "illegal_argument_exception", "reason": "malformed task id node:abc"}
        ],
        "type": "illegal_argument_exception",
        "reason": "malformed task id node:abc",
        "caused_by": {"type": "number_format_exception", "reason": 'For input string: "abc"'},
    },
    "status": 400,
}


def unknown_node_not_found(task_id: str) -> dict[str, Any]:
    """`GET /_tasks/<id>` for a node outside the cluster, no `.tasks` index (es-behavior.md 3.2)."""
    node = task_id.partition(":")[0]
    return {
        "error": {
            "root_cause": [INDEX_NOT_FOUND],
            "type": "resource_not_found_exception",
            "reason": f"task [{task_id}] belongs to the node [{node}] which isn't part of the "
            "cluster and there is no record of the task",
            "caused_by": {
                "type": "resource_not_found_exception",
                "reason": f"task [{task_id}] isn't running and hasn't stored its results",
                "caused_by": INDEX_NOT_FOUND,
            },
        },
        "status": 404,
    }
