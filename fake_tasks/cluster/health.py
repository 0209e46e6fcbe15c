"""Cluster health from the index catalog and the nodes: shard copies, status, scripted changes.

Each index has `number_of_shards` primaries with `number_of_replicas` replicas each; a shard's
copies go to distinct data nodes, so copies beyond the number of data nodes stay unassigned
(yellow). A test can hold the status to another colour for a while (`HealthScript`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["STATUS_ORDER", "HealthScript", "ShardCounts", "shard_counts"]

STATUS_ORDER = ("green", "yellow", "red")
"""`ClusterHealthStatus` values: a wait for one is met by it or a better one."""


@dataclass(frozen=True)
class ShardCounts:
    primaries: int
    replicas: int
    active_primaries: int
    active: int
    unassigned: int
    unassigned_primaries: int

    @property
    def status(self) -> str:
        if self.unassigned_primaries:
            return "red"
        return "yellow" if self.unassigned else "green"

    @property
    def total(self) -> int:
        return self.active + self.unassigned


def shard_counts(shapes: Sequence[tuple[int, int]], data_nodes: int) -> ShardCounts:
    """Counts for indices given as (primaries, replicas), on `data_nodes` nodes."""
    primaries = sum(p for p, _ in shapes)
    copies_wanted = sum(p * (1 + r) for p, r in shapes)
    placed = sum(p * min(1 + r, data_nodes) for p, r in shapes)
    active_primaries = primaries if data_nodes else 0
    return ShardCounts(
        primaries=primaries,
        replicas=copies_wanted - primaries,
        active_primaries=active_primaries,
        active=placed,
        unassigned=copies_wanted - placed,
        unassigned_primaries=primaries - active_primaries,
    )


@dataclass
class HealthScript:
    """Scripted health: from each `(since_ns, status)` on, the cluster reports `status`.

    `None` as a status returns to the computed one.
    """

    changes: list[tuple[int, str | None]] = field(default_factory=list)

    def status_at(self, now_ns: int, computed: str) -> str:
        current: str | None = None
        for since, status in self.changes:
            if since <= now_ns:
                current = status
        return computed if current is None else current

    def next_change(self, after_ns: int) -> int | None:
        """The first scripted change after `after_ns` (None: none)."""
        return min((since for since, _ in self.changes if since > after_ns), default=None)
