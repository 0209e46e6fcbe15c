"""Tasks as the model keeps them: the mutable `Task`, its wire snapshot `TaskInfo`, results."""

from __future__ import annotations

import copy
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from fake_tasks.cluster.ids import TaskId
from fake_tasks.errors import EsError

if TYPE_CHECKING:
    from fake_tasks.cluster.events import Scheduled

__all__ = ["Progress", "ResultFn", "StatusFn", "StoredResult", "Task", "TaskInfo"]

StatusFn = Callable[["Task", int], "dict[str, Any] | None"]
ResultFn = Callable[["Task"], "dict[str, Any]"]
_SHARED = frozenset({str, int, float, bool, type(None), TaskId, types.FunctionType})


class Progress(Protocol):
    """Work that moves with time and decides its own end (a bulk-by-scroll worker, a merge).

    Supersedes a task's `status`, `duration_ns`, `cancel_delay_ns` and `result`; the cluster
    calls `on_cancel` when the task is cancelled and `on_finish` when it ends.
    """

    def status(self, task: Task, now_ns: int) -> dict[str, Any] | None: ...

    def end_ns(self, task: Task) -> int | None: ...

    def on_cancel(self, task: Task, now_ns: int) -> None: ...

    def on_finish(self, task: Task) -> None: ...

    def response(self, task: Task) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class TaskInfo:
    """An immutable snapshot of a task, as `TaskInfo` carries it over the wire."""

    node: str
    id: int
    type: str
    action: str
    status: Mapping[str, Any] | None
    description: str | None
    start_time_ms: int
    running_time_ns: int
    cancellable: bool
    cancelled: bool | None
    parent_task_id: TaskId | None
    headers: Mapping[str, str]
    # a task continuing a relocated one (9.5+): the first task's id and start
    original_task_id: TaskId | None = None
    original_start_time_ms: int | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> TaskInfo:
        return self  # immutable: copies of a cluster share it

    @property
    def task_id(self) -> TaskId:
        return TaskId(self.node, self.id)


@dataclass(frozen=True)
class StoredResult:
    """A document of the `.tasks` index: the finished task and its response or error."""

    task: TaskInfo
    response: Mapping[str, Any] | None = None
    error: EsError | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> StoredResult:
        return self  # immutable: copies of a cluster share it


@dataclass(eq=False)
class Task:
    """A running (or finished) task and how it will behave over time.

    `duration_ns` of None means it runs until a script finishes it; `cancel_delay_ns` is how
    long it keeps running after a cancel (None: it ignores cancellation until finished).
    Change timings through the cluster (`Cluster.set_timing`), which reschedules the task's end.
    """

    node: str
    id: int
    action: str
    type: str = "transport"
    description: str = ""
    start_ns: int = 0
    cancellable: bool = True
    parent: TaskId | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: dict[str, Any] | StatusFn | None = None
    duration_ns: int | None = None
    cancel_delay_ns: int | None = 0
    store_result: bool = False
    result: dict[str, Any] | ResultFn | None = None
    error: EsError | None = None
    cancel_reason: str | None = None
    cancelled_ns: int | None = None
    finished_ns: int | None = None
    failed: bool = False
    # when a cancel at the given instant is honoured, if the task decides (None: never)
    cancel_end: Callable[[int], int | None] | None = None
    progress: Progress | None = None
    # relocation (cluster/relocation.py): the task this one continues, and the destination of
    # a hand-off under way (the task refuses cancels until it ends)
    original: TaskId | None = None
    original_start_ns: int | None = None
    handoff_to: TaskId | None = None
    task_id: TaskId = field(init=False, repr=False)
    end_event: Scheduled | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.task_id = TaskId(self.node, self.id)

    def __deepcopy__(self, memo: dict[int, object]) -> Task:
        # field by field: immutable values and functions shared, the rest (headers...) copied
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        state = vars(self).copy()
        for name, value in state.items():
            if type(value) not in _SHARED:
                state[name] = copy.deepcopy(value, memo)
        clone.__dict__.update(state)
        return clone

    @property
    def cancelled(self) -> bool:
        return self.cancel_reason is not None

    @property
    def running(self) -> bool:
        return self.finished_ns is None

    def own_end_ns(self) -> int | None:
        """When the task stops by itself, ignoring its children; None if not foreseeable."""
        if self.finished_ns is not None:
            return self.finished_ns
        if self.progress is not None:
            return self.progress.end_ns(self)
        end = None if self.duration_ns is None else self.start_ns + self.duration_ns
        honoured = None
        if self.cancelled_ns is not None and self.cancel_end is not None:
            honoured = self.cancel_end(self.cancelled_ns)
        elif self.cancelled_ns is not None and self.cancel_delay_ns is not None:
            honoured = self.cancelled_ns + self.cancel_delay_ns
        if honoured is not None:
            end = honoured if end is None else min(end, honoured)
        return end

    def duplicate(self) -> Task:
        """An independent copy (its own headers, and status and result dicts), unscheduled."""
        twin: Task = _new(Task)
        twin.__dict__.update(self.__dict__)
        twin.headers = dict(self.headers)
        if isinstance(self.status, dict):
            twin.status = copy.deepcopy(self.status)
        if isinstance(self.result, dict):
            twin.result = copy.deepcopy(self.result)
        twin.end_event = None
        return twin

    def status_at(self, now_ns: int) -> dict[str, Any] | None:
        if self.progress is not None:
            return self.progress.status(self, now_ns)
        if callable(self.status):
            return self.status(self, now_ns)
        return self.status

    def info(
        self, now_ns: int, *, detailed: bool = True, include_cancelled: bool = True
    ) -> TaskInfo:
        """`Task.taskInfo(node, detailed)`: status and description only when `detailed`."""
        end = self.finished_ns if self.finished_ns is not None else now_ns
        running = end - self.start_ns
        # A list builds one per task: setting the slots directly costs a quarter of the
        # generated __init__ of a frozen class, which goes through object.__setattr__.
        info: TaskInfo = _new(TaskInfo)
        _node(info, self.node)
        _id(info, self.id)
        _type(info, self.type)
        _action(info, self.action)
        _status(info, self.status_at(end) if detailed else None)
        _description(info, self.description if detailed else None)
        _start_time_ms(info, self.start_ns // 1_000_000)
        _running_time_ns(info, running if running > 0 else 0)
        _cancellable(info, self.cancellable)
        _cancelled(info, (self.cancel_reason is not None) if include_cancelled else None)
        _parent_task_id(info, self.parent)
        _headers(info, self.headers)
        _original_task_id(info, self.original)
        _original_start_time_ms(
            info, None if self.original_start_ns is None else self.original_start_ns // 1_000_000
        )
        return info


_new = object.__new__
(
    _node,
    _id,
    _type,
    _action,
    _status,
    _description,
    _start_time_ms,
    _running_time_ns,
    _cancellable,
    _cancelled,
    _parent_task_id,
    _headers,
    _original_task_id,
    _original_start_time_ms,
) = (getattr(TaskInfo, name).__set__ for name in TaskInfo.__dataclass_fields__)
