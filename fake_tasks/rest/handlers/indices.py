"""Handlers of the index APIs: create, get, exists, delete and get mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fake_tasks.actions import indices as actions
from fake_tasks.errors import IllegalArgumentError, NumberFormatError
from fake_tasks.rest import render_indices as render
from fake_tasks.rest.body import content_map
from fake_tasks.rest.params import Params
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def _options(p: Params, *, default_expand: tuple[str, ...] = ("open",)) -> actions.IndicesOptions:
    expand, hidden = actions.parse_expand_wildcards(p.strings("expand_wildcards") or default_expand)
    return actions.IndicesOptions(
        ignore_unavailable=p.boolean("ignore_unavailable"),
        allow_no_indices=p.boolean("allow_no_indices"),
        expand_wildcards=expand,
        expand_hidden=hidden,
    )


def _active_shards(value: str | None) -> None:
    """`ActiveShardCount.parseString`: `all`, `index-setting` or a count of at least 0."""
    if value is None or value in ("all", "index-setting"):
        return
    try:
        count = int(value)
    except ValueError:
        raise NumberFormatError(f'For input string: "{value}"') from None
    if count < 0:
        raise IllegalArgumentError("shard count cannot be a negative value")


def prepare_create(call: Call) -> Run:
    p = call.params
    name = p.string("index") or ""
    request = actions.create_request(name, content_map(call.body))
    p.time_ns("timeout")
    p.time_ns("master_timeout")
    _active_shards(p.string("wait_for_active_shards"))

    def run() -> Reply:
        return Reply(200, render.created(actions.create_index(call.cluster, request)))

    return run


def _features(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if value not in render.FEATURES:
            raise IllegalArgumentError(f"No endpoint or operation is available at [{value}]")
    return values or render.FEATURES


def prepare_get(call: Call) -> Run:
    p = call.params
    expressions = p.strings("index")
    options = _options(p)
    p.time_ns("master_timeout")
    features = _features(p.strings("features"))
    flat = p.boolean("flat_settings")

    def run() -> Reply:
        found = actions.get_indices(call.cluster, expressions, options)
        return Reply(200, render.get_indices(found, features=features, flat=flat))

    return run


def prepare_delete(call: Call) -> Run:
    p = call.params
    expressions = p.strings("index")
    p.time_ns("timeout")
    p.time_ns("master_timeout")
    options = _options(p, default_expand=("open", "closed"))

    def run() -> Reply:
        actions.delete_indices(call.cluster, expressions, options)
        return Reply(200, {"acknowledged": True})

    return run


def prepare_get_mapping(call: Call) -> Run:
    p = call.params
    expressions = p.strings("index")
    options = _options(p)
    p.time_ns("master_timeout")

    def run() -> Reply:
        return Reply(200, render.mappings(actions.get_indices(call.cluster, expressions, options)))

    return run


HANDLERS: Final[Mapping[str, Prepare]] = {
    "indices.create": prepare_create,
    "indices.get": prepare_get,
    "indices.exists": prepare_get,
    "indices.delete": prepare_delete,
    "indices.get_mapping": prepare_get_mapping,
}
