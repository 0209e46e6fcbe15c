"""A large task list grouped by node, rendered, checked and encoded a slice of tasks at a time.

The whole body of a 100,000-task list is a tree of 100,000 dicts (~45 MB) beside its bytes
(~34 MB). Here no more than `SLICE` task displays exist at once, and each task's `TaskInfo` is let
go once written. Each slice is checked as a response of its own, `{"nodes": {node: {..., "tasks":
slice}}}` (and the failures once, with no nodes): the list schema constrains nodes and tasks one
by one, so the slices conform exactly when the whole body does, with the same JSON pointers.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any, Final

from fake_tasks.actions.tasks import TasksResult
from fake_tasks.cluster.model import Cluster, TaskInfo
from fake_tasks.rest.render import node_fields, task_info, tasks_response
from fake_tasks.rest.render_json import compact, one_shot

__all__ = ["SLICE", "STREAM_FROM", "StreamedList"]

STREAM_FROM: Final = 4096  # tasks in a list from which it is streamed; smaller ones are whole
SLICE: Final = 1000  # task displays that exist at once

Check = Callable[[dict[str, Any]], object]  # a piece's contract check: None when it conforms


@dataclass
class StreamedList:
    """`tasks_response(result, cluster, "nodes")`, written once: `encode` or `whole`, not both
    (encoding lets go of the result's tasks as it writes them)."""

    result: TasksResult
    cluster: Cluster
    human: bool = False
    used: bool = field(default=False, init=False)

    def _use(self) -> None:
        if self.used:
            raise RuntimeError("a streamed list is written once")
        self.used = True

    def whole(self) -> dict[str, Any]:
        """The body as one JSON-ready value (for `filter_path`, pretty printing)."""
        self._use()
        return tasks_response(self.result, self.cluster, "nodes", human=self.human)

    def encode(self, check: Check) -> tuple[bytes, list[object]]:
        """The compact JSON of the whole body, and what `check` found wrong in its pieces."""
        self._use()
        found: list[object] = []
        result = self.result
        envelope = tasks_response(
            TasksResult([], result.node_failures, result.task_failures), self.cluster
        )
        _checked(check, envelope, found)
        head = compact(envelope)
        if not head.endswith(b'"nodes":{}}'):
            raise AssertionError(f"unexpected list envelope {head[-40:]!r}")
        out = io.BytesIO()
        out.write(head[:-2])
        groups: dict[str, list[TaskInfo]] = {}
        for info in result.tasks:
            group = groups.get(info.node)
            if group is None:
                group = groups[info.node] = []
            group.append(info)
        result.tasks.clear()  # from here on each group holds the only references
        for index, (node_id, group) in enumerate(groups.items()):
            node = self.cluster.nodes.get(node_id)
            fields = node_fields(node) if node else {}
            opening = compact({**fields, "tasks": {}})
            out.write(f"{',' if index else ''}{encode_basestring(node_id)}:".encode())
            out.write(opening[:-2])
            first = True
            while group:
                chunk, group[:SLICE] = group[:SLICE], []
                displays = {
                    f"{info.node}:{info.id}": task_info(info, human=self.human) for info in chunk
                }
                del chunk
                _checked(check, {"nodes": {node_id: {**fields, "tasks": displays}}}, found)
                text = one_shot(displays)  # a slice: bounded, so in one call
                out.write(text[1:-1] if first else b"," + text[1:-1])
                first = False
                del displays, text
            out.write(b"}}")
        out.write(b"}}")
        return out.getvalue(), found  # the buffer itself, not a copy


def _checked(check: Check, piece: dict[str, Any], found: list[object]) -> None:
    problem = check(piece)
    if problem is not None:
        found.append(problem)
