"""The control routes: each a method, a path under `/_fake_tasks` and a FakeTasks call."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fake_tasks.cluster.clock import VirtualClock
from fake_tasks.contract.control import CONTROL_SCHEMAS, control_schema
from fake_tasks.errors import FakeTasksError
from fake_tasks.rest.control import views
from fake_tasks.rest.control.errors import ControlError
from fake_tasks.rest.control.journal import journal_page
from fake_tasks.scripting import payloads
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.scenario import load_text

__all__ = ["CONTROL_ROUTES", "ControlCall", "ControlRoute"]


@dataclass(frozen=True)
class ControlCall:
    """One control request: the fake, path parameters, query values and the decoded body."""

    fake: FakeTasks
    path: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    raw: bytes = b""
    content_type: str = ""


Handler = Callable[[ControlCall], tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class ControlRoute:
    """`body` names the request body's definition in `requests.json` (None: the scenario
    schema, read by the scenario loader itself); `answer` the response's in `responses.json`."""

    method: str
    path: str
    body: str | None
    answer: str
    handler: Handler
    summary: str


def _task(call: ControlCall) -> Any:
    raw = call.path["task_id"]
    try:
        return call.fake.task(raw)
    except FakeTasksError as error:
        raise ControlError(404, "control_resource_not_found", str(error)) from None


def _ok(call: ControlCall) -> tuple[int, dict[str, Any]]:
    return 200, {"acknowledged": True}


def _info(call: ControlCall) -> tuple[int, dict[str, Any]]:
    return 200, views.info_view(call.fake)


def _reset(call: ControlCall) -> tuple[int, dict[str, Any]]:
    call.fake.reset(**call.body)
    clock = call.fake.cluster.clock
    if "tick" in call.body and isinstance(clock, VirtualClock):
        clock.set_tick(call.body["tick"])  # a clock given to the fake outlives resets
    return 200, views.info_view(call.fake)


def _scenario(call: ControlCall) -> tuple[int, dict[str, Any]]:
    text = call.raw.decode("utf-8", "replace")
    loaded = load_text(call.fake, text, "request body")
    return 200, {
        "tasks": [str(t.task_id) for t in loaded.tasks],
        "refs": {name: str(t.task_id) for name, t in loaded.refs.items()},
        "faults": [r.id for r in loaded.rules],
        "stubs": [s.id for s in loaded.stubs],
        "indices": loaded.indices,
        "rollup_jobs": loaded.rollup_jobs,
    }


def _list_tasks(call: ControlCall) -> tuple[int, dict[str, Any]]:
    tasks = call.fake.tasks(call.query.get("action"))
    return 200, {"tasks": [views.task_view(call.fake, t) for t in tasks]}


def _add_task(call: ControlCall) -> tuple[int, dict[str, Any]]:
    task, started = payloads.add_task_tree(call.fake, call.body, payloads.Refs())
    return 201, {
        "task": views.task_view(call.fake, task),
        "started": [str(t.task_id) for t in started],
    }


def _get_task(call: ControlCall) -> tuple[int, dict[str, Any]]:
    return 200, {"task": views.task_view(call.fake, _task(call))}


def _on_task(act: Callable[[FakeTasks, Any, Any], object]) -> Handler:
    def handler(call: ControlCall) -> tuple[int, dict[str, Any]]:
        task = _task(call)
        act(call.fake, task, call.body)
        return 200, {"task": views.task_view(call.fake, task)}

    return handler


def _missing(call: ControlCall) -> tuple[int, dict[str, Any]]:
    rule = call.fake.make_missing(
        call.path["task_id"],
        unknown_node=call.body.get("unknown_node", False),
        times=call.body.get("times"),
    )
    return 201, {"fault": views.rule_view(call.fake, rule)}


def _task_failure(call: ControlCall) -> tuple[int, dict[str, Any]]:
    error = call.body["error"]
    failure = call.fake.add_task_failure(
        call.path["task_id"], error if isinstance(error, str) else payloads.build_error(error)
    )
    return 201, {"task_failure": views.task_failure_view(failure)}


def _nodes(call: ControlCall) -> tuple[int, dict[str, Any]]:
    nodes = call.fake.cluster.nodes.values()
    return 200, {"nodes": [views.node_view(call.fake, n) for n in nodes]}


def _node(call: ControlCall) -> Any:
    try:
        return call.fake.cluster.node(call.path["node"])
    except FakeTasksError as error:
        raise ControlError(404, "control_resource_not_found", str(error)) from None


def _fail_node(call: ControlCall) -> tuple[int, dict[str, Any]]:
    node = _node(call)
    cause = call.body.get("cause", "disconnected")
    call.fake.fail_node(
        node.id,
        cause if isinstance(cause, str) else payloads.build_error(cause),
        timeout=call.body.get("timeout", "30s"),
    )
    return 200, {"node": views.node_view(call.fake, node)}


