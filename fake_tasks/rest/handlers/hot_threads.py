"""Handler of `GET /_nodes/hot_threads` and `GET /_nodes/{nodeId}/hot_threads` (plain text)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from fake_tasks.actions.hot_threads import HotThreadsRequest, hot_threads
from fake_tasks.errors import IllegalArgumentError
from fake_tasks.rest.routing import Call, PlainText, Prepare, Reply, Run

__all__ = ["HANDLERS"]


def prepare_hot_threads(call: Call) -> Run:
    """`RestNodesHotThreadsAction.prepareRequest`: each value is checked as it is read."""
    p = call.params
    nodes = p.strings("nodeId")
    threads = p.integer("threads")
    ignore_idle = p.boolean("ignore_idle_threads")
    report_type = p.string("type") or ""
    if report_type not in ("cpu", "wait", "block", "mem"):
        raise IllegalArgumentError(f"type not supported [{report_type}]")
    sort = p.string("sort") or ""
    if sort not in ("total", "cpu"):
        raise IllegalArgumentError(f"sort order not supported [{sort}]")
    interval = p.time_ns("interval")
    snapshots = p.integer("snapshots")
    p.time_ns("timeout")
    request = HotThreadsRequest(
        nodes=nodes,
        threads=3 if threads is None else threads,
        ignore_idle_threads=ignore_idle,
        type=report_type,
        sort=sort,
        interval_ns=500_000_000 if interval is None or interval < 0 else interval,
        snapshots=10 if snapshots is None else snapshots,
    )
    return lambda: Reply(200, PlainText(hot_threads(call.cluster, request)))


HANDLERS: Final[Mapping[str, Prepare]] = {"nodes.hot_threads": prepare_hot_threads}
