"""Handler of `GET /_cat/tasks`: the list-tasks answer as a `_cat` table (`RestTasksAction`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Final

from fake_tasks.actions import tasks as actions
from fake_tasks.cluster.matching import parse_boolean
from fake_tasks.cluster.model import Cluster, TaskInfo
from fake_tasks.rest import cattable
from fake_tasks.rest.cattable import Column, Duration, Table
from fake_tasks.rest.handlers.tasks import list_request
from fake_tasks.rest.routing import Call, PlainText, Prepare, Reply, Run

__all__ = ["COLUMNS", "HANDLERS", "tasks_table"]

COLUMNS: Final = (
    Column("id", default=False, desc="id of the task with the node"),
    Column("action", ("ac",), desc="task action"),
    Column("task_id", ("ti",), desc="unique task id"),
    Column("parent_task_id", ("pti",), desc="parent task id"),
    Column("type", ("ty",), desc="task type"),
    Column("start_time", ("start",), desc="start time in ms"),
    Column("timestamp", ("ts", "hms", "hhmmss"), desc="start time in HH:MM:SS"),
    Column("running_time_ns", ("time",), default=False, desc="running time ns"),
    Column("running_time", ("time",), desc="running time"),
    Column("node_id", ("ni",), default=False, desc="unique node id"),
    Column("ip", ("i",), desc="ip address"),
    Column("port", ("po",), default=False, desc="bound transport port"),
    Column("node", ("n",), desc="node name"),
    Column("version", ("v",), default=False, desc="es version"),
    Column("x_opaque_id", ("x",), default=False, desc="X-Opaque-ID header"),
)
_DESCRIPTION: Final = Column("description", ("desc",), desc="task action")
_JSON_FORMATS: Final = frozenset({"json", "yaml", "cbor", "smile"})


def _columns(detailed: bool) -> tuple[Column, ...]:
    return (*COLUMNS, _DESCRIPTION) if detailed else COLUMNS


def tasks_table(cluster: Cluster, tasks: Sequence[TaskInfo], *, detailed: bool) -> Table:
    """The rows of `RestTasksAction.buildGroups`: by start time, each task before its children."""
    present = {info.task_id for info in tasks}
    children: dict[object, list[TaskInfo]] = {}
    for info in tasks:
        parent = info.parent_task_id if info.parent_task_id in present else None
        children.setdefault(parent, []).append(info)
    table = Table(_columns(detailed))

    def add(level: list[TaskInfo]) -> None:
        for info in sorted(level, key=lambda i: i.start_time_ms):
            table.rows.append(_row(cluster, info, detailed))
            add(children.get(info.task_id, []))

    add(children.get(None, []))
    return table


def _row(cluster: Cluster, info: TaskInfo, detailed: bool) -> list[cattable.Cell]:
    node = cluster.nodes.get(info.node)
    started = datetime.fromtimestamp(info.start_time_ms / 1000, tz=UTC)
    row: list[cattable.Cell] = [
        info.id,
        info.action,
        str(info.task_id),
        str(info.parent_task_id) if info.parent_task_id is not None else "-",
        info.type,
        info.start_time_ms,
        f"{started:%H:%M:%S}",
        info.running_time_ns,
        Duration(info.running_time_ns),
        info.node[:4],
        node.ip if node is not None else "-",
        node.port if node is not None else "-",
        node.name if node is not None else "-",
        cluster.version if node is not None else "-",
        info.headers.get("X-Opaque-Id", "-"),
    ]
    if detailed:
        row.append(info.description)
    return row


def _wants_json(call: Call, accept: str | None) -> bool:
    """`RestTable.getResponseContentType`: `format`, else a single JSON media type in Accept."""
    fmt = call.params.peek("format")
    if fmt is not None:
        return fmt.lower() in _JSON_FORMATS
    if accept is None or "," in accept or accept.strip() == "*/*":
        return False
    media = accept.split(";")[0].strip().lower()
    return media in ("application/json", "application/vnd.elasticsearch+json")


def prepare_cat_tasks(call: Call) -> Run:
    p = call.params
    if p.boolean("help"):
        detailed = _flag(call.params.get("detailed"), False)
        return lambda: Reply(200, PlainText(cattable.help_text(_columns(detailed))))
    request = list_request(call)
    shown: dict[str, str] = {}
    for name in ("h", "s", "time", "bytes", "size", "pri", "v", "ts"):
        value = p.get(name)
        if value is not None:
            shown[name] = value
    as_json = _wants_json(call, call.accept)

    def run() -> Reply:
        result = actions.list_tasks(call.cluster, request)
        table = tasks_table(call.cluster, result.tasks, detailed=request.detailed)
        if "ts" in shown and not _flag(shown["ts"], True):
            table = _without(table, "timestamp")
        if as_json:
            return Reply(200, cattable.json_rows(table, shown))
        verbose = _flag(shown.get("v"), False)
        return Reply(200, PlainText(cattable.text(table, shown, verbose=verbose)))

    return run


def _flag(value: str | None, default: bool) -> bool:
    """`paramAsBoolean`: present but empty is true."""
    return True if value == "" else parse_boolean(value, default)


def _without(table: Table, name: str) -> Table:
    """`checkOutputTimestamp`: `ts=false` hides the `timestamp` column."""
    index = table.index(name)
    keep = [i for i in range(len(table.columns)) if i != index]
    return Table([table.columns[i] for i in keep], [[row[i] for i in keep] for row in table.rows])


HANDLERS: Final[Mapping[str, Prepare]] = {"cat.tasks": prepare_cat_tasks}
