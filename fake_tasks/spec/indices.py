"""The index APIs of the minimal catalog: create, get, exists, delete and get mapping."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Deviation, Param

__all__ = ["APIS", "DEVIATIONS"]

# IndicesOptions.fromRequest reads expand_wildcards, then ignore_unavailable, allow_no_indices.
_OPTIONS: Final = (
    Param("expand_wildcards", "list"),
    Param("ignore_unavailable", "boolean", default="false"),
    Param("allow_no_indices", "boolean", default="true"),
)
_INDEX: Final = Param("index", "list", in_path=True)
_MASTER_TIMEOUT: Final = Param("master_timeout", "time", default="30s")
_GET: Final = (
    _INDEX,
    *_OPTIONS,
    _MASTER_TIMEOUT,
    Param("features", "list"),
    Param("flat_settings", "boolean", default="false"),
)

APIS: Final = (
    # RestCreateIndexAction: the body first, then ack and master timeouts, then active shards
    ApiSpec(
        "indices.create",
        (("PUT", "/{index}"),),
        (
            Param("index", "string", in_path=True),
            Param("timeout", "time", default="30s"),
            _MASTER_TIMEOUT,
            Param("wait_for_active_shards", "string"),
        ),
        body="optional",
    ),
    # RestGetIndicesAction serves GET and HEAD alike
    ApiSpec("indices.get", (("GET", "/{index}"),), _GET),
    ApiSpec("indices.exists", (("HEAD", "/{index}"),), _GET),
    # RestDeleteIndexAction (action.destructive_requires_name defaults to true since 8.0)
    ApiSpec(
        "indices.delete",
        (("DELETE", "/{index}"),),
        (
            _INDEX,
            Param("timeout", "time", default="30s"),
            _MASTER_TIMEOUT,
            *_OPTIONS,
        ),
    ),
    # RestGetMappingAction
    ApiSpec(
        "indices.get_mapping",
        (("GET", "/_mapping"), ("GET", "/{index}/_mapping")),
        (_INDEX, *_OPTIONS, _MASTER_TIMEOUT),
    ),
)

DEVIATIONS: Final = (
    Deviation(
        "indices.get",
        "include_defaults",
        "rejected",
        "rest-api-spec indices.get.json",
        "the fake keeps no default settings to include: refused as unrecognized (400)",
    ),
    Deviation(
        "indices.get",
        "local",
        "rejected",
        "rest-api-spec indices.get.json",
        "deprecated, and the fake has one cluster state: refused as unrecognized (400)",
    ),
)
