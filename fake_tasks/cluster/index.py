"""The running tasks, indexed the way requests look them up: by id, node, parent and action."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import TypeVar

from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.tasks import Task

__all__ = ["TaskIndex"]

K = TypeVar("K")


def _by_id(task: Task) -> int:
    return task.id


class TaskIndex:
    """Running tasks under four indexes kept in step; every read is in node order, then id order.

    Each node's tasks are kept in id order as long as ids arrive increasing (the per-node
    counters make them so), so listing a node sorts nothing.
    """

    def __init__(self, node_ids: Sequence[str]) -> None:
        self._order = {node_id: i for i, node_id in enumerate(node_ids)}
        self._by_id: dict[TaskId, Task] = {}
        self._by_node: dict[str, dict[int, Task]] = {node_id: {} for node_id in node_ids}
        self._in_order: dict[str, bool] = dict.fromkeys(node_ids, True)
        self._by_parent: dict[TaskId, dict[TaskId, Task]] = {}
        self._by_action: dict[str, dict[TaskId, Task]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def copy(self, twins: dict[TaskId, Task]) -> TaskIndex:
        """The same index over `twins` (each task's copy by id), in the same orders."""
        twin = TaskIndex([])
        twin._order = dict(self._order)
        twin._in_order = dict(self._in_order)
        twin._by_id = {key: twins[key] for key in self._by_id}
        twin._by_node = {
            n: {i: twins[t.task_id] for i, t in m.items()} for n, m in self._by_node.items()
        }
        twin._by_parent = {p: {k: twins[k] for k in m} for p, m in self._by_parent.items()}
        twin._by_action = {a: {k: twins[k] for k in m} for a, m in self._by_action.items()}
        return twin

    def __contains__(self, task_id: TaskId) -> bool:
        return task_id in self._by_id

    def get(self, task_id: TaskId) -> Task | None:
        return self._by_id.get(task_id)

    def add(self, task: Task) -> None:
        key = task.task_id
        self._by_id[key] = task
        on_node = self._by_node[task.node]
        if on_node and self._in_order[task.node] and task.id < next(reversed(on_node)):
            self._in_order[task.node] = False
        on_node[task.id] = task
        self._by_action.setdefault(task.action, {})[key] = task
        if task.parent is not None:
            self._by_parent.setdefault(task.parent, {})[key] = task

    def discard(self, task: Task) -> None:
        key = task.task_id
        if self._by_id.pop(key, None) is None:
            return
        on_node = self._by_node[task.node]
        del on_node[task.id]
        if not on_node:
            self._in_order[task.node] = True
        _pop_from(self._by_action, task.action, key)
        if task.parent is not None:
            _pop_from(self._by_parent, task.parent, key)

    def has_children(self, task_id: TaskId) -> bool:
        return task_id in self._by_parent

    def children(self, task_id: TaskId) -> list[Task]:
        """Running children, in the order they started."""
        return list(self._by_parent.get(task_id, {}).values())

    def on_node(self, node_id: str) -> list[Task]:
        """A node's running tasks in id order."""
        tasks = list(self._by_node[node_id].values())
        if not self._in_order[node_id]:
            tasks.sort(key=_by_id)
            self._by_node[node_id] = {t.id: t for t in tasks}
            self._in_order[node_id] = True
        return tasks

    def __iter__(self) -> Iterator[Task]:
        """Every running task, in node order then id order."""
        for node_id in self._order:
            yield from self.on_node(node_id)

    def select(
        self,
        nodes: Collection[str] | None = None,
        action: Callable[[str], bool] | None = None,
        parent: TaskId | None = None,
    ) -> list[Task]:
        """Running tasks on `nodes` (None: every node), whose action passes `action` (None: any)
        and whose parent is `parent` (None: any), in node order then id order.

        Reads the parent index when a parent is given, else the action index (testing each
        distinct action once) when an action test is, else the nodes' own tasks.
        """
        if parent is None and action is None:
            chosen = list(self._order) if nodes is None else [n for n in self._order if n in nodes]
            return [task for node_id in chosen for task in self.on_node(node_id)]
        if parent is not None:
            pool = list(self._by_parent.get(parent, {}).values())
            if action is not None:
                pool = [t for t in pool if action(t.action)]
        else:
            assert action is not None
            pool = [
                task
                for name, tasks in self._by_action.items()
                if action(name)
                for task in tasks.values()
            ]
        if nodes is not None:
            wanted = set(nodes)
            pool = [t for t in pool if t.node in wanted]
        order = self._order
        pool.sort(key=lambda t: (order[t.node], t.id))
        return pool


def _pop_from(index: dict[K, dict[TaskId, Task]], key: K, task_id: TaskId) -> None:
    bucket = index.get(key)
    if bucket is None:
        return
    bucket.pop(task_id, None)
    if not bucket:
        del index[key]
