"""Fault values, the rules that scope and sequence them, and the registry choosing one per request.

A `Fault` says what goes wrong with one request: an ES error answer (`Fault.error`,
`Fault.rejected`, `Fault.not_found`, ...) or a transport failure (`Fault.delay`, `Fault.reset`,
`Fault.disconnect`, `Fault.truncated`, `Fault.malformed`, `Fault.slow_body`). A `Rule` binds
faults to the requests a `Match` selects, `times` times, in order, with a seeded probability.
`Faults` holds the rules of one fake and decides, per request, which fault (if any) applies.
Nothing here touches HTTP: the app turns decisions into responses.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from fake_tasks.actions.tasks import LIST_NODE_ACTION, TaskFailure
from fake_tasks.cluster.clock import VirtualClock, block
from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.model import Cluster
from fake_tasks.cluster.timevalue import seconds_to_nanos
from fake_tasks.errors import (
    EsError,
    FakeTasksError,
    IndexNotFoundError,
    NodeDisconnectedError,
    NoSuchNodeError,
    ReceiveTimeoutError,
    ResourceNotFoundError,
    TransportFailure,
)
from fake_tasks.scripting.requests import Incoming, Match, non_default_fields

MAX_REAL_WAIT_S = 30.0
"""The longest real wait a fault may ask for (a delay, or a slow body in total)."""

CLUSTER_BLOCK_REASON = "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];"


# -- fault values --------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Fault:
    """What goes wrong with one request. Build them with the `Fault.*` constructors."""

    factory: ClassVar[str] = "passthrough"

    def applies_to(self, request: Incoming) -> bool:
        """Whether this fault can happen to `request` (a rule skips requests it cannot)."""
        return True

    def __repr__(self) -> str:
        return f"Fault.{self.factory}({non_default_fields(self)})"

    # -- constructors ------------------------------------------------------------------------------

    @staticmethod
    def error(
        error: str | EsError,
        reason: str | None = None,
        status: int = 500,
        *,
        caused_by: EsError | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> ErrorReply:
        """Answer with an ES error: `Fault.error("cluster_block_exception", "...", 503)` or an
        `EsError`. `headers` are extra HTTP response headers (ES itself sends no `Retry-After`).
        """
        if isinstance(error, str):
            error = EsError.custom(error, reason, status, caused_by=caused_by)
        elif reason is not None or caused_by is not None:
            raise FakeTasksError("give reason/caused_by only with an error type, not an EsError")
        return ErrorReply(error, tuple((headers or {}).items()))

    @staticmethod
    def rejected(pool: str = "search") -> Rejected:
        """429 `es_rejected_execution_exception`: a full thread pool queue on the coordinating
        node."""
        return Rejected(pool)

    @staticmethod
    def cluster_block(
        reason: str = CLUSTER_BLOCK_REASON, *, headers: Mapping[str, str] | None = None
    ) -> ErrorReply:
        """503 `cluster_block_exception` (default: state not recovered, as after a restart)."""
        return Fault.error("cluster_block_exception", reason, 503, headers=headers)

    @staticmethod
    def not_found(*, unknown_node: bool = False) -> NotFound:
        """The request's task id is unknown: get answers ES's 404, cancel a `node_failures` entry.

        `unknown_node` answers as for a task of a node that is not part of the cluster.
        Only requests with a task id in their path are affected.
        """
        return NotFound(unknown_node)

    @staticmethod
    def delay(duration: float | str, *, real: bool = False) -> Delay:
        """Answer late. On a virtual clock the cluster's time jumps by `duration` and nothing
        sleeps; with `real=True` (or a realtime clock) the server really waits, at most
        `MAX_REAL_WAIT_S`, and a server stop or `reset` releases the wait."""
        seconds = seconds_to_nanos(duration, "delay") / 1e9
        if real:
            _check_real(seconds, "a real delay")
        return Delay(seconds, real)

    @staticmethod
    def reset(*, processed: bool = False) -> Reset:
        """Reset the connection (TCP RST) instead of answering. `processed=True` runs the
        request first, so e.g. a cancel takes effect but its answer is lost."""
        return Reset(processed)

    @staticmethod
    def disconnect(*, processed: bool = False) -> Disconnect:
        """Close the connection without sending a response (the client sees a remote
        disconnect). `processed` as for `reset`."""
        return Disconnect(processed)

    @staticmethod
    def truncated(at: int | None = None) -> Truncated:
        """Send the real answer's headers but only its first `at` bytes (default: half), then
        close the connection."""
        if at is not None and at < 0:
            raise FakeTasksError(f"truncated(at=...) must not be negative, got {at}")
        return Truncated(at)

    @staticmethod
    def malformed(body: bytes = b'{"nodes":{"', *, status: int = 200) -> Malformed:
        """Answer `status` with a JSON content type and a body that is not valid JSON."""
        return Malformed(body, status)

    @staticmethod
    def slow_body(duration: float | str = 1.0, *, chunks: int = 4) -> SlowBody:
        """Send the real answer in `chunks` pieces spread over `duration` of real time."""
        seconds = seconds_to_nanos(duration, "slow_body") / 1e9
        _check_real(seconds, "a slow body")
        if chunks < 2:
            raise FakeTasksError(f"a slow body needs at least 2 chunks, got {chunks}")
        return SlowBody(seconds, chunks)

    @staticmethod
    def passthrough() -> Passthrough:
        """Answer normally: a step of a sequence that lets one request through."""
        return Passthrough()


def _check_real(seconds: float, what: str) -> None:
    if seconds > MAX_REAL_WAIT_S:
        raise FakeTasksError(
            f"{what} of {seconds:g}s exceeds the {MAX_REAL_WAIT_S:g}s limit on real waits; "
            "use the virtual clock (real=False) for long delays"
        )


@dataclass(frozen=True, repr=False)
class Passthrough(Fault):
    factory: ClassVar[str] = "passthrough"


@dataclass(frozen=True, repr=False)
class ErrorReply(Fault):
    """Any ES error, rendered exactly like the server renders exceptions."""

    exception: EsError
    headers: tuple[tuple[str, str], ...] = ()
    factory: ClassVar[str] = "error"

    def es_error(self, cluster: Cluster) -> EsError:
        return self.exception

    def __repr__(self) -> str:
        reason = self.exception.reason or ""
        short = reason if len(reason) <= 60 else reason[:57] + "..."
        extra = f", headers={dict(self.headers)!r}" if self.headers else ""
        return (
            f"Fault.error({self.exception.es_type!r}, {short!r}, "
            f"status={self.exception.http_status()}{extra})"
        )


@dataclass(frozen=True, repr=False)
class Rejected(Fault):
    pool: str = "search"
    factory: ClassVar[str] = "rejected"

    def es_error(self, cluster: Cluster) -> EsError:
        node = cluster.nodes[cluster.local_node_id].name
        executor = (
            "org.elasticsearch.common.util.concurrent.TaskExecutionTimeTrackingEsThreadPoolExecutor"
        )
        reason = (
            "rejected execution of org.elasticsearch.common.util.concurrent.TimedRunnable@1b9b8d2b"
            f" on TaskExecutionTimeTrackingEsThreadPoolExecutor[name = {node}/{self.pool}, "
            "queue capacity = 1000, task execution EWMA = 1.2ms, total task execution time = "
            f"4.7s, {executor}@6671ec3b[Running, pool size = 13, active threads = 13, "
            "queued tasks = 1000, completed tasks = 52817]]"
        )
        return EsError.custom("es_rejected_execution_exception", reason, 429)


@dataclass(frozen=True, repr=False)
class NotFound(Fault):
    unknown_node: bool = False
    factory: ClassVar[str] = "not_found"

    def applies_to(self, request: Incoming) -> bool:
        return request.task_id is not None

    def get_error(self, cluster: Cluster, task_id: str) -> EsError:
        """The 404 of `GET /_tasks/<id>` (`TransportGetTaskAction`)."""
        node = task_id.partition(":")[0]
        not_stored = ResourceNotFoundError(
            f"task [{task_id}] isn't running and hasn't stored its results",
            caused_by=None if cluster.tasks_index_exists else IndexNotFoundError(".tasks"),
        )
        if not self.unknown_node:
            return not_stored
        return ResourceNotFoundError(
            f"task [{task_id}] belongs to the node [{node}] which isn't part of the cluster and "
            "there is no record of the task",
            caused_by=not_stored,
        )

    def cancel_cause(self, task_id: str) -> tuple[str, EsError]:
        """The node failure of `POST /_tasks/<id>/_cancel`: (node id, cause)."""
        node = task_id.partition(":")[0]
        if self.unknown_node:
            return node, NoSuchNodeError(node)
        return node, ResourceNotFoundError(f"task [{task_id}] is not found")


@dataclass(frozen=True, repr=False)
class Delay(Fault):
    seconds: float
    real: bool = False
    factory: ClassVar[str] = "delay"

    def wait(self, cluster: Cluster) -> None:
        """Let the delay pass: virtual time jumps, real time is waited (released by close)."""
        if not self.real and isinstance(cluster.clock, VirtualClock):
            cluster.clock.advance(self.seconds)
        else:
            wait_real(cluster, min(self.seconds, MAX_REAL_WAIT_S))


@dataclass(frozen=True, repr=False)
class Reset(Fault):
    processed: bool = False
    factory: ClassVar[str] = "reset"


@dataclass(frozen=True, repr=False)
class Disconnect(Fault):
    processed: bool = False
    factory: ClassVar[str] = "disconnect"


@dataclass(frozen=True, repr=False)
class Truncated(Fault):
    at: int | None = None
    factory: ClassVar[str] = "truncated"

    def cut(self, body: bytes) -> bytes:
        keep = len(body) // 2 if self.at is None else min(self.at, max(len(body) - 1, 0))
        return body[:keep]


@dataclass(frozen=True, repr=False)
class Malformed(Fault):
    body: bytes = b'{"nodes":{"'
    status: int = 200
    factory: ClassVar[str] = "malformed"


@dataclass(frozen=True, repr=False)
class SlowBody(Fault):
    seconds: float = 1.0
    chunks: int = 4
    factory: ClassVar[str] = "slow_body"

    def pieces(self, body: bytes) -> list[bytes]:
        size = max(1, -(-len(body) // self.chunks))
        return [body[i : i + size] for i in range(0, len(body), size)] or [b""]


def wait_real(cluster: Cluster, seconds: float) -> None:
    """Block for `seconds` of wall time, or until the cluster is closed (server stop, reset)."""
    block(cluster.changed, seconds, lambda: cluster.closed)


# -- node failures -------------------------------------------------------------------------------


def node_cause(
    cluster: Cluster, node: str, cause: str, *, timeout: float | str = "30s"
) -> TransportFailure:
    """The exception a list request gets from a failed node: `disconnected` or `timeout`."""
    target = cluster.node(node)
    if cause == "disconnected":
        status = 502 if cluster.has("connect_transport_502") else 500
        return NodeDisconnectedError(
            target.name, target.transport_address, LIST_NODE_ACTION, "disconnected", status=status
        )
    if cause == "timeout":
        millis = seconds_to_nanos(timeout, "timeout") // 1_000_000
        request_id = 1000 + sum(target.id.encode()) % 9000
        message = f"request_id [{request_id}] timed out after [{millis}ms]"
        return ReceiveTimeoutError(target.name, target.transport_address, LIST_NODE_ACTION, message)
    raise FakeTasksError(f"unknown node failure cause {cause!r}; use 'disconnected', 'timeout'")


# -- task failures -------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class TaskOperationFailure:
    """A `task_failures` entry to report for one task instead of listing it."""

    task_id: TaskId
    error: EsError

    def entry(self) -> TaskFailure:
        return TaskFailure(self.task_id, self.error.http_status(), self.error)

    def __repr__(self) -> str:
        return f"TaskOperationFailure({str(self.task_id)!r}, {self.error.es_type!r})"


# -- rules and the registry ----------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Rule:
    """Faults for the requests `match` selects: the i-th matching request gets `faults[i % n]`.

    `times` None means forever; `probability` < 1 skips a request (drawn from the seed).
    """

    id: int
    faults: tuple[Fault, ...]
    match: Match = field(default_factory=Match)
    times: int | None = None
    probability: float = 1.0

    def __repr__(self) -> str:
        shown = repr(self.faults[0]) if len(self.faults) == 1 else repr(list(self.faults))
        extra = "" if self.times is None else f", times={self.times}"
        extra += "" if self.probability == 1.0 else f", probability={self.probability}"
        return f"Rule(#{self.id} {shown} for {self.match!r}{extra})"


@dataclass(frozen=True)
class Decision:
    """The fault one request gets, and from which rule."""

    rule: Rule
    fault: Fault


class Faults:
    """The scripted faults of one fake: rules (first matching rule wins) and task failures."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._rules: list[Rule] = []
        self._hits: dict[int, int] = {}
        self._rngs: dict[int, random.Random] = {}
        self._task_failures: list[TaskOperationFailure] = []
        self.failure_map: dict[TaskId, EsError] = {}  # live view the cluster model reads
        self._next_id = 1

    def reset(self, seed: int | None = None) -> None:
        """Remove everything; rule ids and random draws start over (from `seed`, if given)."""
        with self._lock:
            if seed is not None:
                self._seed = seed
            self._rules.clear()
            self._hits.clear()
            self._rngs.clear()
            self._task_failures.clear()
            self.failure_map.clear()
            self._next_id = 1

    def add(
        self,
        fault: Fault | Sequence[Fault],
        match: Match | None = None,
        *,
        times: int | None = None,
        probability: float = 1.0,
        cycle: bool = False,
    ) -> Rule:
        """Add a rule. A sequence is used in order, once each (`cycle=True`: over and over)."""
        steps = (fault,) if isinstance(fault, Fault) else tuple(fault)
        if not steps or not all(isinstance(s, Fault) for s in steps):
            raise FakeTasksError(f"expected a Fault or a non-empty sequence of them, got {fault!r}")
        if times is not None and times < 1:
            raise FakeTasksError(f"times must be at least 1, got {times}")
        if not 0.0 < probability <= 1.0:
            raise FakeTasksError(f"probability must be in (0, 1], got {probability}")
        if times is None and len(steps) > 1 and not cycle:
            times = len(steps)
        with self._lock:
            rule = Rule(self._next_id, steps, match or Match(), times, probability)
            self._next_id += 1
            self._rules.append(rule)
            self._hits[rule.id] = 0
            self._rngs[rule.id] = random.Random(f"fake-tasks/{self._seed}/{rule.id}")
            return rule

    def add_task_failure(self, task_id: TaskId, error: EsError) -> TaskOperationFailure:
        failure = TaskOperationFailure(task_id, error)
        with self._lock:
            self._task_failures.append(failure)
            self.failure_map[task_id] = error
        return failure

    def remove(self, item: Rule | TaskOperationFailure) -> None:
        with self._lock:
            if isinstance(item, Rule) and item in self._rules:
                self._rules.remove(item)
                return
            if isinstance(item, TaskOperationFailure) and item in self._task_failures:
                self._task_failures.remove(item)
                self.failure_map.pop(item.task_id, None)
                for other in self._task_failures:
                    self.failure_map[other.task_id] = other.error
                return
        raise FakeTasksError(f"{item!r} is not registered")

    def clear(self) -> None:
        self.reset()

    @property
    def rules(self) -> list[Rule]:
        with self._lock:
            return list(self._rules)

    @property
    def task_failures(self) -> list[TaskOperationFailure]:
        with self._lock:
            return list(self._task_failures)

    def hits(self, rule: Rule) -> int:
        """How many requests `rule` has applied to."""
        with self._lock:
            return self._hits.get(rule.id, 0)

    def pending(self) -> list[Rule]:
        """Rules with a `times` limit that have not been used up."""
        with self._lock:
            return [r for r in self._rules if r.times is not None and self._hits[r.id] < r.times]

    def assert_all_used(self) -> None:
        """Fail if a rule with a `times` limit still has faults left to give."""
        __tracebackhide__ = True
        left = self.pending()
        if left:
            lines = "\n".join(f"  {r!r}: used {self.hits(r)} of {r.times}" for r in left)
            raise AssertionError(f"{len(left)} fault rule(s) not used up:\n{lines}")

    def decide(self, request: Incoming) -> Decision | None:
        """The fault for `request`: the first live rule that matches and whose draw succeeds."""
        with self._lock:
            for rule in self._rules:
                used = self._hits[rule.id]
                if rule.times is not None and used >= rule.times:
                    continue
                if not rule.match.matches(request):
                    continue
                fault = rule.faults[used % len(rule.faults)]
                if not fault.applies_to(request):
                    continue
                if rule.probability < 1.0 and self._rngs[rule.id].random() >= rule.probability:
                    continue
                self._hits[rule.id] = used + 1
                return Decision(rule, fault)
        return None

    def __iter__(self) -> Iterator[Rule | TaskOperationFailure]:
        return iter([*self.rules, *self.task_failures])

    def __len__(self) -> int:
        return len(self.rules) + len(self.task_failures)

    def __repr__(self) -> str:
        items = [*self.rules, *self.task_failures]
        if not items:
            return "Faults()"
        return "Faults(\n" + "".join(f"  {item!r},\n" for item in items) + ")"
