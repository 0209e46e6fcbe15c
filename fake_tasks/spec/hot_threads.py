"""`GET /_nodes/hot_threads` and `GET /_nodes/{nodeId}/hot_threads`: plain-text thread reports."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Param

__all__ = ["APIS", "DEVIATIONS"]

APIS: Final = (
    # RestNodesHotThreadsAction.prepareRequest
    ApiSpec(
        "nodes.hot_threads",
        (("GET", "/_nodes/hot_threads"), ("GET", "/_nodes/{nodeId}/hot_threads")),
        (
            Param("nodeId", "list", in_path=True),
            Param("threads", "int", default="3"),
            Param("ignore_idle_threads", "boolean", default="true"),
            Param("type", "string", default="cpu"),
            Param("sort", "string", default="total"),
            Param("interval", "time", default="500ms"),
            Param("snapshots", "int", default="10"),
            Param("timeout", "time"),
        ),
    ),
)

DEVIATIONS: Final = ()
