"""Valid sample bodies for the schemas of the reindex family, `_cat/tasks`, hot threads and health.

`test_schema_files` checks every schema against its samples; the shapes are the server's (see
docs/es-facts.md, "Reindex family").
"""

from __future__ import annotations

CAT_ROW = {
    "action": "indices:data/write/reindex",
    "task_id": "oTUltX4IQMOUUVeiohTt8A:124",
    "parent_task_id": "-",
    "type": "transport",
    "start_time": "1767225600000",
    "timestamp": "00:00:00",
    "running_time": "1.2s",
    "ip": "10.0.0.1",
    "node": "node-1",
}

REINDEX_VALID: list[tuple[str, str, object]] = [
    ("text_response.json", "cat-table", "action task_id\nindices:data/write/reindex n:1\n"),
    ("cat_tasks.json", "rows", [CAT_ROW, {**CAT_ROW, "description": None}]),
    ("cat_tasks.json", "empty", []),
]

STATUS = {
    "total": 3,
    "updated": 0,
    "created": 3,
    "deleted": 0,
    "batches": 1,
    "version_conflicts": 0,
    "noops": 0,
    "retries": {"bulk": 0, "search": 0},
    "throttled": "0s",
    "throttled_millis": 0,
    "requests_per_second": -1.0,
    "throttled_until": "0s",
    "throttled_until_millis": 0,
}
LEADER = {**STATUS, "slices": [{"slice_id": 0, **STATUS}, None]}
RESPONSE = {"took": 12, "timed_out": False, **LEADER, "failures": []}
CONFLICT = {
    "index": "dst",
    "id": "1",
    "cause": {"type": "version_conflict_engine_exception", "reason": "[1]: version conflict"},
    "status": 409,
}
HEALTH = {
    "cluster_name": "c",
    "status": "green",
    "timed_out": False,
    "number_of_nodes": 1,
    "number_of_data_nodes": 1,
    "active_primary_shards": 1,
    "active_shards": 1,
    "relocating_shards": 0,
    "initializing_shards": 0,
    "unassigned_shards": 0,
    "unassigned_primary_shards": 0,
    "delayed_unassigned_shards": 0,
    "number_of_pending_tasks": 0,
    "number_of_in_flight_fetch": 0,
    "task_max_waiting_in_queue_millis": 0,
    "active_shards_percent_as_number": 100.0,
}

REINDEX_VALID += [
    ("bulk_by_scroll_status.json", "leader", LEADER),
    ("bulk_by_scroll_status.json", "cancelled-slice", {"slice_id": 1, **STATUS, "canceled": "x"}),
    ("bulk_by_scroll_response.json", "sliced", RESPONSE),
    ("bulk_by_scroll_response.json", "conflict", {**RESPONSE, "failures": [CONFLICT]}),
    ("bulk_by_scroll_response.json", "started", {"task": "node-1:42"}),
    ("task_started.json", "started", {"task": "oTUltX4IQMOUUVeiohTt8A:9"}),
    ("forcemerge_response.json", "merged", {"_shards": {"total": 2, "successful": 2, "failed": 0}}),
    ("forcemerge_response.json", "started", {"task": "n:7"}),
    ("cluster_health.json", "green", HEALTH),
    (
        "cluster_health.json",
        "human-indices",
        {
            **HEALTH,
            "task_max_waiting_in_queue": "0s",
            "active_shards_percent": "100.0%",
            "indices": {
                "logs": {
                    "status": "green",
                    "number_of_shards": 1,
                    "number_of_replicas": 0,
                    "active_primary_shards": 1,
                    "active_shards": 1,
                    "relocating_shards": 0,
                    "initializing_shards": 0,
                    "unassigned_shards": 0,
                    "unassigned_primary_shards": 0,
                }
            },
        },
    ),
]
