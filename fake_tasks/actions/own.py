"""The tasks a tasks request runs as: a coordinating task and one node-level `[n]` task per node.

`TransportTasksAction` registers the request's task on the coordinating node and sends a
`NodeTaskRequest` to every target node, whose task is the `[n]` child: they are real tasks, so
a list shows itself and a cancel with no filter matches (and cancels) its own node tasks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.model import Cluster, Task

__all__ = [
    "CANCEL_ACTION",
    "CANCEL_NODE_ACTION",
    "LIST_ACTION",
    "LIST_NODE_ACTION",
    "cancel_description",
    "finish",
    "start",
]

LIST_ACTION = "cluster:monitor/tasks/lists"
LIST_NODE_ACTION = LIST_ACTION + "[n]"
CANCEL_ACTION = "cluster:admin/tasks/cancel"
CANCEL_NODE_ACTION = CANCEL_ACTION + "[n]"


def start(
    cluster: Cluster,
    action: str,
    nodes: Sequence[str],
    headers: Mapping[str, str],
    *,
    description: str = "",
) -> list[Task]:
    """The coordinating task on the local node and its `[n]` children on `nodes`.

    Cancellable: the node-level tasks from 8.4 (`NodeTaskRequest.createTask` returns a
    `CancellableTask`, PR #88621); a list's own task from 8.9 (PR #96283); a cancel's own task
    never (`CancelTasksRequest` creates a plain `Task`).
    """
    seq = cluster.next_request_number()
    node_cancellable = cluster.has("node_tasks_cancellable")
    parent = cluster.start_task(
        action,
        node=cluster.local_node_id,
        description=description,
        cancellable=action == LIST_ACTION and cluster.has("list_tasks_cancellable"),
        cancel_delay=None,  # a request's task ends when it answers, cancelled or not
        headers=headers,
        started_ago=(250_000 + seq * 7_919 % 90_000) / 1e9,
    )
    children = [
        cluster.start_task(
            action + "[n]",
            node=node_id,
            type="direct" if node_id == cluster.local_node_id else "transport",
            parent=parent,
            cancellable=node_cancellable,
            cancel_delay=None,
            headers=headers,
            started_ago=(40_000 + (seq + i) * 3_571 % 60_000) / 1e9,
        )
        for i, node_id in enumerate(nodes)
    ]
    return [parent, *children]


def finish(cluster: Cluster, own: Sequence[Task]) -> None:
    """The request answered: its tasks are unregistered, children first (nothing is stored)."""
    for task in reversed(own):
        if task.running:
            cluster.remove(task)


def cancel_description(
    reason: str,
    wait_for_completion: bool,
    task_id: TaskId | None,
    parent: TaskId | None,
    nodes: Sequence[str],
    actions: Sequence[str],
) -> str:
    """`CancelTasksRequest.getDescription()`."""
    return (
        f"reason[{reason}], waitForCompletion[{str(wait_for_completion).lower()}], "
        f"targetTaskId[{task_id or 'unset'}], targetParentTaskId[{parent or 'unset'}], "
        f"nodes[{', '.join(nodes)}], actions[{', '.join(actions)}]"
    )
