"""Faults without sockets: matching, sequencing, probabilities and the exact bodies, in-process."""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import Any

import pytest
from expected import INDEX_NOT_FOUND, unknown_node_not_found
from werkzeug.test import Client, TestResponse

from fake_tasks import EsError, FakeTasks, FakeTasksError, Fault, Match, Settings, Task
from fake_tasks.rest.app import App
from fake_tasks.scripting.faults import MAX_REAL_WAIT_S, Faults
from fake_tasks.scripting.requests import Incoming

RETRY_AFTER = "Retry-After"


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(seed=7, nodes=3, tasks=12))


def statuses(client: Client, path: str, n: int, **kwargs: Any) -> list[int]:
    return [client.get(path, **kwargs).status_code for _ in range(n)]


def a_task(fake: FakeTasks, node_index: int = 0) -> Task:
    node = list(fake.cluster.nodes)[node_index]
    return next(t for t in fake.tasks() if t.node == node and t.parent is None)


# -- values --------------------------------------------------------------------------------------


def test_faults_are_frozen_values_with_readable_reprs() -> None:
    assert repr(Fault.reset()) == "Fault.reset()"
    assert repr(Fault.reset(processed=True)) == "Fault.reset(processed=True)"
    assert repr(Fault.delay("5s")) == "Fault.delay(seconds=5.0)"
    assert repr(Fault.not_found(unknown_node=True)) == "Fault.not_found(unknown_node=True)"
    assert repr(Fault.cluster_block(headers={RETRY_AFTER: "5"})) == (
        "Fault.error('cluster_block_exception', 'blocked by: [SERVICE_UNAVAILABLE/1/state not "
        "recovered / ...', status=503, headers={'Retry-After': '5'})"
    )
    assert Fault.truncated(10) == Fault.truncated(10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Fault.truncated(10).at = 3  # type: ignore[misc]


def test_rules_list_readably_and_can_be_removed(fake: FakeTasks) -> None:
    first = fake.inject(Fault.rejected(), api="tasks.list", times=2)
    second = fake.inject([Fault.reset(), Fault.passthrough()], opaque_id="poller")
    assert fake.faults.rules == [first, second]
    assert repr(first) == "Rule(#1 Fault.rejected() for Match(api='tasks.list'), times=2)"
    assert repr(second) == (
        "Rule(#2 [Fault.reset(), Fault.passthrough()] for Match(opaque_id='poller'), times=2)"
    )
    fake.faults.remove(first)
    assert list(fake.faults) == [second]
    with pytest.raises(FakeTasksError, match="not registered"):
        fake.faults.remove(first)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Fault.delay(MAX_REAL_WAIT_S + 1, real=True), "limit on real waits"),
        (lambda: Fault.slow_body("1m"), "limit on real waits"),
        (lambda: Fault.slow_body(1, chunks=1), "at least 2 chunks"),
        (lambda: Fault.truncated(-1), "must not be negative"),
        (lambda: Fault.error(EsError("x"), "reason"), "only with an error type"),
    ],
)
def test_bad_fault_values_are_refused(make: Any, message: str) -> None:
    with pytest.raises(FakeTasksError, match=message):
        make()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"times": 0}, "times must be at least 1"),
        ({"probability": 0.0}, "probability must be in"),
        ({"probability": 1.5}, "probability must be in"),
    ],
)
def test_bad_rules_are_refused(fake: FakeTasks, kwargs: Any, message: str) -> None:
    with pytest.raises(FakeTasksError, match=message):
        fake.inject(Fault.reset(), **kwargs)


def test_a_misspelt_api_is_refused(fake: FakeTasks) -> None:
    with pytest.raises(FakeTasksError, match=r"no API matches 'task.list'; the fake serves \["):
        fake.inject(Fault.reset(), api="task.list")


def test_an_empty_sequence_is_refused(fake: FakeTasks) -> None:
    with pytest.raises(FakeTasksError, match="non-empty sequence"):
        fake.inject([])


# -- matching ------------------------------------------------------------------------------------


