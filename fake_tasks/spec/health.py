"""`GET /_cluster/health` and `GET /_cluster/health/{index}`."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Param

__all__ = ["APIS", "DEVIATIONS"]

APIS: Final = (
    # ClusterHealthRequest.fromRestRequest, then `level` (a response parameter)
    ApiSpec(
        "cluster.health",
        (("GET", "/_cluster/health"), ("GET", "/_cluster/health/{index}")),
        (
            Param("index", "list", in_path=True),
            Param("expand_wildcards", "list"),
            Param("ignore_unavailable", "boolean", default="false"),
            Param("allow_no_indices", "boolean", default="true"),
            Param("local", "boolean", default="false"),
            Param("master_timeout", "time", default="30s"),
            Param("timeout", "time", default="30s"),
            Param("wait_for_status", "enum", ("green", "yellow", "red")),
            Param("wait_for_no_relocating_shards", "boolean", default="false"),
            Param("wait_for_no_initializing_shards", "boolean", default="false"),
            Param("wait_for_active_shards", "string"),
            Param("wait_for_nodes", "string"),
            Param(
                "wait_for_events",
                "enum",
                ("immediate", "urgent", "high", "normal", "low", "languid"),
            ),
            Param("level", "enum", ("cluster", "indices", "shards"), default="cluster"),
        ),
    ),
)

DEVIATIONS: Final = ()
