"""The index actions: create, get (and exists), delete and get mapping, on the catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.cluster.indices import Index
from fake_tasks.cluster.model import Cluster
from fake_tasks.errors import (
    IllegalArgumentError,
    InvalidIndexNameError,
    MapperParsingError,
    ParseError,
)

__all__ = [
    "FIELD_TYPES",
    "CreateIndexRequest",
    "IndicesOptions",
    "check_mappings",
    "create_index",
    "create_request",
    "delete_indices",
    "get_indices",
    "parse_expand_wildcards",
    "resolve_indices",
    "shard_shape",
]

# Field types the fake's mapper knows (core, x-pack and module types of 8.x/9.x).
FIELD_TYPES = frozenset(
    {
        "aggregate_metric_double", "alias", "binary", "boolean", "byte", "completion",
        "constant_keyword", "counted_keyword", "date", "date_nanos", "date_range", "dense_vector",
        "double", "double_range", "flattened", "float", "float_range", "geo_point", "geo_shape",
        "half_float", "histogram", "integer", "integer_range", "ip", "ip_range", "join",
        "keyword", "long", "long_range", "match_only_text", "murmur3", "nested", "object",
        "passthrough", "percolator", "point", "rank_feature", "rank_features", "scaled_float",
        "search_as_you_type", "semantic_text", "shape", "short", "sparse_vector", "text",
        "token_count", "unsigned_long", "version", "wildcard",
    }
)  # fmt: skip

_ROOT_PARAMS = frozenset(
    {
        "_meta", "_source", "_routing", "_field_names", "_data_stream_timestamp", "dynamic",
        "dynamic_templates", "date_detection", "dynamic_date_formats", "numeric_detection",
        "properties", "runtime", "enabled", "subobjects",
    }
)  # fmt: skip


@dataclass(frozen=True)
class IndicesOptions:
    """What an index expression may resolve to (`IndicesOptions`)."""

    ignore_unavailable: bool = False
    allow_no_indices: bool = True
    expand_wildcards: bool = True
    expand_hidden: bool = False


def resolve_indices(
    cluster: Cluster,
    indices: Sequence[str],
    options: IndicesOptions,
    *,
    allow_aliases: bool = True,
) -> list[Index]:
    """The open indices an expression names under `options` (`concreteIndices`), by name."""
    return cluster.indices.resolve(
        indices,
        ignore_unavailable=options.ignore_unavailable,
        allow_no_indices=options.allow_no_indices,
        expand_wildcards=options.expand_wildcards,
        expand_hidden=options.expand_hidden,
        allow_aliases=allow_aliases,
    )


def shard_shape(index: Index) -> tuple[int, int]:
    """The index's primaries and replicas of each (`index.number_of_shards`, `..._replicas`)."""
    return (
        int(index.settings.get("index.number_of_shards", "1")),
        int(index.settings.get("index.number_of_replicas", "1")),
    )


def parse_expand_wildcards(words: tuple[str, ...]) -> tuple[bool, bool]:
    """`expand_wildcards` as (expand at all, include hidden); closed indices do not exist here."""
    expand, hidden = False, False
    for word in words:
        if word in ("open", "closed"):
            expand = True
        elif word == "hidden":
            hidden = True
        elif word == "all":
            expand, hidden = True, True
        elif word == "none":
            continue
        else:
            raise IllegalArgumentError(f"No valid expand wildcard value [{word}]")
    return expand, hidden


@dataclass(frozen=True)
class CreateIndexRequest:
    name: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    mappings: Mapping[str, Any] = field(default_factory=dict)
    aliases: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def create_request(name: str, body: Any) -> CreateIndexRequest:
    """`CreateIndexRequest.source(Map)`: only `settings`, `mappings` and `aliases`."""
    if body is None:
        return CreateIndexRequest(name)
    if not isinstance(body, dict):
        raise ParseError("request body is required")
    settings: Mapping[str, Any] = {}
    mappings: Mapping[str, Any] = {}
    aliases: dict[str, Mapping[str, Any]] = {}
    for key, value in body.items():
        if key == "settings":
            settings = _object(value, "settings")
        elif key == "mappings":
            mappings = _object(value, "mappings")
        elif key == "aliases":
            for alias, spec in _object(value, "aliases").items():
                aliases[alias] = spec if isinstance(spec, dict) else {}
        else:
            raise ParseError(f"unknown key [{key}] for create index")
    return CreateIndexRequest(name, settings, mappings, aliases)


def _object(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ParseError(f"key [{what}] must be an object")
    return value


def check_mappings(mappings: Mapping[str, Any]) -> None:
    """The mapper's first refusals: unknown root parameters and unknown field types."""
    unsupported = [k for k in mappings if k not in _ROOT_PARAMS]
    if unsupported:
        listed = ", ".join(f"{k} : {_java_text(mappings[k])}" for k in unsupported)
        raise _mapping_failure(f"Root mapping definition has unsupported parameters:  [{listed}]")
    _check_properties(mappings.get("properties"))


def _check_properties(properties: Any) -> None:
    if not isinstance(properties, dict):
        return
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        kind = spec.get("type", "object")
        if kind not in FIELD_TYPES:
            raise _mapping_failure(f"No handler for type [{kind}] declared on field [{name}]")
        _check_properties(spec.get("properties"))


def _mapping_failure(reason: str) -> MapperParsingError:
    cause = MapperParsingError(reason)
    return MapperParsingError(f"Failed to parse mapping: {reason}", caused_by=cause)


def _java_text(value: Any) -> str:
    """`Object.toString()` of a parsed JSON value, as ES quotes it in mapping errors."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_java_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def create_index(cluster: Cluster, request: CreateIndexRequest) -> Index:
    """`TransportCreateIndexAction`: name checks, then the mapping, then the new index."""
    with cluster.lock:
        check_mappings(request.mappings)
        return cluster.indices.create(
            request.name,
            settings=request.settings,
            mappings=request.mappings,
            aliases=request.aliases,
        )


def _check_expressions(expressions: tuple[str, ...]) -> None:
    for expression in expressions:
        if expression.startswith("_") and expression != "_all":
            raise InvalidIndexNameError(expression, "must not start with '_'.")


def get_indices(
    cluster: Cluster, expressions: tuple[str, ...], options: IndicesOptions
) -> list[Index]:
    """The indices an expression names (sorted), as get index, exists and get mapping see them."""
    _check_expressions(expressions)
    with cluster.lock:
        return resolve_indices(cluster, expressions, options)


def delete_indices(
    cluster: Cluster, expressions: tuple[str, ...], options: IndicesOptions
) -> list[Index]:
    """`TransportDeleteIndexAction`: wildcards refused (`destructive_requires_name`), no aliases."""
    if not expressions or any(e in ("_all", "*") or "*" in e for e in expressions):
        raise IllegalArgumentError("Wildcard expressions or all indices are not allowed")
    _check_expressions(expressions)
    with cluster.lock:
        found = resolve_indices(cluster, expressions, options, allow_aliases=False)
        for index in found:
            cluster.indices.delete(index.name)
        return found
