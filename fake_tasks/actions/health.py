"""`TransportClusterHealthAction` on the model: the health, and its waits bounded by `timeout`.

The wait conditions (`prepareResponse`): a status at least as good as `wait_for_status`, no
relocating or initializing shards (always so here), enough active shards, the node count
(`wait_for_nodes`: `N`, `>=N`, `<=N`, `>N`, `<N`, `ge(N)`, `le(N)`, `gt(N)`, `lt(N)`), and the
named indices existing. Unmet conditions wait until a scripted change meets them or the timeout
passes; then the answer says `timed_out: true` (HTTP 408). A missing index makes it red.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.actions.indices import IndicesOptions, resolve_indices, shard_shape
from fake_tasks.cluster.health import STATUS_ORDER, ShardCounts, shard_counts
from fake_tasks.cluster.matching import data_nodes
from fake_tasks.cluster.model import Cluster
from fake_tasks.cluster.timevalue import HumanTime
from fake_tasks.errors import EsError, IllegalArgumentError, IndexNotFoundError

__all__ = ["HealthRequest", "cluster_health"]


@dataclass(frozen=True)
class HealthRequest:
    indices: tuple[str, ...] = ()
    options: IndicesOptions = field(default_factory=lambda: IndicesOptions(expand_hidden=True))
    timeout_ns: int = 30_000_000_000
    wait_for_status: str | None = None
    wait_for_active_shards: str | None = None
    wait_for_nodes: str = ""
    level: str = "cluster"


def _number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise EsError.custom(
            "number_format_exception", f'For input string: "{text}"', 400
        ) from None


_NODE_TESTS: tuple[tuple[str, Callable[[int, int], bool]], ...] = (
    (">=", operator.ge),
    ("ge(", operator.ge),
    ("<=", operator.le),
    ("le(", operator.le),
    (">", operator.gt),
    ("gt(", operator.gt),
    ("<", operator.lt),
    ("lt(", operator.lt),
)


def _nodes_met(spec: str, count: int) -> bool:
    for prefix, test in _NODE_TESTS:
        if spec.startswith(prefix):
            body = spec[len(prefix) : -1] if prefix.endswith("(") else spec[len(prefix) :]
            return test(count, _number(body))
    return count == _number(spec)


class _State:
    """The health at one moment."""

    def __init__(self, cluster: Cluster, request: HealthRequest) -> None:
        self.nodes = len(cluster.nodes)
        self.data_nodes = len(data_nodes(cluster.nodes))
        self.missing = False
        try:
            found = resolve_indices(cluster, request.indices, request.options)
        except IndexNotFoundError:
            found, self.missing = [], True
        self.indices = found
        self.counts: ShardCounts = shard_counts([shard_shape(i) for i in found], self.data_nodes)
        scripted = cluster.health.status_at(cluster.now_ns(), self.counts.status)
        self.status = "red" if self.missing else scripted  # prepareResponse: missing is red

    def met(self, request: HealthRequest) -> bool:
        if request.wait_for_status is not None:
            wanted = STATUS_ORDER.index(request.wait_for_status)
            if STATUS_ORDER.index(self.status) > wanted:
                return False
        active = request.wait_for_active_shards
        if active is not None and active != "0":
            if active == "all":
                if self.counts.unassigned:
                    return False
            elif self.counts.active < _number(active):
                return False
        if request.wait_for_nodes and not _nodes_met(request.wait_for_nodes, self.nodes):
            return False
        return not (request.indices and self.missing)


def cluster_health(
    cluster: Cluster, request: HealthRequest, *, human: bool = False
) -> tuple[int, dict[str, Any]]:
    """The status code (200, or 408 when a wait timed out) and the `ClusterHealthResponse`."""
    if request.level not in ("cluster", "indices", "shards"):
        raise IllegalArgumentError(
            "level parameter must be one of [cluster] or [indices] or [shards] but was "
            f"[{request.level}]"
        )
    with cluster.lock:
        deadline = cluster.now_ns() + max(0, request.timeout_ns)
        state = _State(cluster, request)
        while not state.met(request) and request.timeout_ns != 0:
            change = cluster.health.next_change(cluster.now_ns())
            target = deadline if change is None else min(change, deadline)
            if cluster.now_ns() >= deadline:
                break
            cluster.clock.wait(cluster.changed, target)
            state = _State(cluster, request)
        timed_out = not state.met(request)
        body = _body(cluster, state, timed_out, request.level, human)
        return (408 if timed_out else 200), body


def _body(
    cluster: Cluster, state: _State, timed_out: bool, level: str, human: bool
) -> dict[str, Any]:
    counts = state.counts
    total = counts.total
    percent = 100.0 if total == 0 else counts.active / total * 100
    out: dict[str, Any] = {
        "cluster_name": cluster.name,
        "status": state.status,
        "timed_out": timed_out,
        "number_of_nodes": state.nodes,
        "number_of_data_nodes": state.data_nodes,
        **_shard_fields(counts),
        "delayed_unassigned_shards": 0,
        "number_of_pending_tasks": 0,
        "number_of_in_flight_fetch": 0,
    }
    if human:  # humanReadableField and percentageField put the readable form first
        out["task_max_waiting_in_queue"] = str(HumanTime(0))
    out["task_max_waiting_in_queue_millis"] = 0
    if human:
        out["active_shards_percent"] = f"{percent:.1f}%"
    out["active_shards_percent_as_number"] = percent
    if level in ("indices", "shards"):
        out["indices"] = {
            i.name: _index(i, state.data_nodes, shards=level == "shards") for i in state.indices
        }
    return out


def _shard_fields(counts: ShardCounts) -> dict[str, Any]:
    """The shard counts the cluster's and each index's health show, in their order."""
    return {
        "active_primary_shards": counts.active_primaries,
        "active_shards": counts.active,
        "relocating_shards": 0,
        "initializing_shards": 0,
        "unassigned_shards": counts.unassigned,
        "unassigned_primary_shards": counts.unassigned_primaries,
    }


def _index(index: Any, data_nodes: int, *, shards: bool) -> dict[str, Any]:
    """`ClusterIndexHealth.toXContent` (and each `ClusterShardHealth` with `level=shards`)."""
    primaries, replicas = shard_shape(index)
    counts = shard_counts([(primaries, replicas)], data_nodes)
    one = shard_counts([(1, replicas)], data_nodes)
    out: dict[str, Any] = {
        "status": counts.status,
        "number_of_shards": primaries,
        "number_of_replicas": replicas,
        **_shard_fields(counts),
    }
    if shards:
        out["shards"] = {
            str(shard): {
                "status": one.status,
                "primary_active": one.active_primaries == 1,
                "active_shards": one.active,
                "relocating_shards": 0,
                "initializing_shards": 0,
                "unassigned_shards": one.unassigned,
                "unassigned_primary_shards": one.unassigned_primaries,
            }
            for shard in range(primaries)
        }
    return out
