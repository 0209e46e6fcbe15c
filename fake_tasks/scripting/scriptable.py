"""`Scriptable`: what payloads and scenarios need of `FakeTasks`, and its stub and node calls."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fake_tasks.cluster.indices import Index
from fake_tasks.cluster.model import Cluster, Node, Task
from fake_tasks.cluster.rollup import RollupJob
from fake_tasks.errors import FakeTasksError
from fake_tasks.scripting.faults import Faults, Rule, TaskOperationFailure
from fake_tasks.scripting.requests import Match
from fake_tasks.scripting.stubs import Answer, Stub, Stubs

__all__ = ["Scriptable"]


class Scriptable:
    """The base of `FakeTasks`: the attributes and calls scenario loading uses (declared here,
    defined there), and `stub` and `use_nodes`."""

    cluster: Cluster
    stubs: Stubs
    faults: Faults
    settings: Any
    _lock: threading.Lock
    add_task: Callable[..., Task]
    add_reindex: Callable[..., Task]
    add_update_by_query: Callable[..., Task]
    add_delete_by_query: Callable[..., Task]
    cancel: Callable[..., None]
    inject: Callable[..., Rule]
    fail_node: Callable[..., None]
    add_task_failure: Callable[..., TaskOperationFailure]
    reset: Callable[..., None]
    advance: Callable[..., None]
    add_index: Callable[..., Index]
    add_rollup_job: Callable[..., RollupJob]
    slow_rollup_stop: Callable[..., RollupJob]
    stick_rollup_aborting: Callable[..., RollupJob]
    fail_rollup_runs: Callable[..., RollupJob]

    def stub(
        self,
        method: str | None,
        path: str,
        *,
        json: Any = None,
        body: bytes | str | None = None,
        status: int = 200,
        response_headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        answer: Answer | None = None,
        answers: Sequence[Answer] | None = None,
        api: str | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        opaque_id: str | None = None,
        times: int | None = None,
        cycle: bool = False,
        override: bool = False,
        name: str | None = None,
    ) -> Stub:
        """Answer requests the fake does not model: `stub("GET", "/_cluster/settings", json={})`.

        `method` None (or `"*"`) matches any method; `path` is literal, a `*` glob
        (`"/_nodes/*"`) or a template (`"/{index}/_search"`); `params` and `headers` select by
        query parameter and request header (values may use `*`). The answer is `json` or raw
        `body` with `status` and `response_headers`; `answers=[Answer(...), ...]` answers in
        order, once each (`cycle=True`: over and over); `times` limits the uses. A stub for a
        route the fake models needs `override=True`. The first matching stub answers; stubbed
        requests are journaled and never count as unexpected. Returns the stub
        (`fake.stubs.remove(stub)`, `fake.stubs.hits(stub)`).
        """
        if answers is not None and (answer is not None or json is not None or body is not None):
            raise FakeTasksError("give `answers` or a single answer, not both")
        if answers is None and answer is None:
            raw = body.encode("utf-8") if isinstance(body, str) else body
            answer = Answer(status, json, raw, dict(response_headers or {}), content_type)
        match = Match(
            method=None if method in (None, "*") else method,
            api=api,
            path=path,
            params=dict(params or {}),
            headers=dict(headers or {}),
            opaque_id=opaque_id,
        )
        given: Answer | Sequence[Answer] = answers if answers is not None else answer  # type: ignore[assignment]
        return self.stubs.add(given, match, times=times, cycle=cycle, override=override, name=name)

    def use_nodes(self, nodes: Sequence[Node], **cluster: Any) -> Cluster:
        """Replace the cluster by an empty one of these nodes, on the same clock.

        `cluster` takes `Cluster` keywords (`name`, `uuid`, `version`). Faults, stubs and the
        journal are kept.
        """
        with self._lock:
            old = self.cluster
            cluster.setdefault("version", old.version)
            fresh = Cluster(list(nodes), clock=old.clock, **cluster)
            fresh.task_failures = self.faults.failure_map
            self.cluster = fresh
            old.close()
        return fresh
