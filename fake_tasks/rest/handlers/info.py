"""Handlers of the cluster identity APIs: `GET /` and `GET /_nodes`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fake_tasks.rest import render
from fake_tasks.rest.routing import Call, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def prepare_info(call: Call) -> Run:
    return lambda: Reply(200, render.cluster_info(call.cluster), pretty_by_default=True)


def prepare_nodes(call: Call) -> Run:
    return lambda: Reply(200, render.nodes_info(call.cluster, list(call.cluster.nodes)))


HANDLERS: Final[Mapping[str, Prepare]] = {"info": prepare_info, "nodes.info": prepare_nodes}