def incoming(**kwargs: Any) -> Incoming:
    values: dict[str, Any] = {
        "method": "GET",
        "path": "/_tasks/n1:5",
        "params": {"task_id": "n1:5", "detailed": "true"},
        "headers": (("X-Opaque-Id", "job-1"), ("Accept", "application/json")),
        "api": "tasks.get",
        "route": "/_tasks/{task_id}",
    }
    values.update(kwargs)
    return Incoming(**values)


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        (Match(), True),
        (Match(method="get"), True),
        (Match(method="POST"), False),
        (Match(api="tasks.get"), True),
        (Match(api="tasks.*"), True),
        (Match(api="tasks.list"), False),
        (Match(path="/_tasks/n1:5"), True),
        (Match(path="/_tasks/*"), True),
        (Match(path="/_tasks/{task_id}"), True),
        (Match(path="/_tasks/{id}"), True),
        (Match(path="/_tasks/{task_id}/_cancel"), False),
        (Match(path="/_tasks"), False),
        (Match(params={"task_id": "n1:*"}), True),
        (Match(params={"detailed": "false"}), False),
        (Match(params={"timeout": "*"}), False),
        (Match(headers={"x-opaque-id": "job-*"}), True),
        (Match(headers={"traceparent": "*"}), False),
        (Match(opaque_id="job-1"), True),
        (Match(opaque_id="job-2"), False),
        (Match(api="tasks.get", opaque_id="job-1", params={"task_id": "n1:5"}), True),
    ],
)
def test_match_selects_by_method_route_params_and_headers(match: Match, expected: bool) -> None:
    assert match.matches(incoming()) is expected


def test_an_api_match_never_selects_unrouted_requests() -> None:
    assert not Match(api="*").matches(incoming(api=None, route=None, path="/_cat/tasks"))
    assert Match(path="/_cat/*").matches(incoming(api=None, route=None, path="/_cat/tasks"))


def test_inject_scopes_by_opaque_id(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.rejected(), opaque_id="test-a")
    assert client.get("/_tasks", headers={"X-Opaque-Id": "test-a"}).status_code == 429
    assert client.get("/_tasks", headers={"X-Opaque-Id": "test-b"}).status_code == 200
    assert client.get("/_tasks").status_code == 200


# -- sequencing ----------------------------------------------------------------------------------


def test_times_then_answer_normally(fake: FakeTasks, client: Client) -> None:
    rule = fake.inject(Fault.rejected(), api="tasks.list", times=2)
    assert statuses(client, "/_tasks", 4) == [429, 429, 200, 200]
    assert fake.faults.hits(rule) == 2
    assert fake.faults.pending() == []


def test_without_times_a_fault_applies_for_good(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.cluster_block())
    assert statuses(client, "/_tasks", 3) == [503, 503, 503]
    assert client.get("/").status_code == 503


def test_a_sequence_runs_once_in_order(fake: FakeTasks, client: Client) -> None:
    task = a_task(fake)
    path = f"/_tasks/{task.task_id}"
    fake.inject(
        [Fault.not_found(), Fault.passthrough(), Fault.error("exception", "boom", 500)],
        api="tasks.get",
    )
    assert statuses(client, path, 5) == [404, 200, 500, 200, 200]


def test_a_cycled_sequence_repeats(fake: FakeTasks, client: Client) -> None:
    fake.inject([Fault.rejected(), Fault.passthrough()], api="tasks.list", cycle=True)
    assert statuses(client, "/_tasks", 5) == [429, 200, 429, 200, 429]


def test_the_first_live_matching_rule_wins(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.rejected(), api="tasks.list", times=1)
    fake.inject(Fault.cluster_block(), times=2)
    assert statuses(client, "/_tasks", 4) == [429, 503, 503, 200]


def test_assert_all_used_names_the_rules_left(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.rejected(), api="tasks.list", times=3)
    client.get("/_tasks")
    with pytest.raises(AssertionError, match=r"Fault.rejected\(\).*used 1 of 3"):
        fake.faults.assert_all_used()


def test_faults_that_need_a_task_id_skip_other_requests(fake: FakeTasks, client: Client) -> None:
    rule = fake.inject(Fault.not_found(), times=1)
    assert client.get("/_tasks").status_code == 200
    assert fake.faults.hits(rule) == 0
    assert client.get(f"/_tasks/{a_task(fake).task_id}").status_code == 404


