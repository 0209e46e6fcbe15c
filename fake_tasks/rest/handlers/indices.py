"""Handlers of the index APIs: create, get, exists, delete and get mapping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fake_tasks.actions import indices as actions
from fake_tasks.errors import IllegalArgumentError
from fake_tasks.rest import render_indices as render
from fake_tasks.rest.body import content_map
from fake_tasks.rest.handling import indices_options, parse_active_shards
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def prepare_create(call: Call) -> Run:
    p = call.params
    name = p.string("index") or ""
    request = actions.create_request(name, content_map(call.body))
    p.time_ns("timeout")
    p.time_ns("master_timeout")
    parse_active_shards(p.string("wait_for_active_shards"))

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
    options = indices_options(p)
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
    options = indices_options(p, default_expand=("open", "closed"))

    def run() -> Reply:
        actions.delete_indices(call.cluster, expressions, options)
        return Reply(200, {"acknowledged": True})

    return run


def prepare_get_mapping(call: Call) -> Run:
    p = call.params
    expressions = p.strings("index")
    options = indices_options(p)
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
