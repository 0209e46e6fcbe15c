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
