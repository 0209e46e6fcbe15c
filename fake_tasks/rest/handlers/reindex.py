"""Handlers of reindex, update by query, delete by query and the rethrottle routes.

`AbstractBaseReindexRestHandler`: the request (body first), the common options, then
`wait_for_completion`: `false` answers `{"task": "<node>:<id>"}` at once (after validating the
request) and the task stores its result; `true` (the default) waits and answers the
`BulkByScrollResponse` with the highest failure status (`BulkIndexByScrollResponseContentListener`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final

from fake_tasks.actions import reindex as actions
from fake_tasks.actions.tasks import TasksResult
from fake_tasks.cluster.bulkjob import LeaderProgress, WorkerProgress, humanize
from fake_tasks.cluster.model import Task
from fake_tasks.errors import EsError, IllegalArgumentError
from fake_tasks.rest import render
from fake_tasks.rest.bulkbody import QueryBody, SearchPart, query_body, reindex_body, script_text
from fake_tasks.rest.handlers.tasks import tasks_reply
from fake_tasks.rest.handling import indices_options, parse_active_shards, task_or_wait
from fake_tasks.rest.params import Params
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS", "parse_requests_per_second", "parse_slices"]

_RPS_ERROR: Final = (
    "[requests_per_second] must be a float greater than 0. Use -1 to disable throttling."
)
_MATCH_ALL: Final = {"match_all": {"boost": 1.0}}
_FLOAT: Final = r"[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?"


def parse_requests_per_second(value: str | None) -> float | None:
    """`parseRequestsPerSecond`: a float above 0, or -1 for no throttle (None: absent)."""
    if value is None:
        return None
    if not re.fullmatch(_FLOAT, value.strip()):
        raise IllegalArgumentError(_RPS_ERROR, caused_by=_number_format(value))
    number = float(value.strip().rstrip("fFdD"))
    if number == -1:
        return math.inf
    if not number > 0:
        raise IllegalArgumentError(_RPS_ERROR)
    return number


def _number_format(value: str) -> EsError:
    return EsError.custom("number_format_exception", f'For input string: "{value}"', 400)


def parse_slices(value: str | None) -> int | None:
    """`parseSlices`: a positive int or `auto` (0)."""
    if value is None:
        return None
    if value == "auto":
        return actions.AUTO_SLICES
    message = f'[slices] must be a positive integer or the string "auto", but was [{value}]'
    if not re.fullmatch(r"[+-]?[0-9]+", value) or not -(2**31) <= int(value) < 2**31:
        raise IllegalArgumentError(message, caused_by=_number_format(value))  # Integer.parseInt
    if int(value) < 1:
        raise IllegalArgumentError(message)
    return int(value)


def _common(p: Params, max_docs: int | None) -> dict[str, Any]:
    """`setCommonOptions` and `wait_for_completion`, in the order the handler reads them."""
    p.boolean("refresh")
    p.time_ns("timeout")
    slices = parse_slices(p.get("slices"))
    parse_active_shards(p.get("wait_for_active_shards"))
    rps = parse_requests_per_second(p.get("requests_per_second"))
    given = p.integer("max_docs")
    if given is not None:
        if max_docs is not None and max_docs != given:
            raise IllegalArgumentError(
                f"[max_docs] set to two different values [{max_docs}] and [{given}]"
            )
        if given < 0:
            raise IllegalArgumentError(f"[max_docs] parameter cannot be negative, found [{given}]")
        max_docs = given
    return {
        "slices": 1 if slices is None else slices,
        "requests_per_second": math.inf if rps is None else rps,
        "max_docs": max_docs,
        "store_result": not p.boolean("wait_for_completion"),
    }


def prepare_reindex(call: Call) -> Run:
    p = call.params
    if "pipeline" in p:
        raise IllegalArgumentError(
            "_reindex doesn't support [pipeline] as a query parameter. "
            "Specify it in the [dest] object instead."
        )
    body = reindex_body(call.body)
    p.time_ns("scroll")
    p.boolean("require_alias")
    common = _common(p, body.max_docs)
    source = ", ".join(body.indices or ())
    remote = ""
    problems: list[str] = []
    if body.remote is not None:
        # `RemoteInfo.queryForRemote` always builds the query with a pretty-printing builder
        query = render.to_json(body.search.query or _MATCH_ALL, pretty=True).decode()[:-1]
        remote = f"[{body.remote.describe(query)}]"
        if body.remote.username is not None and not body.remote.password:
            problems.append("reindex from remote source included username but not password")
        if body.remote.password and body.remote.username is None:
            problems.append("reindex from remote source included password but not username")
    request = actions.ByScrollRequest(
        "reindex",
        body.indices or (),
        f"reindex from {remote}[{source}]{script_text(body.script)} to [{body.dest_index}]",
        dest=body.dest_index,
        batch_size=body.search.size if body.search.size is not None else 1000,
        conflicts=body.conflicts or "abort",
        remote=None if body.remote is None else (body.remote.host, body.remote.port),
        remote_problems=tuple(problems),
        problems=_search_problems(body.search, common["max_docs"]),
        headers=call.task_headers,
        **common,
    )
    return _run(call, request)


def _search_problems(search: SearchPart, max_docs: int | None) -> tuple[str, ...]:
    """`AbstractBulkByScrollRequest.validate` on the search part."""
    out = []
    if search.has_from:
        out.append("from is not supported in this context")
    if search.has_stored_fields:
        out.append("stored_fields is not supported in this context")
    if max_docs is not None and max_docs <= 0:
        out.append(
            "maxDocs should be greater than 0 if the request is limited to some number of "
            f"documents or -1 if it isn't but it was [{max_docs}]"
        )
    return tuple(out)


def _by_query(call: Call, kind: str) -> Run:
    p = call.params
    indices = p.strings("index")
    body: QueryBody = query_body(call.body, script=kind == "update_by_query")
    p.integer("batched_reduce_size")
    p.integer("pre_filter_shard_size")
    p.integer("max_concurrent_shard_requests")
    p.boolean("allow_partial_search_results")
    search_type = p.string("search_type")
    if search_type is not None and search_type not in ("query_then_fetch", "dfs_query_then_fetch"):
        raise IllegalArgumentError(f"No search type for [{search_type}]")
    q = p.string("q")
    for name in ("df", "analyzer"):
        p.string(name)
    p.boolean("analyze_wildcard")
    p.boolean("lenient")
    p.string("default_operator")
    has_from = p.integer("from") is not None
    if p.integer("size") is not None:
        raise IllegalArgumentError("invalid parameter [size], use [max_docs] instead")
    for name in ("explain", "version", "seq_no_primary_term"):
        p.boolean(name)
    p.integer("terminate_after")
    has_stored = bool(p.strings("stored_fields"))
    for name in ("docvalue_fields", "_source", "_source_includes", "_source_excludes"):
        p.strings(name)
    p.boolean("track_scores")
    p.string("track_total_hits")
    p.strings("sort")
    p.strings("stats")
    p.boolean("request_cache")
    p.time_ns("scroll")
    p.strings("routing")
    p.string("preference")
    options = indices_options(p)
    scroll_size = p.integer("scroll_size")
    if scroll_size is not None and scroll_size < 0:  # SearchSourceBuilder.size
        raise IllegalArgumentError(f"[size] parameter cannot be negative, found [{scroll_size}]")
    conflicts = p.get("conflicts")
    if conflicts is not None and conflicts not in ("abort", "proceed"):
        raise IllegalArgumentError(
            f'conflicts may only be "proceed" or "abort" but was [{conflicts}]'
        )
    p.time_ns("search_timeout")
    if kind == "update_by_query":
        p.string("pipeline")
    common = _common(p, body.max_docs)
    label = "update-by-query" if kind == "update_by_query" else "delete-by-query"
    names = f"[{', '.join(indices)}]" if indices else "[all indices]"
    search = body.search
    request = actions.ByScrollRequest(
        kind,
        indices,
        f"{label} {names}{script_text(body.script)}",
        options=options,
        batch_size=scroll_size if scroll_size is not None else (search.size or 1000),
        conflicts=conflicts or body.conflicts or "abort",
        has_query=search.query is not None or q is not None,
        problems=_search_problems(
            SearchPart(has_from=search.has_from or has_from, has_stored_fields=has_stored),
            common["max_docs"],
        ),
        headers=call.task_headers,
        **common,
    )
    return _run(call, request)


def _run(call: Call, request: actions.ByScrollRequest) -> Run:
    return task_or_wait(
        call,
        request,
        lambda: actions.start(call.cluster, request),
        lambda task: _final(task, request.kind, human=call.human),
    )


def _final(task: Task, kind: str, *, human: bool) -> Reply:
    if task.failed and task.error is not None:
        raise task.error
    progress = task.progress
    assert isinstance(progress, WorkerProgress | LeaderProgress)
    body: dict[str, Any] = humanize(progress.result(task), human)
    if kind != "reindex":
        _drop(body, "created")
    if kind == "delete_by_query":
        _drop(body, "updated")
    statuses = [f["status"] for f in body["failures"]]
    status = max([200, *(s for s in statuses if isinstance(s, int))])
    return Reply(status, body)


def _drop(body: dict[str, Any], key: str) -> None:
    body.pop(key, None)
    for piece in body.get("slices") or []:
        if isinstance(piece, dict):
            piece.pop(key, None)


def prepare_rethrottle(call: Call) -> Run:
    p = call.params
    task_id = p.task_id("taskId")
    rps = parse_requests_per_second(p.get("requests_per_second"))
    if rps is None:
        raise IllegalArgumentError("requests_per_second is a required parameter")
    group_by = p.string("group_by") or ""

    def rethrottle() -> TasksResult:
        if task_id is None:
            raise EsError.custom(
                "action_request_validation_exception",
                "Validation Failed: 1: task id is required;",
                400,
            )
        return actions.rethrottle(call.cluster, task_id, rps)

    return tasks_reply(call, group_by, rethrottle)


HANDLERS: Final[Mapping[str, Prepare]] = {
    "reindex": prepare_reindex,
    "update_by_query": lambda call: _by_query(call, "update_by_query"),
    "delete_by_query": lambda call: _by_query(call, "delete_by_query"),
    "reindex_rethrottle": prepare_rethrottle,
    "update_by_query_rethrottle": prepare_rethrottle,
    "delete_by_query_rethrottle": prepare_rethrottle,
}