def _restore_node(call: ControlCall) -> tuple[int, dict[str, Any]]:
    node = _node(call)
    call.fake.restore_node(node.id)
    return 200, {"node": views.node_view(call.fake, node)}


def _faults(call: ControlCall) -> tuple[int, dict[str, Any]]:
    fake = call.fake
    return 200, {
        "faults": [views.rule_view(fake, r) for r in fake.faults.rules],
        "task_failures": [views.task_failure_view(f) for f in fake.faults.task_failures],
    }


def _add_fault(call: ControlCall) -> tuple[int, dict[str, Any]]:
    rule = payloads.add_fault_rule(call.fake, call.body)
    return 201, {"fault": views.rule_view(call.fake, rule)}


def _number(call: ControlCall, name: str) -> int:
    raw = call.path[name]
    if not raw.isdigit():
        raise ControlError(400, "invalid_control_request", f"[{name}] must be a number: [{raw}]")
    return int(raw)


def _remove_fault(call: ControlCall) -> tuple[int, dict[str, Any]]:
    wanted = _number(call, "id")
    rule = next((r for r in call.fake.faults.rules if r.id == wanted), None)
    if rule is None:
        raise ControlError(404, "control_resource_not_found", f"no fault rule #{wanted}")
    call.fake.faults.remove(rule)
    return _ok(call)


def _clear_faults(call: ControlCall) -> tuple[int, dict[str, Any]]:
    call.fake.faults.clear()
    return _ok(call)


def _clock(call: ControlCall) -> tuple[int, dict[str, Any]]:
    return 200, views.clock_view(call.fake)


def _advance(call: ControlCall) -> tuple[int, dict[str, Any]]:
    call.fake.advance(call.body["by"])
    return 200, views.clock_view(call.fake)


def _stubs(call: ControlCall) -> tuple[int, dict[str, Any]]:
    return 200, {"stubs": [views.stub_view(call.fake, s) for s in call.fake.stubs]}


def _add_stub(call: ControlCall) -> tuple[int, dict[str, Any]]:
    stub = payloads.add_stub(call.fake, call.body)
    return 201, {"stub": views.stub_view(call.fake, stub)}


def _remove_stub(call: ControlCall) -> tuple[int, dict[str, Any]]:
    try:
        call.fake.stubs.remove(_number(call, "id"))
    except FakeTasksError as error:
        raise ControlError(404, "control_resource_not_found", str(error)) from None
    return _ok(call)


def _clear_stubs(call: ControlCall) -> tuple[int, dict[str, Any]]:
    call.fake.stubs.clear()
    return _ok(call)


def _clear_journal(call: ControlCall) -> tuple[int, dict[str, Any]]:
    call.fake.journal.clear()
    return _ok(call)


def _indices(call: ControlCall) -> tuple[int, dict[str, Any]]:
    pattern = call.query.get("name", "*")
    return 200, {"indices": [views.index_view(i) for i in call.fake.indices(pattern)]}


def _add_index(call: ControlCall) -> tuple[int, dict[str, Any]]:
    return 201, {"index": views.index_view(payloads.add_index(call.fake, call.body))}


def _remove_index(call: ControlCall) -> tuple[int, dict[str, Any]]:
    name = call.path["name"]
    if call.fake.cluster.indices.get(name) is None:
        raise ControlError(404, "control_resource_not_found", f"no index [{name}]")
    call.fake.remove_index(name)
    return _ok(call)


def _add_rollup_job(call: ControlCall) -> tuple[int, dict[str, Any]]:
    job = payloads.add_rollup_job(call.fake, call.body)
    return 201, {"rollup_job": views.rollup_job_view(job)}


def _schema(call: ControlCall) -> tuple[int, dict[str, Any]]:
    name = call.path["name"]
    if name not in CONTROL_SCHEMAS:
        known = ", ".join(CONTROL_SCHEMAS)
        raise ControlError(404, "control_resource_not_found", f"no schema {name}; known: {known}")
    return 200, control_schema(name)


def _verify(call: ControlCall) -> tuple[int, dict[str, Any]]:
    fake = call.fake
    errors = [repr(e) for e in fake.server_errors]
    violations = [line for v in fake.violations for line in v.lines()]
    unexpected = [str(e) for e in fake.journal.unexpected()]
    rejected = [str(r) for r in fake.rejected]
    ok = not (errors or violations or unexpected)
    return 200, {
        "ok": ok,
        "server_errors": errors,
        "violations": violations,
        "unexpected": unexpected,
        "rejected": rejected,
        "unused_stubs": [s.id for s in fake.stubs.unused()],
        "pending_faults": [r.id for r in fake.faults.pending()],
    }


def _journal(call: ControlCall) -> tuple[int, dict[str, Any]]:
    return 200, journal_page(call.fake, call.query)


T = "/_fake_tasks/tasks/{task_id}"

