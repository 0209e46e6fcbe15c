"""Force merge as a task: `indices:admin/forcemerge` and its per-node children, and its result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from fake_tasks.cluster.model import Cluster, Task

__all__ = ["ACTION", "MERGE_NS_PER_SHARD", "MergeProgress", "merge_description", "start_merge"]

ACTION: Final = "indices:admin/forcemerge"
MERGE_NS_PER_SHARD: Final = 1_000_000_000
"""How long merging one shard copy takes unless told otherwise (a node merges one at a time)."""


def merge_description(
    indices: Sequence[str], max_num_segments: int, only_expunge_deletes: bool, flush: bool
) -> str:
    """`ForceMergeRequest.getDescription`."""
    return (
        f"Force-merge indices [{', '.join(indices)}], maxSegments[{max_num_segments}], "
        f"onlyExpungeDeletes[{str(only_expunge_deletes).lower()}], flush[{str(flush).lower()}]"
    )


@dataclass
class MergeProgress:
    """A force merge that ends `duration_ns` after it starts; its result is a broadcast answer."""

    shards: int
    duration_ns: int

    def status(self, task: Task, now_ns: int) -> dict[str, Any] | None:
        return None

    def end_ns(self, task: Task) -> int:
        return task.start_ns + self.duration_ns

    def on_cancel(self, task: Task, now_ns: int) -> None:
        """Force merges are not cancellable."""

    def on_finish(self, task: Task) -> None:
        """Merging changes no document count."""

    def response(self, task: Task) -> dict[str, Any]:
        """`BroadcastResponse`: `_shards` with every copy merged."""
        return {"_shards": {"total": self.shards, "successful": self.shards, "failed": 0}}


def start_merge(
    cluster: Cluster,
    *,
    description: str,
    copies_per_node: dict[str, int],
    ns_per_shard: int = MERGE_NS_PER_SHARD,
    store_result: bool = False,
    headers: dict[str, str] | None = None,
) -> Task:
    """The coordinating task and one `[n]` child per node that holds copies to merge."""
    with cluster.lock:
        longest = max(copies_per_node.values(), default=0) * ns_per_shard
        parent = cluster.start_task(
            ACTION,
            description=description,
            cancellable=False,
            headers=headers,
            store_result=store_result,
            progress=MergeProgress(sum(copies_per_node.values()), longest),
        )
        for node_id, copies in copies_per_node.items():
            cluster.start_task(
                ACTION + "[n]",
                node=node_id,
                type="direct" if node_id == parent.node else "transport",
                parent=parent,
                cancellable=False,
                headers=headers,
                progress=MergeProgress(copies, copies * ns_per_shard),
            )
        return parent
