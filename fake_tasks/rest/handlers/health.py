"""Handler of `GET /_cluster/health` (`RestClusterHealthAction`): 200, or 408 on a timeout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fake_tasks.actions.health import HealthRequest, cluster_health
from fake_tasks.errors import IllegalArgumentError
from fake_tasks.rest.handling import indices_options, parse_active_shards
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def _enum(value: str | None, java_class: str, choices: tuple[str, ...]) -> str | None:
    """`Enum.valueOf(value.toUpperCase())`, as the handler reads status and priority."""
    if value is None:
        return None
    if value.lower() not in choices:
        raise IllegalArgumentError(f"No enum constant {java_class}.{value.upper()}")
    return value.lower()


def prepare_health(call: Call) -> Run:
    p = call.params
    indices = p.strings("index")
    options = indices_options(p, default_expand=("all",))
    p.boolean("local")
    p.time_ns("master_timeout")
    timeout = p.time_ns("timeout")
    status = _enum(
        p.get("wait_for_status"),
        "org.elasticsearch.cluster.health.ClusterHealthStatus",
        ("green", "yellow", "red"),
    )
    p.boolean("wait_for_no_relocating_shards")
    p.boolean("wait_for_no_initializing_shards")
    if "wait_for_relocating_shards" in p:
        raise IllegalArgumentError(
            "wait_for_relocating_shards has been removed, use wait_for_no_relocating_shards "
            "[true/false] instead"
        )
    active = parse_active_shards(p.get("wait_for_active_shards"))
    nodes = p.get("wait_for_nodes") or ""
    _enum(
        p.get("wait_for_events"),
        "org.elasticsearch.common.Priority",
        ("immediate", "urgent", "high", "normal", "low", "languid"),
    )
    level = p.get("level") or "cluster"
    request = HealthRequest(
        indices=indices,
        options=options,
        timeout_ns=30_000_000_000 if timeout is None or timeout < 0 else timeout,
        wait_for_status=status,
        wait_for_active_shards=active,
        wait_for_nodes=nodes,
        level=level,
    )

    def run() -> Reply:
        code, body = cluster_health(call.cluster, request, human=call.human)
        return Reply(code, body)

    return run


HANDLERS: Final[Mapping[str, Prepare]] = {"cluster.health": prepare_health}
