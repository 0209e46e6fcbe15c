"""The response contracts: schema files, valid bodies, negative controls, documented examples."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from expected import INDEX_NOT_FOUND, MALFORMED_NODE_ABC, unknown_node_not_found
from jsonschema import Draft202012Validator
from reindex_samples import REINDEX_VALID

from fake_tasks.contract import schemas as contract

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "spec" / "examples"

# --- realistic bodies (shapes from ../shared/reference/es-behavior.md) -------------------------

NODE = "oTUltX4IQMOUUVeiohTt8A"
OTHER = "r1A2WoRbTwKZ516z6NEs5A"
HEADERS = {"X-Opaque-Id": "123456", "trace.id": "0af7651916cd43dd8448eb211c80319c"}


def task(task_id: int, node: str = NODE, **fields: Any) -> dict[str, Any]:
    """A TaskInfo in ES field order: not detailed, no ?human, not cancellable by default."""
    body: dict[str, Any] = {
        "node": node,
        "id": task_id,
        "type": "transport",
        "action": "indices:data/read/search",
        "start_time_in_millis": 1_700_000_000_000 + task_id,
        "running_time_in_nanos": 13_991_383,
        "cancellable": False,
        "headers": {},
    }
    body.update(fields)
    return body


SEARCH = task(
    464,
    status={"phase": "query"},
    description="indices[test], search_type[QUERY_THEN_FETCH], source[{}]",
    start_time="2023-11-14T22:13:20.464Z",
    running_time="13.9ms",
    cancellable=True,
    cancelled=False,
    headers=HEADERS,
)
RELOCATED = task(
    9,
    action="indices:data/write/reindex",
    original_task_id=f"{OTHER}:77",
    start_time="2023-11-14T22:13:20.009Z",
    running_time="0s",
    original_start_time="2023-11-14T22:10:00.000Z",
    original_start_time_in_millis=1_699_999_800_000,
    cancellable=True,
    cancelled=True,
)
LIST_PARENT = task(123, action="cluster:monitor/tasks/lists", cancellable=True, cancelled=False)
LIST_CHILD = task(
    124,
    type="direct",
    action="cluster:monitor/tasks/lists[n]",
    cancellable=True,
    cancelled=False,
    parent_task_id=f"{NODE}:123",
)
NODE_FIELDS: dict[str, Any] = {
    "name": "node-1",
    "transport_address": "127.0.0.1:9300",
    "host": "127.0.0.1",
    "ip": "127.0.0.1:9300",
    "roles": ["data", "ingest", "master"],
}
TIMEOUT_NODE_FAILURE: dict[str, Any] = {
    "type": "failed_node_exception",
    "reason": f"Failed node [{NODE}]",
    "node_id": NODE,
    "caused_by": {
        "type": "timeout_exception",
        "reason": "timed out after [1s/1000ms]",
    },
}
DELETE_FAILURE: dict[str, Any] = {
    "task_id": 42,
    "node_id": NODE,
    "status": "INTERNAL_SERVER_ERROR",
    "reason": {
        "type": "illegal_state_exception",
        "reason": "Could not delete job [foo] because indexer state is [STARTED].  "
        "Job must be [STOPPED] before deletion.",
    },
}
GRANDCHILDREN: dict[str, Any] = {
    "tasks": {
        f"{NODE}:1": task(
            1,
            action="indices:data/write/reindex",
            cancellable=True,
            cancelled=False,
            children=[
                task(
                    2,
                    action="indices:data/write/bulk",
                    parent_task_id=f"{NODE}:1",
                    children=[
                        task(
                            3,
                            OTHER,
                            action="indices:data/write/bulk[s]",
                            parent_task_id=f"{NODE}:2",
                        )
                    ],
                ),
                task(4, action="indices:data/read/scroll", parent_task_id=f"{NODE}:1"),
            ],
        ),
        # A zombie: its parent is not in the (filtered) result, so it is a top-level group.
        f"{OTHER}:8": task(8, OTHER, parent_task_id=f"{NODE}:99"),
    }
}
ROLLUP_JOB: dict[str, Any] = {
    "config": {
        "id": "sensor",
        "index_pattern": "sensor-*",
        "rollup_index": "sensor_rollup",
        "cron": "*/30 * * * * ?",
        "groups": {
            "date_histogram": {
                "fixed_interval": "1h",
                "field": "timestamp",
                "delay": "7d",
                "time_zone": "UTC",
            },
            "histogram": {"fields": ["voltage"], "interval": 5},
            "terms": {"fields": ["node"]},
        },
        "metrics": [{"field": "temperature", "metrics": ["min", "max", "sum"]}],
        "timeout": "20s",
        "page_size": 1000,
    },
    "status": {
        "job_state": "indexing",
        "current_position": {"timestamp.date_histogram": 1_516_729_800_000, "node.terms": "a"},
    },
    "stats": dict.fromkeys(
        [
            "pages_processed",
            "documents_processed",
            "rollups_indexed",
            "trigger_count",
            "index_time_in_ms",
            "index_total",
            "index_failures",
            "search_time_in_ms",
            "search_total",
            "search_failures",
            "processing_time_in_ms",
            "processing_total",
        ],
        0,
    ),
}
NOT_FOUND_404: dict[str, Any] = unknown_node_not_found("foo:1")

VALID: list[tuple[str, str, object]] = [
    ("task_info.json", "minimal", task(1)),
    ("task_info.json", "detailed-human", SEARCH),
    ("task_info.json", "relocated", RELOCATED),
    ("task_info.json", "cancellable-without-cancelled", task(5, cancellable=True)),
    ("task_group.json", "with-grandchildren", GRANDCHILDREN["tasks"][f"{NODE}:1"]),
    ("error_cause.json", "index-not-found", INDEX_NOT_FOUND),
    ("error_cause.json", "null-reason", {"type": "null_pointer_exception", "reason": None}),
    ("node_failure.json", "timeout", TIMEOUT_NODE_FAILURE),
    ("task_failure.json", "rollup-delete", DELETE_FAILURE),
    ("base_tasks_response.json", "empty", {}),
    (
        "list_response_nodes.json",
        "two-nodes",
        {
            "nodes": {
                NODE: {
                    **NODE_FIELDS,
                    "attributes": {"xpack.installed": "true"},
                    "tasks": {f"{NODE}:123": LIST_PARENT, f"{NODE}:124": LIST_CHILD},
                },
                # A node no longer in the cluster state: only its tasks.
                OTHER: {"tasks": {f"{OTHER}:7": task(7, OTHER)}},
            }
        },
    ),
    ("list_response_parents.json", "grandchildren", GRANDCHILDREN),
    ("list_response_parents.json", "empty", {"tasks": {}}),
    ("list_response_none.json", "flat", {"tasks": [LIST_PARENT, LIST_CHILD, SEARCH]}),
    ("list_response_none.json", "empty", {"tasks": []}),
    (
        "list_response.json",
        "nodes",
        {"nodes": {NODE: {**NODE_FIELDS, "tasks": {f"{NODE}:464": SEARCH}}}},
    ),
    ("list_response.json", "parents", GRANDCHILDREN),
    ("list_response.json", "none", {"tasks": [SEARCH]}),
    (
        "list_response.json",
        "wait-timeout",
        {"node_failures": [TIMEOUT_NODE_FAILURE], "nodes": {}},
    ),
    ("cancel_response.json", "nothing-matched", {"nodes": {}}),
    (
        "cancel_response.json",
        "cancelled",
        {
            "nodes": {
                NODE: {
                    **NODE_FIELDS,
                    "tasks": {f"{NODE}:1": task(1, cancellable=True, cancelled=True)},
                }
            }
        },
    ),
    (
        "cancel_response.json",
        "task-not-found",
        {
            "node_failures": [
                {
                    "type": "failed_node_exception",
                    "reason": f"Failed node [{NODE}]",
                    "node_id": NODE,
                    "caused_by": {
                        "type": "resource_not_found_exception",
                        "reason": f"task [{NODE}:123] is not found",
                    },
                }
            ],
            "nodes": {},
        },
    ),
    (
        "cancel_response.json",
        "task-failures-7x",
        {
            "task_failures": [
                {
                    "task_id": 1,
                    "node_id": NODE,
                    "status": "BAD_REQUEST",
                    "reason": {
                        "type": "illegal_state_exception",
                        "reason": "task with id 1 is already cancelled",
                    },
                }
            ],
            "nodes": {},
        },
    ),
    ("get_task_response.json", "running", {"completed": False, "task": SEARCH}),
    ("get_task_response.json", "finished-unstored", {"completed": True, "task": task(3)}),
    (
        "get_task_response.json",
        "stored-response",
        {
            "completed": True,
            "task": task(3),
            "response": {"took": 1, "deleted": 3500, "failures": []},
        },
    ),
    (
        "get_task_response.json",
        "stored-error",
        {
            "completed": True,
            "task": task(3),
            "error": {
                "type": "task_cancelled_exception",
                "reason": "task cancelled [by user request]",
            },
        },
    ),
    ("error_response.json", "task-foo-1-404", NOT_FOUND_404),
    (
        "error_response.json",
        "malformed-id",
        MALFORMED_NODE_ABC,
    ),
    (
        "error_response.json",
        "error-trace-header-suppressed",
        {
            "error": {
                "root_cause": [{"type": "exception", "reason": "boom", "stack_trace": "at x"}],
                "type": "exception",
                "reason": "boom",
                "header": {"WWW-Authenticate": ["Basic", "Bearer"], "X-Single": "one"},
                "stack_trace": "ElasticsearchException[boom]\n\tat x",
                "suppressed": [{"type": "io_exception", "reason": None}],
            },
            "status": 500,
        },
    ),
    (
        "error_response.json",
        "wait-timeout-9x",
        {
            "error": {
                "root_cause": [
                    {
                        "type": "timeout_exception",
                        "reason": "timed out after [30s/30000ms]",
                    }
                ],
                "type": "timeout_exception",
                "reason": "timed out after [30s/30000ms]",
            },
            "status": 429,
        },
    ),
    (
        "error_simple.json",
        "no-handler",
        {"error": "no handler found for uri [/_taskz?x=1] and method [GET]"},
    ),
    (
        "error_simple.json",
        "wrong-method",
        {
            "error": "Incorrect HTTP method for uri [/_tasks] and method [POST], allowed: [GET]",
            "status": 405,
        },
    ),
    (
        "error_simple.json",
        "content-type",
        {"error": "Content-Type header [text/plain] is not supported", "status": 406},
    ),
    (
        "cluster_info.json",
        "8.x",
        {
            "name": "node-1",
            "cluster_name": "fake-cluster",
            "cluster_uuid": "Wl9mYWtlLXRhc2tzLXV1aWQ",
            "version": {
                "number": "8.15.0",
                "build_flavor": "default",
                "build_type": "docker",
                "build_hash": "1a77947f34deddb41af25e6f0ddb8e830159c179",
                "build_date": "2024-08-05T10:05:34.233336849Z",
                "build_snapshot": False,
                "lucene_version": "9.11.1",
                "minimum_wire_compatibility_version": "7.17.0",
                "minimum_index_compatibility_version": "7.0.0",
            },
            "tagline": "You Know, for Search",
        },
    ),
    (
        "nodes_info.json",
        "two-nodes",
        {
            "_nodes": {"total": 2, "successful": 2, "failed": 0},
            "cluster_name": "fake-cluster",
            "nodes": {
                node: {
                    **NODE_FIELDS,
                    "version": "8.15.0",
                    "build_flavor": "default",
                    "build_type": "docker",
                    "build_hash": "1a77947f",
                    "total_indexing_buffer": 53687091,
                    "attributes": {"ml.max_jvm_size": "1073741824"},
                }
                for node in (NODE, OTHER)
            },
        },
    ),
    ("rollup_stop_job.json", "stopped", {"stopped": True}),
    (
        "security_authenticate.json",
        "api-key",
        {
            "username": "alice",
            "roles": [],
            "full_name": None,
            "email": None,
            "metadata": {},
            "enabled": True,
            "authentication_realm": {"name": "_es_api_key", "type": "_es_api_key"},
            "lookup_realm": {"name": "_es_api_key", "type": "_es_api_key"},
            "authentication_type": "api_key",
            "api_key": {"id": "VuaCfGcBCdbkQm-e5aOx", "name": "ci"},
        },
    ),
    ("rollup_start_job.json", "started", {"started": True}),
    ("rollup_put_job.json", "acknowledged", {"acknowledged": True}),
    ("rollup_delete_job.json", "acknowledged", {"acknowledged": True}),
    (
        "rollup_delete_job.json",
        "not-stopped-500",
        {"task_failures": [DELETE_FAILURE], "acknowledged": False},
    ),
    ("rollup_get_jobs.json", "one-job", {"jobs": [ROLLUP_JOB]}),
    ("rollup_get_jobs.json", "missing-job", {"jobs": []}),
    ("acknowledged.json", "deleted", {"acknowledged": True}),
    (
        "indices_create.json",
        "created",
        {"acknowledged": True, "shards_acknowledged": True, "index": "foo"},
    ),
    (
        "indices_get.json",
        "one-index",
        {
            "foo": {
                "aliases": {"bar": {}},
                "mappings": {"_meta": {"_rollup": {}}, "properties": {"t": {"type": "date"}}},
                "settings": {"index": {"number_of_shards": "1", "version": {"created": "1"}}},
            }
        },
    ),
    ("indices_get.json", "flat-settings", {"foo": {"settings": {"index.uuid": "x"}}}),
    ("indices_get_mapping.json", "empty", {"foo": {"mappings": {}}}),
    (
        "rollup_get_rollup_caps.json",
        "one-job",
        {
            "sensor-*": {
                "rollup_jobs": [
                    {
                        "job_id": "sensor",
                        "rollup_index": "sensor_rollup",
                        "index_pattern": "sensor-*",
                        "fields": {
                            "timestamp": [
                                {
                                    "agg": "date_histogram",
                                    "time_zone": "UTC",
                                    "fixed_interval": "1h",
                                }
                            ],
                            "node": [{"agg": "terms"}],
                            "load": [{"agg": "histogram", "interval": 5}, {"agg": "avg"}],
                        },
                    }
                ]
            }
        },
    ),
    ("rollup_get_rollup_caps.json", "none", {}),
]
VALID += REINDEX_VALID


def without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


def node_with(*tasks: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "nodes": {
            NODE: {**NODE_FIELDS, **fields, "tasks": {f"{t['node']}:{t['id']}": t for t in tasks}}
        }
    }


def parents_with(group: dict[str, Any]) -> dict[str, Any]:
    return {"tasks": {f"{NODE}:1": group}}


# (schema, id, body, expected violations as (file, rule, pointer)) - each mutation must be
# rejected by the rule it targets, and by nothing else.
INVALID: list[tuple[str, str, object, set[tuple[str, str, str]]]] = [
    (
        "task_info.json",
        "missing-headers",
        without(task(1), "headers"),
        {("task_info.json", "$defs/task/required", "")},
    ),
    (
        "task_info.json",
        "id-as-string",
        task(1, id="1"),
        {("task_info.json", "$defs/task/properties/id/type", "/id")},
    ),
    (
        "task_info.json",
        "negative-id",
        task(-1),
        {("task_info.json", "$defs/task/properties/id/minimum", "/id")},
    ),
    (
        "task_info.json",
        "cancelled-not-cancellable",
        task(1, cancelled=False),
        {("task_info.json", "$defs/task/then/properties/cancellable/const", "/cancellable")},
    ),
    (
        "task_info.json",
        "bad-parent-task-id",
        task(1, parent_task_id="abc"),
        {("task_info.json", "$defs/task_id/pattern", "/parent_task_id")},
    ),
    (
        "task_info.json",
        "numeric-parent-task-id",
        task(1, parent_task_id=5),
        {("task_info.json", "$defs/task_id/type", "/parent_task_id")},
    ),
    (
        "task_info.json",
        "two-decimals-running-time",
        task(1, start_time="2023-11-14T22:13:20.001Z", running_time="1.25ms"),
        {("task_info.json", "$defs/task/properties/running_time/pattern", "/running_time")},
    ),
    (
        "task_info.json",
        "human-half",
        task(1, start_time="2023-11-14T22:13:20.001Z"),
        {("task_info.json", "$defs/task/dependentRequired", "")},
    ),
    (
        "task_info.json",
        "unknown-field",
        task(1, foo=1),
        {("task_info.json", "unevaluatedProperties", "")},
    ),
    (
        "task_info.json",
        "children-outside-parents",
        task(1, children=[task(2, parent_task_id=f"{NODE}:1")]),
        {("task_info.json", "unevaluatedProperties", "")},
    ),
    (
        "task_info.json",
        "header-not-string",
        task(1, headers={"X-Opaque-Id": 1}),
        {
            (
                "task_info.json",
                "$defs/task/properties/headers/additionalProperties/type",
                "/headers/X-Opaque-Id",
            )
        },
    ),
    (
        "list_response.json",
        "children-not-array",
        parents_with(task(1, children=task(2, parent_task_id=f"{NODE}:1"))),
        {("task_group.json", "properties/children/type", f"/tasks/{NODE}:1/children")},
    ),
    (
        "list_response.json",
        "children-empty",
        parents_with(task(1, children=[])),
        {("task_group.json", "properties/children/minItems", f"/tasks/{NODE}:1/children")},
    ),
    (
        "list_response.json",
        "child-without-parent",
        parents_with(task(1, children=[task(2)])),
        {("task_group.json", "properties/children/items/required", f"/tasks/{NODE}:1/children/0")},
    ),
    (
        "list_response.json",
        "grandchild-missing-headers",
        parents_with(
            task(
                1,
                children=[
                    task(
                        2,
                        parent_task_id=f"{NODE}:1",
                        children=[without(task(3, parent_task_id=f"{NODE}:2"), "headers")],
                    )
                ],
            )
        ),
        {("task_info.json", "$defs/task/required", f"/tasks/{NODE}:1/children/0/children/0")},
    ),
    (
        "list_response.json",
        "both-nodes-and-tasks",
        {"nodes": {}, "tasks": []},
        {("list_response_none.json", "unevaluatedProperties", "")},
    ),
    (
        "list_response.json",
        "both-nodes-and-task-groups",
        {"nodes": {}, "tasks": {}},
        {("list_response_parents.json", "unevaluatedProperties", "")},
    ),
    ("list_response.json", "neither", {}, {("list_response_nodes.json", "required", "")}),
    (
        "list_response.json",
        "neither-but-failures",
        {"node_failures": [TIMEOUT_NODE_FAILURE]},
        {("list_response_nodes.json", "required", "")},
    ),
    (
        "list_response.json",
        "task-key-not-node-colon-id",
        {"nodes": {NODE: {**NODE_FIELDS, "tasks": {"464": SEARCH}}}},
        {("task_info.json", "$defs/task_id/pattern", f"/nodes/{NODE}/tasks")},
    ),
    (
        "list_response.json",
        "node-without-tasks",
        {"nodes": {NODE: {**NODE_FIELDS, "tasks": {}}}},
        {
            (
                "list_response_nodes.json",
                "$defs/node/properties/tasks/minProperties",
                f"/nodes/{NODE}/tasks",
            )
        },
    ),
    (
        "list_response.json",
        "node-fields-without-roles",
        {"nodes": {NODE: without(node_with(task(1))["nodes"][NODE], "roles")}},
        {("list_response_nodes.json", "$defs/node/dependentRequired", f"/nodes/{NODE}")},
    ),
    (
        "list_response.json",
        "empty-node-failures",
        {"node_failures": [], "nodes": {}},
        {("base_tasks_response.json", "properties/node_failures/minItems", "/node_failures")},
    ),
    (
        "list_response.json",
        "node-failure-without-node-id",
        {"node_failures": [without(TIMEOUT_NODE_FAILURE, "node_id")], "nodes": {}},
        {("node_failure.json", "required", "/node_failures/0")},
    ),
    (
        "cancel_response.json",
        "task-failure-status-number",
        {"task_failures": [{**DELETE_FAILURE, "status": 500}], "nodes": {}},
        {("task_failure.json", "properties/status/enum", "/task_failures/0/status")},
    ),
    (
        "cancel_response.json",
        "task-failure-status-phrase",
        {"task_failures": [{**DELETE_FAILURE, "status": "Internal Server Error"}], "nodes": {}},
        {("task_failure.json", "properties/status/enum", "/task_failures/0/status")},
    ),
    (
        "get_task_response.json",
        "running-with-response",
        {"completed": False, "task": task(1), "response": {"took": 1}},
        {("get_task_response.json", "then/propertyNames/enum", "")},
    ),
    (
        "get_task_response.json",
        "running-with-error",
        {"completed": False, "task": task(1), "error": {"type": "exception", "reason": "x"}},
        {("get_task_response.json", "then/propertyNames/enum", "")},
    ),
    (
        "get_task_response.json",
        "error-and-response",
        {
            "completed": True,
            "task": task(1),
            "error": {"type": "exception", "reason": "x"},
            "response": {},
        },
        {("get_task_response.json", "dependentSchemas/error/propertyNames/enum", "")},
    ),
    (
        "get_task_response.json",
        "list-body",
        {"nodes": {}},
        {
            ("get_task_response.json", "required", ""),
            ("get_task_response.json", "additionalProperties", ""),
        },
    ),
    (
        "error_response.json",
        "root-cause-with-caused-by",
        {
            **NOT_FOUND_404,
            "error": {
                **NOT_FOUND_404["error"],
                "root_cause": [{**INDEX_NOT_FOUND, "caused_by": INDEX_NOT_FOUND}],
            },
        },
        {
            (
                "error_response.json",
                "$defs/root_cause/propertyNames/not",
                "/error/root_cause/0",
            )
        },
    ),
    (
        "error_response.json",
        "no-root-cause",
        {"error": {"type": "exception", "reason": "x"}, "status": 500},
        {("error_response.json", "$defs/error/required", "/error")},
    ),
    (
        "error_response.json",
        "status-200",
        {**NOT_FOUND_404, "status": 200},
        {("error_response.json", "properties/status/minimum", "/status")},
    ),
    (
        "error_response.json",
        "missing-reason",
        {
            "error": {"root_cause": [{"type": "exception"}], "type": "exception", "reason": "x"},
            "status": 500,
        },
        {("error_cause.json", "required", "/error/root_cause/0")},
    ),
    (
        "error_simple.json",
        "no-status-not-no-handler",
        {"error": "Incorrect HTTP method for uri [/_tasks] and method [POST], allowed: [GET]"},
        {("error_simple.json", "then/properties/error/pattern", "/error")},
    ),
    (
        "rollup_delete_job.json",
        "failure-acknowledged",
        {"task_failures": [DELETE_FAILURE], "acknowledged": True},
        {("rollup_delete_job.json", "then/properties/acknowledged/const", "/acknowledged")},
    ),
    (
        "rollup_stop_job.json",
        "stopped-false",
        {"stopped": False},
        {("rollup_stop_job.json", "properties/stopped/const", "/stopped")},
    ),
    (
        "rollup_get_jobs.json",
        "uppercase-state",
        {"jobs": [{**ROLLUP_JOB, "status": {"job_state": "STOPPED"}}]},
        {
            (
                "rollup_get_jobs.json",
                "$defs/status/properties/job_state/enum",
                "/jobs/0/status/job_state",
            )
        },
    ),
    (
        "rollup_get_jobs.json",
        "missing-counter",
        {"jobs": [{**ROLLUP_JOB, "stats": without(ROLLUP_JOB["stats"], "trigger_count")}]},
        {("rollup_get_jobs.json", "$defs/stats/required", "/jobs/0/stats")},
    ),
    (
        "cluster_info.json",
        "wrong-tagline",
        {"name": "n", "cluster_name": "c", "cluster_uuid": "u", "version": {}, "tagline": "hi"},
        {
            ("cluster_info.json", "properties/version/required", "/version"),
            ("cluster_info.json", "properties/tagline/const", "/tagline"),
        },
    ),
]

# --- the documented examples -------------------------------------------------------------------

# Examples that predate current behaviour, with why, and the exact violations that say so.
HEADERS_AND_ROLES = {
    ("task_info.json", "$defs/task/required", "'headers' is a required property"),
    (
        "list_response_nodes.json",
        "$defs/node/dependentRequired",
        "'roles' is a dependency of 'name'",
    ),
}
NOT_A_GET_BODY = {
    ("get_task_response.json", "required", "'completed' is a required property"),
    ("get_task_response.json", "required", "'task' is a required property"),
    (
        "get_task_response.json",
        "additionalProperties",
        "Additional properties are not allowed ('nodes' was unexpected)",
    ),
}
STALE_EXAMPLES: dict[str, tuple[str, set[tuple[str, str, str]]]] = {
    "docs__tasks.list__detailed_search.json": (
        "pre-6.2 example: tasks lack headers; the node is abridged (no roles)",
        HEADERS_AND_ROLES,
    ),
    "docs__tasks.list__nodes_cluster_actions.json": (
        "pre-6.2 example: tasks lack headers; the node is abridged (no roles)",
        HEADERS_AND_ROLES,
    ),
    "spec__tasks.list__ListTasksResponseExample1.json": (
        "copy of the pre-6.2 docs example: tasks lack headers; the node has no roles",
        HEADERS_AND_ROLES,
    ),
    "spec__tasks.get__GetTaskResponseExample1.json": (
        "filed under tasks.get but it is a GET _tasks list body",
        NOT_A_GET_BODY,
    ),
    "spec__tasks.get__GetTaskResponseExample2.json": (
        "filed under tasks.get but it is an abridged GET _tasks list body",
        NOT_A_GET_BODY,
    ),
}


def example_files() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json")) if EXAMPLES.is_dir() else []


def example_api_and_status(path: Path) -> tuple[str, int]:
    """`docs__rollup.stop_job__404_not_found.json` -> ("rollup.stop_job", 404)."""
    _, api, what = path.stem.split("__")
    return api, 404 if what.startswith("404") else 200


needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"documented examples not found at {EXAMPLES}"
)

# --- tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", contract.schema_names())
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = contract.load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_ids_are_unique_and_match_file_names() -> None:
    ids = [contract.load_schema(name)["$id"] for name in contract.schema_names()]
    assert ids == [contract.BASE_URI + name for name in contract.schema_names()]
    assert len(set(ids)) == len(ids)


def test_every_schema_has_a_valid_sample() -> None:
    assert {name for name, _, _ in VALID} == set(contract.schema_names())


@pytest.mark.parametrize(
    ("schema", "body"), [(s, b) for s, _, b in VALID], ids=[f"{s}-{i}" for s, i, _ in VALID]
)
def test_valid_body_passes(schema: str, body: object) -> None:
    assert contract.validate(schema, body) == []
    assert contract._contracts().validators[schema].is_valid(body)


@pytest.mark.parametrize(
    ("schema", "body", "expected"),
    [(s, b, e) for s, _, b, e in INVALID],
    ids=[f"{s}-{i}" for s, i, _, _ in INVALID],
)
def test_mutation_is_rejected_by_its_rule(
    schema: str, body: object, expected: set[tuple[str, str, str]]
) -> None:
    violations = contract.validate(schema, body)
    assert {(v.schema, v.rule, v.pointer) for v in violations} == expected, violations


def test_violation_reads_well() -> None:
    (violation,) = contract.validate("task_info.json", task(1, id="1"))
    assert str(violation) == (
        "/id: '1' is not of type 'integer'"
        " (schema task_info.json, rule $defs/task/properties/id/type)"
    )
    (violation,) = contract.validate("task_info.json", without(task(1), "headers"))
    assert str(violation).startswith(
        "(root): 'headers' is a required property (schema task_info.json"
    )


def test_pointer_escapes_slashes_and_tildes() -> None:
    body = task(1, headers={"a/b~c": 1})
    (violation,) = contract.validate("task_info.json", body)
    assert violation.pointer == "/headers/a~1b~0c"


def test_huge_messages_are_truncated() -> None:
    (violation,) = contract.validate("task_info.json", ["x" * 1000])
    assert len(violation.message) <= 400
    assert violation.message.endswith("…")


def _false_subschemas(node: object, where: str) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            closing = key in ("additionalProperties", "unevaluatedProperties")
            if value is False and not closing and key != "const":
                yield f"{where}/{key}"
            yield from _false_subschemas(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _false_subschemas(value, f"{where}/{index}")


def test_false_only_closes_objects() -> None:
    # jsonschema drops the last path step of an error raised by a `false` subschema, so a
    # violation could not say which property was refused: forbid keys with propertyNames.
    found = [
        path
        for name in contract.schema_names()
        for path in _false_subschemas(contract.load_schema(name), name)
    ]
    assert found == []


def test_load_schema_returns_a_copy() -> None:
    contract.load_schema("task_info.json")["$id"] = "changed"
    assert contract.load_schema("task_info.json")["$id"] == contract.BASE_URI + "task_info.json"


def test_unknown_schema_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown schema"):
        contract.validate("nope.json", {})
    with pytest.raises(ValueError, match="unknown schema"):
        contract.load_schema("nope.json")


@pytest.mark.parametrize(
    ("api", "status", "body", "expected"),
    [
        ("info", 200, {"name": "n"}, "cluster_info.json"),
        ("info", 200, None, None),
        ("nodes.info", 200, {}, "nodes_info.json"),
        ("tasks.list", 200, {"nodes": {}}, "list_response.json"),
        ("tasks.get", 200, {}, "get_task_response.json"),
        ("tasks.cancel", 200, {"nodes": {}}, "cancel_response.json"),
        ("rollup.stop_job", 200, {}, "rollup_stop_job.json"),
        ("rollup.start_job", 200, {}, "rollup_start_job.json"),
        ("rollup.put_job", 200, {}, "rollup_put_job.json"),
        ("rollup.get_jobs", 200, {}, "rollup_get_jobs.json"),
        ("rollup.delete_job", 200, {}, "rollup_delete_job.json"),
        ("tasks.get", 404, NOT_FOUND_404, "error_response.json"),
        (
            "tasks.list",
            400,
            {"error": "no handler found for uri [/x] and method [GET]"},
            "error_simple.json",
        ),
        ("tasks.list", 405, {"error": "Incorrect HTTP method", "status": 405}, "error_simple.json"),
        (
            "rollup.delete_job",
            500,
            {"task_failures": [], "acknowledged": False},
            "rollup_delete_job.json",
        ),
        (
            "rollup.delete_job",
            500,
            {"node_failures": [], "acknowledged": False},
            "rollup_delete_job.json",
        ),
        ("rollup.delete_job", 500, {"error": {}, "status": 500}, "error_response.json"),
        ("rollup.delete_job", 404, {"error": {}, "status": 404}, "error_response.json"),
        ("tasks.list", 500, [], "error_response.json"),
        ("cat.allocation", 200, {}, None),
    ],
)
def test_schema_for(api: str, status: int, body: object, expected: str | None) -> None:
    assert contract.schema_for(api, status, body) == expected


def test_check_response() -> None:
    assert contract.check_response("tasks.get", 404, NOT_FOUND_404) == []
    assert contract.check_response("info", 200, None) == []
    (violation,) = contract.check_response("tasks.list", 200, {"nodes": {}, "tasks": []})
    assert violation.rule == "unevaluatedProperties"
    (violation,) = contract.check_response("cat.allocation", 200, {})
    assert (violation.rule, violation.schema) == ("api", "")
    assert "no contract for API 'cat.allocation'" in violation.message


@needs_examples
@pytest.mark.parametrize("path", example_files(), ids=lambda path: path.name)
def test_documented_example(path: Path) -> None:
    api, status = example_api_and_status(path)
    violations = contract.check_response(api, status, json.loads(path.read_text()))
    if path.name in STALE_EXAMPLES:
        why, expected = STALE_EXAMPLES[path.name]
        assert violations, f"{path.name} now passes: remove it from STALE_EXAMPLES ({why})"
        assert {(v.schema, v.rule, v.message) for v in violations} == expected, why
    else:
        assert violations == []


@needs_examples
def test_stale_examples_exist() -> None:
    assert set(STALE_EXAMPLES) <= {path.name for path in example_files()}


# --- the fast path agrees with jsonschema ------------------------------------------------------

ODD_VALUES: list[object] = [None, True, 0, -1, 1.5, 2.0, "", "x", "a:1", [], [1], {}, {"a": "b"}]


def mutations(body: object, rng: random.Random, count: int) -> Iterator[object]:
    """`count` copies of `body`, each with one random value replaced, key dropped or key added."""
    paths = list(_paths(body, ()))
    for _ in range(count):
        mutated = copy.deepcopy(body)
        path = rng.choice(paths)
        parent: Any = mutated
        for step in path[:-1]:
            parent = parent[step]
        choice = rng.random()
        if path and isinstance(parent, dict) and choice < 0.25:
            del parent[path[-1]]
        elif isinstance(parent, dict) and choice < 0.4:
            parent[rng.choice(["foo", "children", "cancelled", "tasks", "nodes", "status"])] = (
                rng.choice(ODD_VALUES)
            )
        elif path:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        yield mutated


def _paths(body: object, prefix: tuple[object, ...]) -> Iterator[tuple[object, ...]]:
    yield prefix
    if isinstance(body, dict):
        for key, value in body.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from _paths(value, (*prefix, index))


@pytest.mark.parametrize(
    ("schema", "body"), [(s, b) for s, _, b in VALID], ids=[f"{s}-{i}" for s, i, _ in VALID]
)
def test_fast_path_agrees_with_jsonschema(schema: str, body: object) -> None:
    contracts = contract._contracts()
    fast, validator = contracts.fast[schema], contracts.validators[schema]
    rng = random.Random(f"{schema}{json.dumps(body, sort_keys=True)}")
    for mutated in [body, *mutations(body, rng, 60)]:
        assert fast(mutated) == validator.is_valid(mutated), (mutated, contracts.fast_source)


@pytest.mark.parametrize(
    ("schema", "body"),
    [(s, b) for s, _, b, _ in INVALID],
    ids=[f"{s}-{i}" for s, i, _, _ in INVALID],
)
def test_fast_path_rejects_every_negative_control(schema: str, body: object) -> None:
    assert not contract._contracts().fast[schema](body)
