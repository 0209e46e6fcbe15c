"""Scripting reindex relocation (9.5+): move a running reindex, or shut a node down."""

from __future__ import annotations

from fake_tasks.cluster import relocation
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.model import Cluster, Task

__all__ = ["RelocationScripting"]


class RelocationScripting:
    """The relocation calls of `FakeTasks` (a mixin: it works on `self.cluster`)."""

    cluster: Cluster

    def relocate(self, task: Task | TaskId | str, node: str, *, handoff: float | str = 0) -> Task:
        """Move a running reindex to `node`, as a node shutdown does (Elasticsearch 9.5+).

        Returns the task that continues it. The original's id then answers `GET /_tasks/<id>`
        with the new task (or, with `follow_relocations=false`, the stored
        `task_relocated_exception`), and a cancel of it reaches the new task. With `handoff`,
        both run for that long and the original refuses cancels meanwhile.
        """
        return relocation.relocate(self.cluster, task, node, handoff=handoff)

    def shutdown_node(self, node: str) -> list[Task]:
        """Relocate every running reindex of `node` to the next live node (9.5+)."""
        return relocation.shutdown_node(self.cluster, node)
