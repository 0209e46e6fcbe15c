"""Reindex, update by query, delete by query and their rethrottle APIs (the reindex module)."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Deviation, Param

__all__ = ["APIS", "DEVIATIONS"]

# AbstractBaseReindexRestHandler.setCommonOptions, then wait_for_completion (default true)
_COMMON: Final = (
    Param("refresh", "boolean", default="false"),
    Param("timeout", "time", default="1m"),
    Param("slices", "string", default="1"),
    Param("wait_for_active_shards", "string"),
    Param("requests_per_second", "string", default="-1"),
    Param("max_docs", "int"),
    Param("wait_for_completion", "boolean", default="true"),
)

# RestSearchAction.parseSearchRequest (and parseSearchSource), as the by-query handlers call it
_SEARCH: Final = (
    Param("index", "list", in_path=True),
    Param("batched_reduce_size", "int"),
    Param("pre_filter_shard_size", "int"),
    Param("max_concurrent_shard_requests", "int"),
    Param("allow_partial_search_results", "boolean"),
    Param("search_type", "enum", ("query_then_fetch", "dfs_query_then_fetch")),
    Param("q", "string"),
    Param("df", "string"),
    Param("analyzer", "string"),
    Param("analyze_wildcard", "boolean", default="false"),
    Param("lenient", "boolean"),
    Param("default_operator", "string"),
    Param("from", "int"),
    Param("size", "int"),
    Param("explain", "boolean"),
    Param("version", "boolean"),
    Param("seq_no_primary_term", "boolean"),
    Param("terminate_after", "int"),
    Param("stored_fields", "list"),
    Param("docvalue_fields", "list"),
    Param("_source", "list"),
    Param("_source_includes", "list"),
    Param("_source_excludes", "list"),
    Param("track_scores", "boolean"),
    Param("track_total_hits", "string"),
    Param("sort", "list"),
    Param("stats", "list"),
    Param("request_cache", "boolean"),
    Param("scroll", "time", default="5m"),
    Param("routing", "list"),
    Param("preference", "string"),
    Param("expand_wildcards", "list"),
    Param("ignore_unavailable", "boolean", default="false"),
    Param("allow_no_indices", "boolean", default="true"),
    Param("scroll_size", "int", default="1000"),
    Param("conflicts", "enum", ("abort", "proceed"), default="abort"),
    Param("search_timeout", "time"),
)

# RestRethrottleAction: the task id (path), requests_per_second (required), group_by
_RETHROTTLE: Final = (
    Param("taskId", "task_id", in_path=True),
    Param("requests_per_second", "string"),
    Param("group_by", "enum", ("nodes", "parents", "none"), default="nodes"),
)


def _rethrottle(name: str, prefix: str) -> ApiSpec:
    return ApiSpec(name, (("POST", f"/{prefix}/{{taskId}}/_rethrottle"),), _RETHROTTLE)


APIS: Final = (
    # RestReindexAction.buildRequest: the body, then scroll and require_alias; then the common
    ApiSpec(
        "reindex",
        (("POST", "/_reindex"),),
        (
            Param("scroll", "time", default="5m"),
            Param("require_alias", "boolean", default="false"),
            *_COMMON,
        ),
        body="required",
    ),
    # RestUpdateByQueryAction: the search request, then pipeline, then the common options
    ApiSpec(
        "update_by_query",
        (("POST", "/{index}/_update_by_query"),),
        (*_SEARCH, Param("pipeline", "string"), *_COMMON),
        body="optional",
    ),
    ApiSpec(
        "delete_by_query",
        (("POST", "/{index}/_delete_by_query"),),
        (*_SEARCH, *_COMMON),
        body="optional",
    ),
    _rethrottle("reindex_rethrottle", "_reindex"),
    _rethrottle("update_by_query_rethrottle", "_update_by_query"),
    _rethrottle("delete_by_query_rethrottle", "_delete_by_query"),
)

DEVIATIONS: Final = (
    Deviation(
        "update_by_query",
        "version_type",
        "rejected",
        "Python client 9.x",
        "documented, but neither RestUpdateByQueryAction nor the search request parser reads"
        " it: 400 unrecognized parameter",
    ),
    Deviation(
        "update_by_query_rethrottle",
        "group_by",
        "undocumented",
        "Python client 9.x",
        "RestRethrottleAction serves the three rethrottle routes and reads group_by for all",
    ),
    Deviation(
        "delete_by_query_rethrottle",
        "group_by",
        "undocumented",
        "Python client 9.x",
        "RestRethrottleAction serves the three rethrottle routes and reads group_by for all",
    ),
    Deviation(
        "update_by_query",
        "_slice",
        "rejected",
        "Python client 9.5",
        "a 9.5 parameter: the 9.1 server the fake models answers 400 unrecognized parameter",
    ),
    Deviation(
        "delete_by_query",
        "_slice",
        "rejected",
        "Python client 9.5",
        "a 9.5 parameter: the 9.1 server the fake models answers 400 unrecognized parameter",
    ),
)