# -- probabilities -------------------------------------------------------------------------------


def draws(seed: int) -> list[int]:
    fake = FakeTasks(Settings(seed=seed, tasks=0))
    fake.inject(Fault.rejected(), api="tasks.list", probability=0.3)
    return statuses(Client(App(fake)), "/_tasks", 40)


def test_probabilities_repeat_for_a_seed_and_differ_across_seeds() -> None:
    first = draws(seed=1)
    assert first == draws(seed=1)
    assert first != draws(seed=2)
    assert 4 <= first.count(429) <= 20  # roughly 30 % of 40


def test_reset_restarts_the_draws(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.rejected(), probability=0.5)
    before = statuses(client, "/_tasks", 12)
    fake.reset()
    fake.inject(Fault.rejected(), probability=0.5)
    assert statuses(client, "/_tasks", 12) == before


def test_draws_of_one_rule_do_not_depend_on_other_rules() -> None:
    alone = Faults(seed=3)
    alone.add(Fault.reset(), Match(api="tasks.list"), probability=0.5)
    crowded = Faults(seed=3)
    crowded.add(Fault.reset(), Match(api="tasks.list"), probability=0.5)
    crowded.add(Fault.reset(), Match(api="tasks.get"), probability=0.5)
    lists, gets = incoming(api="tasks.list"), incoming()
    seen_alone = [alone.decide(lists) is not None for _ in range(20)]
    seen_crowded = []
    for _ in range(20):
        crowded.decide(gets)
        seen_crowded.append(crowded.decide(lists) is not None)
    assert seen_alone == seen_crowded


# -- reset ---------------------------------------------------------------------------------------


def test_reset_removes_every_fault_and_restarts_rule_ids(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.cluster_block())
    fake.add_task_failure(a_task(fake), "boom")
    fake.fail_node(list(fake.cluster.nodes)[1])
    fake.reset()
    assert len(fake.faults) == 0
    assert fake.cluster.failed_nodes == {}
    assert client.get("/_tasks").get_json().keys() == {"nodes"}
    assert fake.inject(Fault.reset()).id == 1


# -- ES-level bodies -----------------------------------------------------------------------------


def test_an_error_fault_renders_like_es(client: Client, fake: FakeTasks) -> None:
    fake.inject(Fault.error("es_rejected_execution_exception", "queue full", 429))
    response = client.get("/_tasks", headers={"X-Opaque-Id": "abc"})
    assert response.status_code == 429
    assert response.get_json() == {
        "error": {
            "root_cause": [{"type": "es_rejected_execution_exception", "reason": "queue full"}],
            "type": "es_rejected_execution_exception",
            "reason": "queue full",
        },
        "status": 429,
    }
    assert response.headers["X-elastic-product"] == "Elasticsearch"
    assert response.headers["X-Opaque-Id"] == "abc"
    assert RETRY_AFTER not in response.headers


def test_rejected_names_the_coordinating_nodes_pool(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.rejected(pool="management"))
    error = client.get("/_tasks").get_json()["error"]
    local = fake.cluster.nodes[fake.cluster.local_node_id].name
    assert error["type"] == "es_rejected_execution_exception"
    assert f"[name = {local}/management, queue capacity = 1000" in error["reason"]


def test_cluster_block_is_a_503_without_retry_after(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.cluster_block())
    response = client.get("/_tasks")
    assert response.status_code == 503
    reason = "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];"
    assert response.get_json()["error"] == {
        "root_cause": [{"type": "cluster_block_exception", "reason": reason}],
        "type": "cluster_block_exception",
        "reason": reason,
    }
    assert RETRY_AFTER not in response.headers


def test_headers_can_be_added_to_an_error(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.cluster_block(headers={RETRY_AFTER: "7"}))
    assert client.get("/_tasks").headers[RETRY_AFTER] == "7"


def test_headers_an_exception_carries_are_sent_like_es_sends_them(
    fake: FakeTasks, client: Client
) -> None:
    error = EsError.custom("security_exception", "nope", 401, headers={"WWW-Authenticate": ["x"]})
    fake.inject(Fault.error(error))
    response = client.get("/_tasks")
    assert response.headers["WWW-Authenticate"] == "x"
    assert response.get_json()["error"]["header"] == {"WWW-Authenticate": "x"}


