"""Every error the reference gives for the `_tasks` routes, `/` and `/_nodes`, one row each.

Expected bodies and strings come from `/work/shared/reference/es-behavior.md` (sections 1.1-1.5, 2,
3.2, 4, 5, 7, 8) and `/work/notes/es-facts.md` (corrections: `timeout_exception`, HEAD, 405 order,
check order, compat headers). `{node}` is the id of the cluster's only node, `{search}` a running
cancellable task (it ignores cancellation) and `{bulk}` a running task that is not cancellable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from expected import INDEX_NOT_FOUND, MALFORMED_NODE_ABC, unknown_node_not_found
from werkzeug.test import Client, TestResponse

from fake_tasks import FakeTasks, Settings
from fake_tasks.rest.app import App

BOOL_ERROR = "Failed to parse value [{value}] as only [true] or [false] are allowed."
VENDOR_JSON = "application/vnd.elasticsearch+json;compatible-with=9"


def es_error(
    es_type: str,
    reason: str,
    status: int = 400,
    *,
    caused_by: dict[str, Any] | None = None,
    root_cause: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The ES error body (reference 8): root causes, type, reason, caused_by, status."""
    error: dict[str, Any] = {
        "root_cause": root_cause
        if root_cause is not None
        else [{"type": es_type, "reason": reason}],
        "type": es_type,
        "reason": reason,
    }
    if caused_by is not None:
        error["caused_by"] = caused_by
    return {"error": error, "status": status}


def iae(reason: str) -> dict[str, Any]:
    return es_error("illegal_argument_exception", reason)


def bad_bool(value: str) -> dict[str, Any]:
    return iae(BOOL_ERROR.format(value=value))


def nfe(text: str) -> dict[str, Any]:
    return {"type": "number_format_exception", "reason": f'For input string: "{text}"'}


def validation(problem: str) -> dict[str, Any]:
    return es_error("action_request_validation_exception", f"Validation Failed: 1: {problem};")


def node_failure(cause: dict[str, Any]) -> dict[str, Any]:
    """A `node_failures` entry for the only node (reference 2.4)."""
    return {
        "type": "failed_node_exception",
        "reason": "Failed node [{node}]",
        "node_id": "{node}",
        "caused_by": cause,
    }


def failed_on_node(es_type: str, reason: str, *, group_by_none: bool = False) -> dict[str, Any]:
    """A 200 that lists nothing but the only node's failure (`nodes`, or `tasks` ungrouped)."""
    listed: dict[str, Any] = {"tasks": []} if group_by_none else {"nodes": {}}
    return {"node_failures": [node_failure({"type": es_type, "reason": reason})], **listed}


def not_allowed(uri: str, method: str, allowed: str) -> dict[str, Any]:
    return {
        "error": f"Incorrect HTTP method for uri [{uri}] and method [{method}], "
        f"allowed: [{allowed}]",
        "status": 405,
    }


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes | None = None
    allow: str | None = None
    version: str = "9.1.0"
    stored: bool = False  # store one finished task's result first, so `.tasks` exists


def row(id: str, method: str, path: str, status: int, body: Any, **kwargs: Any) -> Any:
    return pytest.param(Row(method, path, status, body, **kwargs), id=id)


JSON_HEADERS = {"Content-Type": "application/json"}

