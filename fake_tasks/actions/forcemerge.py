"""`TransportForceMergeAction` on the model: a coordinating task and one child per node."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fake_tasks.actions.indices import IndicesOptions, resolve_indices, shard_shape
from fake_tasks.cluster.matching import data_nodes
from fake_tasks.cluster.merge import merge_description, start_merge
from fake_tasks.cluster.model import Cluster, Task
from fake_tasks.errors import ActionRequestValidationError, EsError

__all__ = ["ForceMergeRequest", "copies_per_node", "start"]


@dataclass(frozen=True)
class ForceMergeRequest:
    indices: tuple[str, ...] = ()
    options: IndicesOptions = field(default_factory=IndicesOptions)
    max_num_segments: int = -1
    only_expunge_deletes: bool = False
    flush: bool = True
    store_result: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)

    def validate(self) -> None:
        """`ForceMergeRequest.validate`."""
        if self.only_expunge_deletes and self.max_num_segments != -1:
            raise ActionRequestValidationError(
                "cannot set only_expunge_deletes and max_num_segments at the same time, those "
                "two parameters are mutually exclusive"
            )

    @property
    def description(self) -> str:
        return merge_description(
            self.indices, self.max_num_segments, self.only_expunge_deletes, self.flush
        )


def copies_per_node(cluster: Cluster, shapes: list[tuple[int, int]]) -> dict[str, int]:
    """Shard copies of (primaries, replicas) indices spread over the data nodes in turn."""
    nodes = data_nodes(cluster.nodes)
    out: dict[str, int] = {}
    turn = 0
    for primaries, replicas in shapes:
        for _ in range(primaries):
            for copy in range(min(1 + replicas, len(nodes))):
                node = nodes[(turn + copy) % len(nodes)]
                out[node] = out.get(node, 0) + 1
            turn += 1
    return out


def start(cluster: Cluster, request: ForceMergeRequest) -> Task:
    """Register the merge; a failure to resolve its indices ends it at once (stored if asked)."""
    request.validate()
    with cluster.lock:
        try:
            found = resolve_indices(cluster, request.indices, request.options)
        except EsError as error:
            if not request.store_result:
                raise
            failed = cluster.start_task(
                "indices:admin/forcemerge",
                description=request.description,
                cancellable=False,
                headers=request.headers,
                store_result=True,
            )
            cluster.fail(failed, error)
            return failed
        shapes = [shard_shape(i) for i in found]
        return start_merge(
            cluster,
            description=request.description,
            copies_per_node=copies_per_node(cluster, shapes),
            ns_per_shard=cluster.bulk.merge_ns_per_shard,
            store_result=request.store_result,
            headers=dict(request.headers),
        )