def test_error_faults_honour_error_trace_and_pretty(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.rejected())
    response = client.get("/_tasks?error_trace=true&pretty")
    assert response.get_data().endswith(b"\n}\n")
    assert "stack_trace" in response.get_json()["error"]


def test_not_found_on_get_is_es_404_without_a_tasks_index(fake: FakeTasks, client: Client) -> None:
    task = a_task(fake)
    fake.make_missing(task, times=1)
    response = client.get(f"/_tasks/{task.task_id}")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": {
            "root_cause": [INDEX_NOT_FOUND],
            "type": "resource_not_found_exception",
            "reason": f"task [{task.task_id}] isn't running and hasn't stored its results",
            "caused_by": INDEX_NOT_FOUND,
        },
        "status": 404,
    }
    assert client.get(f"/_tasks/{task.task_id}").status_code == 200


def test_not_found_as_an_unknown_node_matches_the_yaml_test_body(
    fake: FakeTasks, client: Client
) -> None:
    fake.make_missing("foo:1", unknown_node=True)
    body = client.get("/_tasks/foo:1").get_json()
    assert body == unknown_node_not_found("foo:1")


def test_not_found_once_the_tasks_index_exists_has_no_cause(
    fake: FakeTasks, client: Client
) -> None:
    stored = fake.add_task("indices:data/write/reindex", store_result=True)
    fake.finish(stored, {"created": 1})
    task = a_task(fake)
    fake.make_missing(task)
    error = client.get(f"/_tasks/{task.task_id}").get_json()["error"]
    assert "caused_by" not in error
    assert error["root_cause"][0]["type"] == "resource_not_found_exception"


@pytest.mark.parametrize(
    ("unknown_node", "cause"),
    [
        (False, {"type": "resource_not_found_exception", "reason": "task [{id}] is not found"}),
        (True, {"type": "no_such_node_exception", "reason": "No such node [{node}]"}),
    ],
)
def test_not_found_on_cancel_is_a_node_failure(
    fake: FakeTasks, client: Client, unknown_node: bool, cause: dict[str, str]
) -> None:
    task = a_task(fake)
    fake.make_missing(task, unknown_node=unknown_node)
    response = client.post(f"/_tasks/{task.task_id}/_cancel")
    expected = {k: v.format(id=task.task_id, node=task.node) for k, v in cause.items()}
    if unknown_node:
        expected["node_id"] = task.node
    assert response.status_code == 200
    assert response.get_json() == {
        "node_failures": [
            {
                "type": "failed_node_exception",
                "reason": f"Failed node [{task.node}]",
                "node_id": task.node,
                "caused_by": expected,
            }
        ],
        "nodes": {},
    }
    assert not fake.task(task.task_id).cancelled


def test_a_failed_node_drops_out_of_lists_and_fails_gets(fake: FakeTasks, client: Client) -> None:
    node_id = list(fake.cluster.nodes)[1]
    node = fake.cluster.nodes[node_id]
    task = a_task(fake, 1)
    fake.fail_node(node.name)
    listed = client.get("/_tasks").get_json()
    address = f"{node.ip}:{node.port}"
    assert listed["node_failures"] == [
        {
            "type": "failed_node_exception",
            "reason": f"Failed node [{node_id}]",
            "node_id": node_id,
            "caused_by": {
                "type": "node_disconnected_exception",
                "reason": f"[{node.name}][{address}][cluster:monitor/tasks/lists[n]] disconnected",
            },
        }
    ]
    assert node_id not in listed["nodes"]
    response = client.get(f"/_tasks/{task.task_id}")
    reason = f"[{node.name}][{address}][cluster:monitor/task/get] disconnected"
    assert response.status_code == 502
    assert response.get_json()["error"] == {
        "root_cause": [{"type": "node_disconnected_exception", "reason": reason}],
        "type": "node_disconnected_exception",
        "reason": reason,
    }
    fake.restore_node(node_id)
    assert client.get(f"/_tasks/{task.task_id}").status_code == 200
    assert "node_failures" not in client.get("/_tasks").get_json()


