"""Task trees for people: rows from the fake's model or any cluster's list answer, drawn as text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.cluster.model import Cluster, StoredResult
from fake_tasks.cluster.timevalue import human

__all__ = [
    "TaskRow",
    "TaskTree",
    "from_cluster",
    "from_list_response",
    "render_tree",
    "summary",
]

DESCRIPTION_WIDTH = 48
HEADINGS = ("TASK", "ACTION", "STATE", "TIME", "CANCELLED", "NODE", "DESCRIPTION")


@dataclass(frozen=True)
class TaskRow:
    """One task as the tree shows it; `state` is `running`, `completed` or `failed`.

    `cancelled` is None for a task that cannot be cancelled (or a cluster too old to say).
    """

    task_id: str
    action: str
    node: str
    state: str = "running"
    running_ns: int = 0
    start_ms: int = 0
    cancelled: bool | None = False
    parent_id: str | None = None
    description: str = ""
    opaque_id: str | None = None


@dataclass(frozen=True)
class TaskTree:
    """Rows of one cluster at one moment, plus the nodes that did not answer."""

    rows: tuple[TaskRow, ...]
    nodes: int = 0
    node_failures: tuple[str, ...] = field(default=())


def from_cluster(cluster: Cluster) -> TaskTree:
    """The fake's tasks: the running ones and those whose result is stored in `.tasks`."""
    with cluster.lock:
        now = cluster.now_ns()
        running = cluster.tasks()
        stored = cluster.stored_results()
        names = {node.id: node.name for node in cluster.nodes.values()}
        failed = tuple(
            f"{names.get(node_id, node_id)}: {error.es_type}: {error.reason}"
            for node_id, error in cluster.failed_nodes.items()
        )
    rows = [
        TaskRow(
            task_id=str(task.task_id),
            action=task.action,
            node=names.get(task.node, task.node),
            running_ns=max(0, now - task.start_ns),
            start_ms=task.start_ns // 1_000_000,
            cancelled=task.cancelled if task.cancellable else None,
            parent_id=None if task.parent is None else str(task.parent),
            description=task.description,
        )
        for task in running
    ]
    listed = {row.task_id for row in rows}
    for result in stored:
        info = result.task
        if str(info.task_id) in listed:
            continue
        rows.append(
            TaskRow(
                task_id=str(info.task_id),
                action=info.action,
                node=names.get(info.node, info.node),
                state="failed" if result.error is not None else "completed",
                running_ns=info.running_time_ns,
                start_ms=info.start_time_ms,
                cancelled=_stored_cancelled(result) if info.cancellable else None,
                parent_id=None if info.parent_task_id is None else str(info.parent_task_id),
                description=info.description or "",
            )
        )
    return TaskTree(tuple(rows), len(names), failed)


def _stored_cancelled(result: StoredResult) -> bool:
    """Stored task infos carry no `cancelled`: the outcome tells (bulk-by-scroll responses
    have `canceled`, other cancelled tasks store a `task_cancelled_exception`)."""
    if result.error is not None:
        return result.error.es_type == "task_cancelled_exception"
    return "canceled" in (result.response or {})


def from_list_response(body: Mapping[str, Any], *, hide_opaque_id: str | None = None) -> TaskTree:
    """Rows from a `GET /_tasks` answer in any `group_by` layout (nodes, parents or none).

    `hide_opaque_id` leaves out the tasks started by requests with that `X-Opaque-Id` (the list
    request's own tasks, which Elasticsearch lists with the header copied into them).
    """
    rows: list[TaskRow] = []
    names: dict[str, str] = {}
    nodes = body.get("nodes")
    if isinstance(nodes, Mapping):
        for node_id, node in nodes.items():
            if not isinstance(node, Mapping):
                continue
            names[node_id] = str(node.get("name", node_id))
            rows.extend(_rows(_values(node.get("tasks")), names))
    else:
        rows.extend(_rows(_values(body.get("tasks")), names))
    if hide_opaque_id is not None:
        rows = [row for row in rows if row.opaque_id != hide_opaque_id]
    failures = tuple(_failure(f) for f in _values(body.get("node_failures")))
    failures += tuple(_failure(f) for f in _values(body.get("task_failures")))
    return TaskTree(tuple(rows), len(names), failures)


def _values(value: object) -> list[Mapping[str, Any]]:
    items = value.values() if isinstance(value, Mapping) else value
    if not isinstance(items, Iterable) or isinstance(items, str | bytes):
        return []
    return [item for item in items if isinstance(item, Mapping)]