ROWS = [
    # -- 1.1 routing: 405 with Allow (enum order, no space), unknown paths, `_cancel` as an id --
    row(
        "405-post-list", "POST", "/_tasks", 405, not_allowed("/_tasks", "POST", "GET"), allow="GET"
    ),
    row(
        "405-uri-keeps-query",
        "POST",
        "/_tasks?detailed=true&x=1",
        405,
        not_allowed("/_tasks?detailed=true&x=1", "POST", "GET"),
        allow="GET",
    ),
    row("405-delete-get", "DELETE", "/_tasks/x", 405, not_allowed("/_tasks/x", "DELETE", "GET")),
    row("405-put-get", "PUT", "/_tasks/n:1", 405, not_allowed("/_tasks/n:1", "PUT", "GET")),
    row(
        "405-get-cancel-by-id",
        "GET",
        "/_tasks/n:1/_cancel",
        405,
        not_allowed("/_tasks/n:1/_cancel", "GET", "POST"),
        allow="POST",
    ),
    row(
        "405-delete-cancel-union",
        "DELETE",
        "/_tasks/_cancel",
        405,
        not_allowed("/_tasks/_cancel", "DELETE", "GET, POST"),
        allow="GET,POST",
    ),
    row(
        "405-head-list", "HEAD", "/_tasks", 405, not_allowed("/_tasks", "HEAD", "GET"), allow="GET"
    ),
    row("405-post-root", "POST", "/", 405, not_allowed("/", "POST", "GET, HEAD"), allow="GET,HEAD"),
    row("405-put-nodes", "PUT", "/_nodes", 405, not_allowed("/_nodes", "PUT", "GET"), allow="GET"),
    row(
        "get-_cancel-is-a-task-id", "GET", "/_tasks/_cancel", 400, iae("malformed task id _cancel")
    ),
    row(
        "no-handler",
        "GET",
        "/_x?y",
        400,
        {"error": "no handler found for uri [/_x?y] and method [GET]"},
    ),
    row(
        "no-handler-deep",
        "POST",
        "/_tasks/n:1/_cancel/x",
        400,
        {"error": "no handler found for uri [/_tasks/n:1/_cancel/x] and method [POST]"},
    ),
    # -- 1.2 / es-facts 8: booleans --------------------------------------------------------------
    row("bool-list-detailed", "GET", "/_tasks?detailed=yes", 400, bad_bool("yes")),
    row("bool-case-sensitive", "GET", "/_tasks?detailed=True", 400, bad_bool("True")),
    row("bool-list-wfc", "GET", "/_tasks?wait_for_completion=1", 400, bad_bool("1")),
    row("bool-get-wfc", "GET", "/_tasks/{search}?wait_for_completion=no", 400, bad_bool("no")),
    row("bool-cancel-wfc", "POST", "/_tasks/_cancel?wait_for_completion=yes", 400, bad_bool("yes")),
    row("bool-pretty", "GET", "/_tasks?pretty=yes", 400, bad_bool("yes")),
    row("bool-human", "GET", "/_tasks?human=on", 400, bad_bool("on")),
    row(
        "bool-error-trace-simple",
        "GET",
        "/_tasks?error_trace=yes",
        400,
        {"error": BOOL_ERROR.format(value="yes"), "status": 400},
    ),
    row(
        "bool-error-trace-before-routing",
        "GET",
        "/nope?error_trace=yes",
        400,
        {"error": BOOL_ERROR.format(value="yes"), "status": 400},
    ),
    row("bool-node-role", "GET", "/_tasks?nodes=master:yes", 400, bad_bool("yes")),
    # -- 1.3 unrecognized parameters ---------------------------------------------------------
    row(
        "unknown-param",
        "GET",
        "/_tasks?foo=1",
        400,
        iae("request [/_tasks] contains unrecognized parameter: [foo]"),
    ),
    row(
        "unknown-params-plural-sorted",
        "GET",
        "/_tasks?zeta=1&foo=2",
        400,
        iae("request [/_tasks] contains unrecognized parameters: [foo], [zeta]"),
    ),
    row(
        "unknown-param-did-you-mean",
        "GET",
        "/_tasks?detailled=true",
        400,
        iae(
            "request [/_tasks] contains unrecognized parameter: [detailled] -> "
            "did you mean [detailed]?"
        ),
    ),
    row(
        "unknown-param-did-you-mean-any",
        "POST",
        "/_tasks/_cancel?the_task_id=x",
        400,
        iae(
            "request [/_tasks/_cancel] contains unrecognized parameter: [the_task_id] -> "
            "did you mean any of [parent_task_id, task_id]?"
        ),
    ),
    row(
        "unknown-params-mixed",
        "GET",
        "/_tasks?detailled&foo",
        400,
        iae(
            "request [/_tasks] contains unrecognized parameters: "
            "[detailled] -> did you mean [detailed]?, [foo]"
        ),
    ),
    row(
        "unknown-response-param-suggested",
        "GET",
        "/_tasks?prety",
        400,
        iae("request [/_tasks] contains unrecognized parameter: [prety] -> did you mean [pretty]?"),
    ),
    row(
        "master-timeout-list",
        "GET",
        "/_tasks?master_timeout=1s",
        400,
        iae("request [/_tasks] contains unrecognized parameter: [master_timeout]"),
    ),
    row(
        "master-timeout-get",
        "GET",
        "/_tasks/{search}?master_timeout=1s",
        400,
        iae("request [/_tasks/{search}] contains unrecognized parameter: [master_timeout]"),
    ),
    row(
        "master-timeout-cancel",
        "POST",
        "/_tasks/_cancel?master_timeout=1s",
        400,
        iae("request [/_tasks/_cancel] contains unrecognized parameter: [master_timeout]"),
    ),
    row(
        "cancel-has-no-timeout",
        "POST",
        "/_tasks/_cancel?timeout=1s",
        400,
        iae("request [/_tasks/_cancel] contains unrecognized parameter: [timeout]"),
    ),
    row(
        "cancel-has-no-detailed",
        "POST",
        "/_tasks/abc:1/_cancel?detailed=true",
        400,
        iae("request [/_tasks/abc:1/_cancel] contains unrecognized parameter: [detailed]"),
    ),
    row(
        "get-has-no-detailed-group-by",
        "GET",
        "/_tasks/{search}?group_by=none&detailed",
        400,
        iae("request [/_tasks/{search}] contains unrecognized parameters: [detailed], [group_by]"),
    ),
    row(
        "source-is-unrecognized",
        "GET",
        "/_tasks?source=%7B%7D&source_content_type=application/json",
        400,
        iae("request [/_tasks] contains unrecognized parameters: [source], [source_content_type]"),
    ),
    row(
        "unknown-param-root",
        "GET",
        "/?foo=1",
        400,
        iae("request [/] contains unrecognized parameter: [foo]"),
    ),
    row(
        "unknown-param-nodes",
        "GET",
        "/_nodes?foo=1",
        400,
        iae("request [/_nodes] contains unrecognized parameter: [foo]"),
    ),
    # -- check order (es-facts 2 and 3) -----------------------------------------------------------
    row(
        "order-malformed-id-before-unknown",
        "GET",
        "/_tasks/foo?bar=1",
        400,
        iae("malformed task id foo"),
    ),
    row("order-bool-before-unknown", "GET", "/_tasks?detailed=yes&bar=1", 400, bad_bool("yes")),
    row(
        "order-list-detailed-before-parent",
        "GET",
        "/_tasks?detailed=yes&parent_task_id=bad",
        400,
        bad_bool("yes"),
    ),
    row(
        "order-list-parent-before-wfc",
        "GET",
        "/_tasks?parent_task_id=bad&wait_for_completion=yes",
        400,
        iae("malformed task id bad"),
    ),
    row(
        "order-list-wfc-before-timeout",
        "GET",
        "/_tasks?wait_for_completion=yes&timeout=10x",
        400,
        bad_bool("yes"),
    ),
    row(
        "order-get-id-before-wfc",
        "GET",
        "/_tasks/bad?wait_for_completion=yes",
        400,
        iae("malformed task id bad"),
    ),
    row(
        "order-get-wfc-before-timeout",
        "GET",
        "/_tasks/{search}?wait_for_completion=yes&timeout=10x",
        400,
        bad_bool("yes"),
    ),
    row(
        "order-cancel-id-before-wfc",
        "POST",
        "/_tasks/bad/_cancel?wait_for_completion=yes",
        400,
        iae("malformed task id bad"),
    ),
    row(
        "order-cancel-parent-before-wfc",
        "POST",
        "/_tasks/_cancel?parent_task_id=bad&wait_for_completion=yes",
        400,
        iae("malformed task id bad"),
    ),
    row(
        "order-unknown-before-group-by",
        "GET",
        "/_tasks?group_by=bad&foo=1",
        400,
        iae("request [/_tasks] contains unrecognized parameter: [foo]"),
    ),
    row(
        "order-unknown-before-body",
        "GET",
        "/_tasks?foo=1",
        400,
        iae("request [/_tasks] contains unrecognized parameter: [foo]"),
        headers=JSON_HEADERS,
        data=b"{}",
    ),
    row(
        "order-body-before-group-by",
        "GET",
        "/_tasks?group_by=bad",
        400,
        iae("request [GET /_tasks] does not support having a body"),
        headers=JSON_HEADERS,
        data=b"{}",
    ),
    row(
        "order-406-before-malformed-id",
        "GET",
        "/_tasks/foo",
        406,
        {"error": "Content-Type header is missing", "status": 406},
        data=b"{}",
    ),
    # -- 1.4 group_by --------------------------------------------------------------------------
    row(
        "group-by-list",
        "GET",
        "/_tasks?group_by=bad",
        400,
        iae("[group_by] must be one of [nodes], [parents] or [none] but was [bad]"),
    ),
    row(
        "group-by-case-sensitive",
        "GET",
        "/_tasks?group_by=NODES",
        400,
        iae("[group_by] must be one of [nodes], [parents] or [none] but was [NODES]"),
    ),
    row(
        "group-by-empty",
        "GET",
        "/_tasks?group_by=",
        400,
        iae("[group_by] must be one of [nodes], [parents] or [none] but was []"),
    ),
    row(
        "group-by-cancel",
        "POST",
        "/_tasks/_cancel?actions=*&group_by=tree",
        400,
        iae("[group_by] must be one of [nodes], [parents] or [none] but was [tree]"),
    ),
    # -- 1.5 task ids ----------------------------------------------------------------------------
    row(
        "malformed-id-no-colon",
        "GET",
        "/_tasks/foo",
        400,
        {
            "error": {
                "root_cause": [
                    {"type": "illegal_argument_exception", "reason": "malformed task id foo"}
                ],
                "type": "illegal_argument_exception",
                "reason": "malformed task id foo",
            },
            "status": 400,
        },
    ),
    row(
        "malformed-id-number",
        "GET",
        "/_tasks/node:abc",
        400,
        MALFORMED_NODE_ABC,
    ),
    row(
        "malformed-id-overflow",
        "GET",
        "/_tasks/n:99999999999999999999",
        400,
        es_error(
            "illegal_argument_exception",
            "malformed task id n:99999999999999999999",
            caused_by=nfe("99999999999999999999"),
        ),
    ),
    row(
        "malformed-parent-list",
        "GET",
        "/_tasks?parent_task_id=foo",
        400,
        iae("malformed task id foo"),
    ),
    row(
        "malformed-parent-list-number",
        "GET",
        "/_tasks?parent_task_id=n:x",
        400,
        es_error("illegal_argument_exception", "malformed task id n:x", caused_by=nfe("x")),
    ),
    row("parent-minus-one", "GET", "/_tasks?parent_task_id=-1", 400, iae("malformed task id -1")),
    row(
        "malformed-parent-cancel",
        "POST",
        "/_tasks/_cancel?parent_task_id=foo",
        400,
        iae("malformed task id foo"),
    ),
    row("malformed-id-cancel", "POST", "/_tasks/foo/_cancel", 400, iae("malformed task id foo")),
    row("unset-id-get", "GET", "/_tasks/unset", 400, validation("task id is required")),
    row("minus-one-id-get", "GET", "/_tasks/n:-1", 400, validation("task id is required")),
    row(
        "task-id-with-nodes",
        "POST",
        "/_tasks/n:1/_cancel?nodes=x",
        400,
        validation("task id cannot be used together with node ids"),
    ),
    # -- 7 time values (`timeout` on list and get) -----------------------------------------------
    row(
        "time-unit-unknown",
        "GET",
        "/_tasks?timeout=10x",
        400,
        iae(
            "failed to parse setting [timeout] with value [10x] as a time value: "
            "unit is missing or unrecognized"
        ),
    ),
    row(
        "time-unit-missing-get",
        "GET",
        "/_tasks/{search}?timeout=10",
        400,
        iae(
            "failed to parse setting [timeout] with value [10] as a time value: "
            "unit is missing or unrecognized"
        ),
    ),
    row(
        "time-capital-m-is-not-minutes",
        "GET",
        "/_tasks?timeout=1M",
        400,
        iae(
            "failed to parse setting [timeout] with value [1M] as a time value: "
            "unit is missing or unrecognized"
        ),
    ),
    row(
        "time-negative",
        "GET",
        "/_tasks?timeout=-5s",
        400,
        iae(
            "failed to parse setting [timeout] with value [-5s] as a time value: "
            "negative durations are not supported"
        ),
    ),
    row(
        "time-fraction",
        "GET",
        "/_tasks?timeout=1.5s",
        400,
        es_error(
            "illegal_argument_exception",
            "failed to parse [1.5s], fractional time values are not supported",
            caused_by=nfe("1.5"),
        ),
    ),
    row(
        "time-garbage",
        "GET",
        "/_tasks/{search}?timeout=xs",
        400,
        es_error("illegal_argument_exception", "failed to parse [xs]", caused_by=nfe("x")),
    ),
    row(
        "time-too-many-days",
        "GET",
        "/_tasks?timeout=106752d",
        400,
        iae("time value cannot store values greater than 106751 days"),
    ),
    # -- 2.5 list wait timeout: a node failure in a 200 -------------------------------------------
    row(
        "list-wait-timeout",
        "GET",
        "/_tasks?wait_for_completion=true&timeout=1s",
        200,
        failed_on_node("timeout_exception", "timed out after [1s/1000ms]"),
    ),
    row(
        "list-wait-timeout-default-30s",
        "GET",
        "/_tasks?wait_for_completion=true&group_by=none",
        200,
        failed_on_node("timeout_exception", "timed out after [30s/30000ms]", group_by_none=True),
    ),
    # -- 3.2 / 3.3 get: the 404s and the wait timeout ----------------------------------------------
    row(
        "get-unknown-node",
        "GET",
        "/_tasks/foo:1",
        404,
        unknown_node_not_found("foo:1"),
    ),
    row(
        "get-known-node-no-tasks-index",
        "GET",
        "/_tasks/{node}:1",
        404,
        es_error(
            "resource_not_found_exception",
            "task [{node}:1] isn't running and hasn't stored its results",
            404,
            caused_by=INDEX_NOT_FOUND,
            root_cause=[INDEX_NOT_FOUND],
        ),
    ),
    row(
        "get-known-node-no-document",
        "GET",
        "/_tasks/{node}:1",
        404,
        es_error(
            "resource_not_found_exception",
            "task [{node}:1] isn't running and hasn't stored its results",
            404,
        ),
        stored=True,
    ),
    row(
        "get-unknown-node-no-document",
        "GET",
        "/_tasks/foo:1",
        404,
        es_error(
            "resource_not_found_exception",
            "task [foo:1] belongs to the node [foo] which isn't part of the cluster "
            "and there is no record of the task",
            404,
            caused_by={
                "type": "resource_not_found_exception",
                "reason": "task [foo:1] isn't running and hasn't stored its results",
            },
            root_cause=[
                {
                    "type": "resource_not_found_exception",
                    "reason": "task [foo:1] isn't running and hasn't stored its results",
                }
            ],
        ),
        stored=True,
    ),
    row(
        "get-wait-timeout-429",
        "GET",
        "/_tasks/{search}?wait_for_completion=true&timeout=1s",
        429,
        es_error("timeout_exception", "timed out after [1s/1000ms]", 429),
    ),
    row(
        "get-wait-timeout-default-30s",
        "GET",
        "/_tasks/{search}?wait_for_completion",
        429,
        es_error("timeout_exception", "timed out after [30s/30000ms]", 429),
    ),
    row(
        "get-wait-timeout-500-on-8x",
        "GET",
        "/_tasks/{search}?wait_for_completion=true&timeout=2s",
        500,
        es_error("timeout_exception", "timed out after [2s/2000ms]", 500),
        version="8.15.0",
    ),
    # -- 4 cancel: per-node failures in a 200 -----------------------------------------------------
    row(
        "cancel-missing-task",
        "POST",
        "/_tasks/{node}:123/_cancel",
        200,
        failed_on_node("resource_not_found_exception", "task [{node}:123] is not found"),
    ),
    row(
        "cancel-not-cancellable",
        "POST",
        "/_tasks/{bulk}/_cancel",
        200,
        failed_on_node("illegal_argument_exception", "task [{bulk}] doesn't support cancellation"),
    ),
    row(
        "cancel-not-matching-actions",
        "POST",
        "/_tasks/{search}/_cancel?actions=indices:data/write/*",
        200,
        failed_on_node(
            "illegal_argument_exception", "task [{search}] doesn't support this operation"
        ),
    ),
    row(
        "cancel-not-matching-parent",
        "POST",
        "/_tasks/{search}/_cancel?parent_task_id={node}:7",
        200,
        failed_on_node(
            "illegal_argument_exception", "task [{search}] doesn't support this operation"
        ),
    ),
    row(
        "cancel-unknown-node",
        "POST",
        "/_tasks/x:1/_cancel",
        200,
        {
            "node_failures": [
                {
                    "type": "failed_node_exception",
                    "reason": "Failed node [x]",
                    "node_id": "x",
                    "caused_by": {
                        "type": "no_such_node_exception",
                        "reason": "No such node [x]",
                        "node_id": "x",
                    },
                }
            ],
            "nodes": {},
        },
    ),
    row(
        "cancel-missing-task-group-by-none",
        "POST",
        "/_tasks/{node}:123/_cancel?group_by=none",
        200,
        failed_on_node(
            "resource_not_found_exception", "task [{node}:123] is not found", group_by_none=True
        ),
    ),
    row(
        "cancel-nothing-matches",
        "POST",
        "/_tasks/_cancel?actions=nothing:*",
        200,
        {"nodes": {}},
    ),
    # -- 8 bodies, media types ---------------------------------------------------------------
    row(
        "body-on-list",
        "GET",
        "/_tasks",
        400,
        {
            "error": {
                "root_cause": [
                    {
                        "type": "illegal_argument_exception",
                        "reason": "request [GET /_tasks] does not support having a body",
                    }
                ],
                "type": "illegal_argument_exception",
                "reason": "request [GET /_tasks] does not support having a body",
            },
            "status": 400,
        },
        headers=JSON_HEADERS,
        data=b'{"query":{}}',
    ),
    row(
        "body-on-cancel-path-without-query",
        "POST",
        "/_tasks/_cancel?actions=x",
        400,
        iae("request [POST /_tasks/_cancel] does not support having a body"),
        headers=JSON_HEADERS,
        data=b"{}",
    ),
    row(
        "body-on-get",
        "GET",
        "/_tasks/{search}",
        400,
        iae("request [GET /_tasks/{search}] does not support having a body"),
        headers={"Content-Type": "application/vnd.elasticsearch+json; compatible-with=9"},
        data=b"{}",
    ),
    row(
        "body-content-type-missing",
        "GET",
        "/_tasks",
        406,
        {"error": "Content-Type header is missing", "status": 406},
        data=b"{}",
    ),
    row(
        "body-content-type-unsupported",
        "POST",
        "/_tasks/_cancel",
        406,
        {"error": "Content-Type header [text/plain] is not supported", "status": 406},
        headers={"Content-Type": "text/plain"},
        data=b"{}",
    ),
    row(
        "accept-compatible-with-7",
        "GET",
        "/_tasks",
        400,
        {
            "error": {
                "root_cause": [
                    {
                        "type": "media_type_header_exception",
                        "reason": "Invalid media-type value on headers [Accept, Content-Type]",
                    }
                ],
                "type": "media_type_header_exception",
                "reason": "Invalid media-type value on headers [Accept, Content-Type]",
                "caused_by": {
                    "type": "status_exception",
                    "reason": "Accept version must be either version 9 or 8, but found 7. "
                    "Accept=application/vnd.elasticsearch+json; compatible-with=7",
                },
            },
            "status": 400,
        },
        headers={"Accept": "application/vnd.elasticsearch+json; compatible-with=7"},
    ),
]


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, text in names.items():
            value = value.replace("{" + name + "}", text)
        return value
    if isinstance(value, dict):
        return {_fill(k, names): _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


def _cluster(version: str, *, stored: bool) -> tuple[FakeTasks, dict[str, str]]:
    fake = FakeTasks(Settings(seed=5, nodes=1, tasks=0, version=version))
    if stored:
        done = fake.add_task("indices:data/write/reindex", store_result=True)
        fake.finish(done, {"created": 1})
    search = fake.add_task("indices:data/read/search", description="search", cancel_delay=None)
    bulk = fake.add_task("indices:data/write/bulk", cancellable=False)
    names = {"node": search.node, "search": str(search.task_id), "bulk": str(bulk.task_id)}
    return fake, names


def _send(case: Row, names: dict[str, str], client: Client, opaque: str) -> TestResponse:
    headers = {"X-Opaque-Id": opaque, **_fill(case.headers, names)}
    return client.open(_fill(case.path, names), method=case.method, headers=headers, data=case.data)


@pytest.mark.parametrize("case", ROWS)
def test_error_table(case: Row, request: pytest.FixtureRequest) -> None:
    fake, names = _cluster(case.version, stored=case.stored)
    opaque = f"row-{request.node.callspec.id}"
    response = _send(case, names, Client(App(fake)), opaque)
    expected = _fill(case.body, names)
    raw = json.dumps(expected, separators=(",", ":")).encode()

    assert response.status_code == case.status
    assert response.headers["X-elastic-product"] == "Elasticsearch"
    assert response.headers["X-Opaque-Id"] == opaque
    assert response.headers["Content-Type"] == "application/json"
    if case.allow is not None:
        assert response.headers["Allow"] == case.allow
    elif case.status != 405:
        assert "Allow" not in response.headers
    if case.method == "HEAD":  # no body, but the length of the one a GET would get
        assert response.get_data() == b""
        assert response.headers["Content-Length"] == str(len(raw))
    else:
        assert response.get_json() == expected
        assert list(response.get_json()) == list(expected)  # key order: error before status
        assert response.get_data() == raw
    assert fake.server_errors == []


def test_bad_group_by_on_cancel_cancels_nothing() -> None:
    fake, names = _cluster("9.1.0", stored=False)
    client = Client(App(fake))
    for path in ("/_tasks/_cancel?group_by=x", "/_tasks/{search}/_cancel?group_by=x"):
        response = client.post(_fill(path, names))
        assert response.status_code == 400
    assert not fake.task(names["search"]).cancelled
    assert all(not t.cancelled for t in fake.tasks())


@pytest.mark.parametrize(
    ("path", "top_class", "chain"),
    [
        pytest.param(
            "/_tasks/foo",
            "java.lang.IllegalArgumentException: malformed task id foo",
            ["illegal_argument_exception"],
            id="iae",
        ),
        pytest.param(
            "/_tasks/n:abc",
            "java.lang.IllegalArgumentException: malformed task id n:abc",
            ["illegal_argument_exception", "number_format_exception"],
            id="iae-caused-by-nfe",
        ),
        pytest.param(
            "/_tasks/foo:1",
            "org.elasticsearch.ResourceNotFoundException: task [foo:1] belongs to the node [foo]",
            [
                "resource_not_found_exception",
                "resource_not_found_exception",
                "index_not_found_exception",
            ],
            id="not-found-chain",
        ),
    ],
)
def test_error_trace_adds_stack_traces_everywhere(
    path: str, top_class: str, chain: list[str]
) -> None:
    fake, _ = _cluster("9.1.0", stored=False)
    body = Client(App(fake)).get(path + "?error_trace=true").get_json()
    error = body["error"]
    assert error["stack_trace"].startswith(top_class)
    level, types = error, []
    while level is not None:
        types.append(level["type"])
        assert "\n\tat " in level["stack_trace"]
        assert list(level)[-1] == "stack_trace"  # after type, reason, metadata, caused_by
        level = level.get("caused_by")
    assert types == chain
    for cause in error["root_cause"]:
        assert "caused_by" not in cause
        assert "\n\tat " in cause["stack_trace"]
    if chain[0] == "illegal_argument_exception":  # a non-ES root cause goes through a wrapper
        first = error["root_cause"][0]["stack_trace"].split("\n")[0]
        assert first == f"org.elasticsearch.ElasticsearchException$1: {error['reason']}"


@pytest.mark.parametrize("value", ["false", ""])
def test_error_trace_off_or_empty(value: str) -> None:
    fake, _ = _cluster("9.1.0", stored=False)
    body = Client(App(fake)).get(f"/_tasks/foo?error_trace={value}").get_json()
    has_trace = "stack_trace" in body["error"]
    assert has_trace is (value == "")  # `?error_trace` alone means true


def test_filter_path_does_not_apply_to_errors() -> None:
    fake, _ = _cluster("9.1.0", stored=False)
    client = Client(App(fake))
    assert client.get("/_tasks/foo?filter_path=nodes").get_json() == iae("malformed task id foo")
    simple = client.post("/_tasks?filter_path=nodes").get_json()
    assert simple == not_allowed("/_tasks?filter_path=nodes", "POST", "GET")


def test_pretty_errors() -> None:
    fake, _ = _cluster("9.1.0", stored=False)
    response = Client(App(fake)).get("/_tasks/foo?pretty")
    assert response.get_data(as_text=True) == (
        "{\n"
        '  "error" : {\n'
        '    "root_cause" : [\n'
        "      {\n"
        '        "type" : "illegal_argument_exception",\n'
        '        "reason" : "malformed task id foo"\n'
        "      }\n"
        "    ],\n"
        '    "type" : "illegal_argument_exception",\n'
        '    "reason" : "malformed task id foo"\n'
        "  },\n"
        '  "status" : 400\n'
        "}\n"
    )


# -- check order, pretty simple errors, media types before routing ---------------------------------


def test_bad_pretty_wins_over_bad_error_trace() -> None:
    fake, _ = _cluster("9.1.0", stored=False)
    response = Client(App(fake)).get("/_tasks?error_trace=yes&pretty=yes")
    assert response.status_code == 400
    assert response.get_json() == bad_bool("yes")  # full JSON (IAE), not the simple body


@pytest.mark.parametrize(
    ("method", "path", "headers", "data"),
    [
        pytest.param("POST", "/_tasks?pretty", {}, None, id="405"),
        pytest.param("GET", "/_nope?pretty", {}, None, id="no-handler"),
        pytest.param("GET", "/_tasks?pretty", {}, b"{}", id="406"),
    ],
)
def test_simple_errors_are_pretty_too(
    method: str, path: str, headers: dict[str, str], data: bytes | None
) -> None:
    fake, _ = _cluster("9.1.0", stored=False)
    response = Client(App(fake)).open(path, method=method, headers=headers, data=data)
    text = response.get_data(as_text=True)
    assert text.startswith('{\n  "error" : "')
    assert text.endswith("}\n")


@pytest.mark.parametrize("query", ["error_trace=yes", "pretty=yes"])
def test_pre_routing_errors_keep_the_compatible_content_type(query: str) -> None:
    fake, _ = _cluster("9.1.0", stored=False)
    accept = {"Accept": "application/vnd.elasticsearch+json; compatible-with=9"}
    response = Client(App(fake)).get(f"/_tasks?{query}", headers=accept)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == VENDOR_JSON