def test_before_8_18_a_disconnected_node_is_a_500() -> None:
    fake = FakeTasks(Settings(version="8.17.4", tasks=6))
    fake.fail_node(list(fake.cluster.nodes)[2])
    task = a_task(fake, 2)
    assert Client(App(fake)).get(f"/_tasks/{task.task_id}").status_code == 500


def test_a_node_that_times_out(fake: FakeTasks, client: Client) -> None:
    node = fake.cluster.nodes[list(fake.cluster.nodes)[2]]
    fake.fail_node(node.id, "timeout", timeout="5s")
    cause = client.get("/_tasks").get_json()["node_failures"][0]["caused_by"]
    assert cause["type"] == "receive_timeout_transport_exception"
    assert cause["reason"].startswith(
        f"[{node.name}][{node.ip}:{node.port}][cluster:monitor/tasks/lists[n]] request_id ["
    )
    assert cause["reason"].endswith("] timed out after [5000ms]")
    response = client.get(f"/_tasks/{a_task(fake, 2).task_id}")
    assert response.status_code == 500
    assert "[cluster:monitor/task/get] request_id [" in response.get_json()["error"]["reason"]


def test_a_node_can_fail_with_any_es_error(fake: FakeTasks, client: Client) -> None:
    fake.fail_node(list(fake.cluster.nodes)[1], EsError.custom("node_closed_exception", "bye", 503))
    cause = client.get("/_tasks").get_json()["node_failures"][0]["caused_by"]
    assert cause == {"type": "node_closed_exception", "reason": "bye"}


def test_unknown_node_failure_causes_are_refused(fake: FakeTasks) -> None:
    with pytest.raises(FakeTasksError, match="unknown node failure cause"):
        fake.fail_node(next(iter(fake.cluster.nodes)), "exploded")


# -- task failures -------------------------------------------------------------------------------


def failure_entry(task: Task, reason: str = "boom") -> dict[str, Any]:
    return {
        "task_id": task.id,
        "node_id": task.node,
        "status": "INTERNAL_SERVER_ERROR",
        "reason": {"type": "illegal_state_exception", "reason": reason},
    }


def listed_ids(body: dict[str, Any]) -> list[str]:
    """Task ids in a list body, whatever its layout."""
    if "nodes" in body:
        return [key for node in body["nodes"].values() for key in node["tasks"]]
    found: list[str] = []
    pending = list(body["tasks"].values() if isinstance(body["tasks"], dict) else body["tasks"])
    while pending:
        task = pending.pop()
        found.append(f"{task['node']}:{task['id']}")
        pending.extend(task.get("children", []))
    return found


@pytest.mark.parametrize("group_by", ["nodes", "parents", "none"])
def test_task_failures_replace_the_task_in_every_layout(
    fake: FakeTasks, client: Client, group_by: str
) -> None:
    task = a_task(fake)
    failure = fake.add_task_failure(task, "boom")
    body = client.get(f"/_tasks?group_by={group_by}").get_json()
    assert next(iter(body)) == "task_failures"
    assert body["task_failures"] == [failure_entry(task)]
    assert str(task.task_id) not in listed_ids(body)
    own = 1 + len(fake.cluster.nodes)  # the list request's task and one child per node
    assert len(listed_ids(body)) == len(fake.tasks()) - 1 + own
    fake.faults.remove(failure)
    assert "task_failures" not in client.get(f"/_tasks?group_by={group_by}").get_json()


def test_a_failed_parent_leaves_its_children_listed(fake: FakeTasks, client: Client) -> None:
    parent = fake.add_task("test:parent")
    child = fake.add_task("test:child", parent=parent)
    grandchild = fake.add_task("test:child", parent=child)
    fake.add_task_failure(parent, EsError.custom("task_cancelled_exception", "x", 400))
    body = client.get("/_tasks?group_by=parents&actions=test:*").get_json()
    assert list(body["tasks"]) == [str(child.task_id)]
    assert body["tasks"][str(child.task_id)]["children"][0]["id"] == grandchild.id
    assert body["task_failures"][0]["status"] == "BAD_REQUEST"


def test_task_failures_only_for_tasks_in_the_answer(fake: FakeTasks, client: Client) -> None:
    fake.add_task_failure(a_task(fake), "boom")
    assert "task_failures" not in client.get("/_tasks?actions=nothing*").get_json()