def _rows(tasks: Iterable[Mapping[str, Any]], names: Mapping[str, str]) -> Iterable[TaskRow]:
    for task in tasks:
        node = str(task.get("node", "?"))
        cancellable = task.get("cancellable") is True
        cancelled = task.get("cancelled")
        yield TaskRow(
            task_id=f"{node}:{task.get('id', '?')}",
            action=str(task.get("action", "?")),
            node=names.get(node, node),
            running_ns=_int(task.get("running_time_in_nanos")),
            start_ms=_int(task.get("start_time_in_millis")),
            cancelled=cancelled is True if cancellable and cancelled is not None else None,
            parent_id=parent if isinstance(parent := task.get("parent_task_id"), str) else None,
            description=str(task.get("description") or ""),
            opaque_id=_opaque_id(task.get("headers")),
        )
        yield from _rows(_values(task.get("children")), names)


def _opaque_id(headers: object) -> str | None:
    value = headers.get("X-Opaque-Id") if isinstance(headers, Mapping) else None
    return value if isinstance(value, str) else None


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _failure(failure: Mapping[str, Any]) -> str:
    cause = failure.get("caused_by") if isinstance(failure.get("caused_by"), Mapping) else failure
    assert isinstance(cause, Mapping)
    where = failure.get("node_id") or failure.get("task_id") or "?"
    reason = cause.get("reason") or failure.get("reason") or ""
    kind = cause.get("type") or failure.get("status") or "error"
    return f"{where}: {kind}: {reason}"


def render_tree(tree: TaskTree, *, limit: int | None = None) -> list[str]:
    """The tree as aligned lines: children under their parent, oldest first at every level.

    A task whose parent is not among the rows (it ended, or runs on a node that did not answer)
    is drawn as a root with `(parent <id>)` after its description. `limit` caps the task lines.
    """
    by_id = {row.task_id: row for row in tree.rows}
    children: dict[str | None, list[TaskRow]] = {}
    for row in tree.rows:
        parent = row.parent_id if row.parent_id in by_id else None
        children.setdefault(parent, []).append(row)
    for siblings in children.values():
        siblings.sort(key=_order)
    table: list[tuple[str, ...]] = []

    def walk(row: TaskRow, lead: str, branch: str) -> None:
        table.append(_cells(row, lead + branch, orphan=row.parent_id not in (None, *by_id)))
        kids = children.get(row.task_id, [])
        below = lead + ("" if not branch else "   " if branch == "└─ " else "│  ")
        for index, kid in enumerate(kids):
            walk(kid, below, "└─ " if index == len(kids) - 1 else "├─ ")

    for root in children.get(None, []):
        walk(root, "", "")
    shown = table if limit is None else table[:limit]
    lines = _align([HEADINGS, *shown]) if shown else ["no tasks"]
    if len(shown) < len(table):
        lines.append(f"... and {len(table) - len(shown)} more task(s)")
    lines += [f"node failure: {failure}" for failure in tree.node_failures]
    return lines


def summary(tree: TaskTree) -> str:
    """`3 nodes, 12 tasks (10 running, 1 cancelled, 2 completed)`."""
    states: dict[str, int] = {}
    for row in tree.rows:
        states[row.state] = states.get(row.state, 0) + 1
    cancelled = sum(1 for row in tree.rows if row.cancelled)
    parts = [f"{count} {state}" for state, count in sorted(states.items(), key=_state_order)]
    if cancelled:
        parts.append(f"{cancelled} cancelled")
    counts = f" ({', '.join(parts)})" if parts else ""
    return f"{tree.nodes} node(s), {len(tree.rows)} task(s){counts}"


_STATES = {"running": 0, "completed": 1, "failed": 2}


def _state_order(item: tuple[str, int]) -> int:
    return _STATES.get(item[0], len(_STATES))


def _order(row: TaskRow) -> tuple[int, str, int]:
    node, _, number = row.task_id.rpartition(":")
    return (row.start_ms, node, int(number) if number.isdigit() else 0)


def _cells(row: TaskRow, prefix: str, *, orphan: bool) -> tuple[str, ...]:
    cancelled = "-" if row.cancelled is None else "yes" if row.cancelled else "no"
    description = row.description
    if len(description) > DESCRIPTION_WIDTH:
        description = description[: DESCRIPTION_WIDTH - 3] + "..."
    if orphan:
        description = f"{description} (parent {row.parent_id})".strip()
    return (
        prefix + row.task_id,
        row.action,
        row.state,
        human(row.running_ns),
        cancelled,
        row.node,
        description,
    )


def _align(table: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(cells[i]) for cells in table) for i in range(len(table[0]) - 1)]
    return [
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(cells, widths, strict=False)), cells[-1]]
        ).rstrip()
        for cells in table
    ]