CONTROL_ROUTES: tuple[ControlRoute, ...] = (
    ControlRoute("GET", "/_fake_tasks", None, "info", _info, "settings, clock and counts"),
    ControlRoute("POST", "/_fake_tasks/_reset", "reset", "info", _reset, "start over"),
    ControlRoute("PUT", "/_fake_tasks/scenario", None, "loaded", _scenario, "load a scenario"),
    ControlRoute("GET", "/_fake_tasks/tasks", None, "tasks", _list_tasks, "running tasks"),
    ControlRoute("POST", "/_fake_tasks/tasks", "task", "added", _add_task, "start a task tree"),
    ControlRoute("GET", T, None, "task", _get_task, "one running task"),
    ControlRoute(
        "POST",
        f"{T}/_finish",
        "finish",
        "task",
        _on_task(lambda f, t, b: f.finish(t, b.get("result"))),
        "end it successfully",
    ),
    ControlRoute(
        "POST",
        f"{T}/_fail",
        "fail",
        "task",
        _on_task(lambda f, t, b: f.fail(t, payloads.build_error(b["error"]))),
        "end it with an error",
    ),
    ControlRoute(
        "POST", f"{T}/_cancel", "empty", "task", _on_task(lambda f, t, b: f.cancel(t)), "cancel"
    ),
    ControlRoute(
        "POST",
        f"{T}/_slow_cancel",
        "slow_cancel",
        "task",
        _on_task(lambda f, t, b: f.slow_cancel(t, b["delay"])),
        "run on for `delay` after a cancel",
    ),
    ControlRoute(
        "POST",
        f"{T}/_ignore_cancel",
        "empty",
        "task",
        _on_task(lambda f, t, b: f.ignore_cancel(t)),
        "never honour a cancel",
    ),
    ControlRoute(
        "POST",
        f"{T}/_duration",
        "duration",
        "task",
        _on_task(lambda f, t, b: f.set_duration(t, b["duration"])),
        "change when it ends",
    ),
    ControlRoute(
        "POST",
        f"{T}/_run_until_finished",
        "empty",
        "task",
        _on_task(lambda f, t, b: f.run_until_finished(t)),
        "advance virtual time until it ends",
    ),
    ControlRoute("POST", f"{T}/_missing", "missing", "fault", _missing, "answer it as unknown"),
    ControlRoute(
        "POST", f"{T}/_task_failure", "task_failure", "task_failure", _task_failure, "fail it"
    ),
    ControlRoute("GET", "/_fake_tasks/nodes", None, "nodes", _nodes, "the nodes"),
    ControlRoute(
        "POST", "/_fake_tasks/nodes/{node}/_fail", "fail_node", "node", _fail_node, "fail a node"
    ),
    ControlRoute(
        "POST", "/_fake_tasks/nodes/{node}/_restore", "empty", "node", _restore_node, "restore it"
    ),
    ControlRoute("GET", "/_fake_tasks/indices", None, "indices", _indices, "indices"),
    ControlRoute("POST", "/_fake_tasks/indices", "index", "index", _add_index, "add an index"),
    ControlRoute(
        "DELETE", "/_fake_tasks/indices/{name}", None, "ok", _remove_index, "remove an index"
    ),
    ControlRoute(
        "POST", "/_fake_tasks/rollup_jobs", "rollup_job", "rollup_job", _add_rollup_job, "a job"
    ),
    ControlRoute("GET", "/_fake_tasks/faults", None, "faults", _faults, "fault rules"),
    ControlRoute("POST", "/_fake_tasks/faults", "fault_rule", "fault", _add_fault, "inject"),
    ControlRoute("DELETE", "/_fake_tasks/faults", None, "ok", _clear_faults, "remove all"),
    ControlRoute("DELETE", "/_fake_tasks/faults/{id}", None, "ok", _remove_fault, "remove one"),
    ControlRoute("GET", "/_fake_tasks/clock", None, "clock", _clock, "the cluster's time"),
    ControlRoute("POST", "/_fake_tasks/clock/_advance", "advance", "clock", _advance, "advance"),
    ControlRoute("GET", "/_fake_tasks/journal", None, "journal", _journal, "exchanges, paged"),
    ControlRoute("DELETE", "/_fake_tasks/journal", None, "ok", _clear_journal, "clear it"),
    ControlRoute("GET", "/_fake_tasks/stubs", None, "stubs", _stubs, "the stubs"),
    ControlRoute("POST", "/_fake_tasks/stubs", "stub", "stub", _add_stub, "add a stub"),
    ControlRoute("DELETE", "/_fake_tasks/stubs", None, "ok", _clear_stubs, "remove all"),
    ControlRoute("DELETE", "/_fake_tasks/stubs/{id}", None, "ok", _remove_stub, "remove one"),
    ControlRoute(
        "GET", "/_fake_tasks/verify", None, "verify", _verify, "what a test teardown checks"
    ),
    ControlRoute(
        "GET", "/_fake_tasks/schemas/{name}", None, "schema", _schema, "a control schema file"
    ),
)