def test_task_failures_keep_pretty_and_filter_path(fake: FakeTasks, client: Client) -> None:
    task = a_task(fake)
    fake.add_task_failure(task, "boom")
    pretty = client.get("/_tasks?pretty")
    assert pretty.get_data().startswith(b'{\n  "task_failures" : [')
    filtered = client.get("/_tasks?filter_path=task_failures.task_id").get_json()
    assert filtered == {"task_failures": [{"task_id": task.id}]}


def test_cancelling_a_failing_task_reports_it_and_leaves_it_running(
    fake: FakeTasks, client: Client
) -> None:
    task = a_task(fake)
    fake.add_task_failure(task, "cannot cancel")
    body = client.post(f"/_tasks/{task.task_id}/_cancel").get_json()
    assert body == {"task_failures": [failure_entry(task, "cannot cancel")], "nodes": {}}
    assert not fake.task(task.task_id).cancelled


# -- transport faults, in-process ----------------------------------------------------------------


def test_a_virtual_delay_moves_the_clock_not_the_wall(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.delay("10m"), api="tasks.list")
    wall = time.monotonic()
    assert client.get("/_tasks").status_code == 200
    assert time.monotonic() - wall < 1.0
    (exchange,) = fake.journal
    assert exchange.duration_ns == 601 * 10**9  # ten minutes plus the 1 s tick of the request


def test_a_real_delay_waits(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.delay(0.2, real=True))
    wall = time.monotonic()
    client.get("/")
    assert 0.2 <= time.monotonic() - wall < 2.0


def test_closing_the_cluster_releases_a_real_delay(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.delay(MAX_REAL_WAIT_S, real=True))
    done = threading.Event()

    def request() -> None:
        client.get("/")
        done.set()

    thread = threading.Thread(target=request)
    wall = time.monotonic()
    thread.start()
    time.sleep(0.1)
    fake.reset()  # closes the old cluster, as a server stop does
    thread.join(timeout=5)
    assert done.is_set()
    assert time.monotonic() - wall < 5


def test_reset_and_disconnect_raise_in_process(fake: FakeTasks, client: Client) -> None:
    fake.inject([Fault.reset(), Fault.disconnect()])
    with pytest.raises(ConnectionResetError):
        client.get("/_tasks")
    with pytest.raises(ConnectionAbortedError):
        client.get("/_tasks")
    assert [e.status for e in fake.journal] == [None, None]


def test_a_processed_reset_still_runs_the_request(fake: FakeTasks, client: Client) -> None:
    task = fake.slow_cancel(a_task(fake), "1m")  # still running, flagged, after the cancel
    fake.inject(Fault.reset(processed=True), api="tasks.cancel", times=1)
    with pytest.raises(ConnectionResetError):
        client.post(f"/_tasks/{task.task_id}/_cancel")
    assert fake.task(task.task_id).cancelled


def test_an_unprocessed_reset_does_not(fake: FakeTasks, client: Client) -> None:
    task = a_task(fake)
    fake.inject(Fault.reset(), api="tasks.cancel", times=1)
    with pytest.raises(ConnectionResetError):
        client.post(f"/_tasks/{task.task_id}/_cancel")
    assert not fake.task(task.task_id).cancelled


def test_a_truncated_body_sends_the_full_length_then_stops(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.truncated(at=12), api="info")
    response: TestResponse = client.get("/", buffered=False)
    assert response.status_code == 200
    length = int(response.headers["Content-Length"])
    assert length > 12
    with pytest.raises(ConnectionAbortedError):
        response.get_data()
    (exchange,) = fake.journal
    assert len(exchange.response_body) == 12


def test_a_malformed_body_is_not_json(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.malformed(b'{"nodes": [}'))
    response = client.get("/_tasks")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-elastic-product"] == "Elasticsearch"
    assert response.get_data() == b'{"nodes": [}'


def test_a_slow_body_arrives_whole_and_late(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.slow_body(0.2, chunks=3), api="info")
    expected = client.get("/").get_data()
    wall = time.monotonic()
    assert client.get("/").get_data() == expected
    assert time.monotonic() - wall >= 0.2
