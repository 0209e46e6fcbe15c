"""Cluster identity: `info` (`GET /`) and `nodes.info` (`GET /_nodes`)."""

from __future__ import annotations

from typing import Final

from fake_tasks.spec.base import ApiSpec, Deviation

__all__ = ["APIS", "DEVIATIONS"]

APIS: Final = (
    ApiSpec("info", (("GET", "/"), ("HEAD", "/"))),
    ApiSpec("nodes.info", (("GET", "/_nodes"),)),
)

DEVIATIONS: Final = (
    Deviation(
        "nodes.info",
        "*",
        "rejected",
        "fake only",
        "the fake serves GET /_nodes without parameters (ES reads flat_settings, timeout, ...):"
        " any parameter is refused as unrecognized",
    ),
)
