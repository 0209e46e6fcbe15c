"""The control API through the app, without sockets: every route, its answers checked against
`schemas/control/responses.json`, and every refusal."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, TaskId, VirtualClock
from fake_tasks.contract.control import problems
from fake_tasks.rest.app import App
from fake_tasks.rest.control.routes import CONTROL_ROUTES


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks()


@pytest.fixture
def call(client: Client, fake: FakeTasks) -> Any:
    def send(method: str, path: str, body: object = None, **kw: Any) -> tuple[int, Any]:
        response = client.open(path, method=method, json=body, **kw)
        assert fake.server_errors == []  # every answer matched its schema
        return response.status_code, response.json

    return send


def add(call: Any, **task: Any) -> str:
    status, body = call(
        "POST", "/_fake_tasks/tasks", {"action": "indices:data/write/reindex", **task}
    )
    assert status == 201, body
    return str(body["task"]["id"])


def test_info_and_reset(call: Any, fake: FakeTasks) -> None:
    status, info = call("GET", "/_fake_tasks")
    assert status == 200
    assert info["settings"]["seed"] == 0
    assert info["counts"]["running_tasks"] == len(fake.tasks())
    status, info = call("POST", "/_fake_tasks/_reset", {"seed": 9, "tasks": 0, "tick": "0s"})
    assert (status, info["settings"]["seed"], info["counts"]["running_tasks"]) == (200, 9, 0)
    assert fake.settings.seed == 9


def test_tasks_and_their_transitions_call_the_python_api(call: Any, fake: FakeTasks) -> None:
    fake.reset(tasks=0)
    status, added = call(
        "POST",
        "/_fake_tasks/tasks",
        {"action": "a:parent", "duration": "1m", "children": [{"action": "a:child"}]},
    )
    assert status == 201
    parent = added["task"]["id"]
    assert added["started"] == [parent, added["task"]["children"][0]]
    assert [str(t.task_id) for t in fake.tasks()] == added["started"]
    assert call("GET", "/_fake_tasks/tasks?action=a:c*")[1]["tasks"][0]["action"] == "a:child"
    assert call("POST", f"/_fake_tasks/tasks/{parent}/_slow_cancel", {"delay": "5s"})[0] == 200
    assert fake.task(parent).cancel_delay_ns == 5_000_000_000
    status, cancelled = call("POST", f"/_fake_tasks/tasks/{parent}/_cancel")
    assert cancelled["task"]["cancelled"] is True
    assert cancelled["task"]["ends_in_nanos"] == 5_000_000_000
    assert call("POST", "/_fake_tasks/clock/_advance", {"by": "5s"})[0] == 200
    assert call("GET", f"/_fake_tasks/tasks/{parent}")[0] == 404
    other = add(call, store_result=True)
    assert call("POST", f"/_fake_tasks/tasks/{other}/_duration", {"duration": "3s"})[0] == 200
    assert call("POST", f"/_fake_tasks/tasks/{other}/_run_until_finished")[0] == 200
    assert fake.tasks() == []
    failing = add(call, store_result=True)
    error = {"type": "index_not_found_exception", "reason": "no such index [x]", "status": 404}
    assert call("POST", f"/_fake_tasks/tasks/{failing}/_fail", {"error": error})[0] == 200
    stored = fake.cluster.stored_result(TaskId.parse(failing))  # type: ignore[arg-type]
    assert stored is not None
    assert stored.error is not None
    assert stored.error.es_type == "index_not_found_exception"


def test_finish_ignore_cancel_missing_and_task_failures(call: Any, fake: FakeTasks) -> None:
    task = add(call)
    assert call("POST", f"/_fake_tasks/tasks/{task}/_ignore_cancel")[0] == 200
    assert fake.task(task).cancel_delay_ns is None
    status, rule = call("POST", f"/_fake_tasks/tasks/{task}/_missing", {"times": 2})
    assert (status, rule["fault"]["match"]["params"], rule["fault"]["times"]) == (
        201,
        {"task_id": task},
        2,
    )
    status, failure = call(
        "POST", f"/_fake_tasks/tasks/{task}/_task_failure", {"error": "shard failed"}
    )
    assert (status, failure["task_failure"]["error"]["type"]) == (201, "illegal_state_exception")
    assert call("POST", f"/_fake_tasks/tasks/{task}/_finish", {"result": {"ok": 1}})[0] == 200
    assert call("GET", "/_fake_tasks/faults")[1]["task_failures"][0]["task_id"] == task


def test_nodes_fail_and_restore(call: Any, fake: FakeTasks) -> None:
    name = next(iter(fake.cluster.nodes.values())).name
    _, failed = call("POST", f"/_fake_tasks/nodes/{name}/_fail", {"cause": "timeout"})
    assert failed["node"]["failed"]["type"] == "receive_timeout_transport_exception"
    assert call("GET", "/_fake_tasks/nodes")[1]["nodes"][0]["failed"] is not None
    assert call("POST", f"/_fake_tasks/nodes/{name}/_restore")[1]["node"]["failed"] is None
    assert call("POST", "/_fake_tasks/nodes/nope/_fail", {})[0] == 404


def test_faults_added_listed_removed(call: Any, fake: FakeTasks, client: Client) -> None:
    rule = {"fault": [{"kind": "error", "type": "x_exception", "reason": "r", "status": 502}]}
    status, added = call("POST", "/_fake_tasks/faults", {**rule, "api": "tasks.list", "times": 1})
    assert status == 201
    assert client.get("/_tasks").status_code == 502
    assert call("GET", "/_fake_tasks/faults")[1]["faults"][0]["hits"] == 1
    assert call("DELETE", f"/_fake_tasks/faults/{added['fault']['id']}")[0] == 200
    assert call("DELETE", "/_fake_tasks/faults/99")[0] == 404
    call("POST", "/_fake_tasks/faults", {"fault": {"kind": "delay", "duration": "2s"}})
    assert call("DELETE", "/_fake_tasks/faults")[0] == 200
    assert len(fake.faults) == 0


def test_stubs_added_listed_removed(call: Any, fake: FakeTasks, client: Client) -> None:
    stub = {"method": "GET", "path": "/_cluster/state", "answers": [{"json": {"a": 1}}]}
    status, added = call("POST", "/_fake_tasks/stubs", stub)
    assert status == 201
    assert client.get("/_cluster/state").json == {"a": 1}
    assert call("GET", "/_fake_tasks/stubs")[1]["stubs"][0]["hits"] == 1
    assert call("DELETE", f"/_fake_tasks/stubs/{added['stub']['id']}")[0] == 200
    assert call("DELETE", "/_fake_tasks/stubs/1")[0] == 404
    assert call("DELETE", "/_fake_tasks/stubs")[0] == 200
    status, refused = call("POST", "/_fake_tasks/stubs", {"path": "/_tasks", "json": {}})
    assert status == 400
    assert "override=True" in refused["error"]["reason"]


def test_the_journal_pages_and_filters(call: Any, fake: FakeTasks, client: Client) -> None:
    for _ in range(3):
        client.get("/_tasks")
    client.get("/_cluster/state")
    call("GET", "/_fake_tasks")  # control requests are not journaled
    _, page = call("GET", "/_fake_tasks/journal?from=1&size=2")
    assert (page["total"], page["from"], page["size"]) == (4, 1, 2)
    assert [e["seq"] for e in page["exchanges"]] == [2, 3]
    assert call("GET", "/_fake_tasks/journal?api=tasks.list")[1]["total"] == 3
    assert call("GET", "/_fake_tasks/journal?unexpected=true")[1]["total"] == 1
    assert call("GET", "/_fake_tasks/journal?status=400&method=GET")[1]["total"] == 1
    assert call("GET", "/_fake_tasks/journal?path=/_cluster/*")[1]["total"] == 1
    lean = call("GET", "/_fake_tasks/journal?bodies=false&size=1")[1]["exchanges"][0]
    assert "response_body" not in lean
    assert "response_body" in page["exchanges"][0]
    assert call("GET", "/_fake_tasks/journal?bodies=no")[0] == 400
    _, verify = call("GET", "/_fake_tasks/verify")
    assert verify["ok"] is False
    assert verify["unexpected"] == ["GET /_cluster/state -> 400"]
    assert call("DELETE", "/_fake_tasks/journal")[0] == 200
    assert call("GET", "/_fake_tasks/verify")[1]["ok"] is True


def test_control_requests_do_not_move_the_clock(call: Any, fake: FakeTasks) -> None:
    before = fake.clock.now_ns()
    for _ in range(3):
        call("GET", "/_fake_tasks/clock")
    assert fake.clock.now_ns() == before


def test_a_scenario_over_http(client: Client, fake: FakeTasks) -> None:
    text = "scenario: 1\nnodes: [{name: n1}]\ntasks:\n  - {action: 'a:b', ref: t}\n"
    response = client.put("/_fake_tasks/scenario", data=text, content_type="application/yaml")
    assert response.status_code == 200
    assert response.json["refs"] == {"t": str(fake.tasks()[0].task_id)}
    bad = client.put("/_fake_tasks/scenario", data="scenario: 1\ntasks: [{node: x}]\n")
    assert bad.status_code == 400
    [problem] = bad.json["error"]["problems"]
    assert problem == {
        "pointer": "/tasks/0",
        "rule": "$defs/task/then/required",
        "message": "'action' is a required property",
        "line": 2,
    }
    not_a_file = client.put("/_fake_tasks/scenario", data="reindex-slow-cancel")
    assert not_a_file.status_code == 400  # text over HTTP is never read as a file name


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "kind"),
    [
        ("GET", "/_fake_tasks/nope", None, 404, "unknown_control_route"),
        ("PUT", "/_fake_tasks/faults", None, 405, "control_method_not_allowed"),
        (
            "POST",
            "/_fake_tasks/faults",
            {"fault": {"kind": "nope"}},
            400,
            "invalid_control_request",
        ),
        ("POST", "/_fake_tasks/clock/_advance", {}, 400, "invalid_control_request"),
        ("POST", "/_fake_tasks/clock/_advance", {"by": "forever"}, 400, "invalid_control_request"),
        ("GET", "/_fake_tasks/tasks/x:1", None, 404, "control_resource_not_found"),
        ("GET", "/_fake_tasks/journal?size=5000", None, 400, "invalid_control_request"),
        ("GET", "/_fake_tasks/journal?colour=red", None, 400, "invalid_control_request"),
        ("GET", "/_fake_tasks/clock?x=1", None, 400, "invalid_control_request"),
        ("DELETE", "/_fake_tasks/stubs/abc", None, 400, "invalid_control_request"),
        (
            "POST",
            "/_fake_tasks/tasks",
            {"action": "a", "node": "nope"},
            400,
            "invalid_control_request",
        ),
    ],
)
def test_refusals_are_json_errors(
    call: Any, method: str, path: str, body: object, status: int, kind: str
) -> None:
    got, answer = call(method, path, body)
    assert (got, answer["error"]["type"], answer["status"]) == (status, kind, status)


def test_a_body_that_is_not_json(client: Client) -> None:
    response = client.post("/_fake_tasks/faults", data=b"{nope", content_type="application/json")
    assert response.status_code == 400
    assert "not JSON" in response.json["error"]["reason"]


def test_a_schema_problem_names_pointer_and_rule(call: Any) -> None:
    _, answer = call("POST", "/_fake_tasks/faults", {"fault": {"kind": "delay"}})
    assert answer["error"]["problems"][0] == {
        "pointer": "/fault",
        "rule": "$defs/fault/allOf/4/then/required",
        "message": "'duration' is a required property",
    }


def test_405_names_the_allowed_methods(client: Client) -> None:
    response = client.put("/_fake_tasks/tasks")
    assert response.headers["Allow"] == "GET,POST"


def test_remote_peers_are_refused_unless_allowed(fake: FakeTasks) -> None:
    remote = {"REMOTE_ADDR": "192.0.2.7"}
    refused = Client(App(fake)).get("/_fake_tasks", environ_base=remote)
    assert refused.status_code == 403
    assert refused.json["error"]["type"] == "remote_control_refused"
    assert (
        Client(App(fake)).get("/_fake_tasks", environ_base={"REMOTE_ADDR": "::1"}).status_code
        == 200
    )
    allowed = Client(App(fake, allow_remote_control=True)).get("/_fake_tasks", environ_base=remote)
    assert allowed.status_code == 200
    assert Client(App(fake)).get("/_tasks", environ_base=remote).status_code == 200  # ES routes


def test_pretty(client: Client) -> None:
    assert client.get("/_fake_tasks/clock?pretty").data.startswith(b'{\n  "virtual"')


def test_every_route_has_schemas() -> None:
    for route in CONTROL_ROUTES:
        if route.body is not None:
            assert problems(f"requests.json#/$defs/{route.body}", {}) is not None
        assert problems(f"responses.json#/$defs/{route.answer}", None) != []


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"action": "a", "children": '
        + b'[{"action": "a", "children": ' * 3000
        + b"[]"
        + b"}]" * 3000
        + b"}",
        b"\xff\xfe",
        b'"just a string"',
        b'{"action": "a", "duration": 1e308}',
        b'{"action": "a", "running_for": "999999999999d"}',
    ],
    ids=["deep-array", "deep-tree", "not-utf8", "not-an-object", "huge-number", "huge-string"],
)
def test_hostile_bodies_get_json_errors(client: Client, fake: FakeTasks, body: bytes) -> None:
    response = client.post("/_fake_tasks/tasks", data=body, content_type="application/json")
    assert response.status_code in (201, 400), response.data[:200]
    assert response.json is not None
    assert fake.server_errors == []


def test_an_internal_error_is_a_json_500_recorded_for_the_test(
    client: Client, fake: FakeTasks, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(fake, "advance", broken)
    response = client.post("/_fake_tasks/clock/_advance", json={"by": "1s"})
    assert response.status_code == 500
    assert response.json["error"]["type"] == "control_internal_error"
    assert len(fake.server_errors) == 1


def test_reset_sets_the_tick_of_a_given_virtual_clock() -> None:
    fake = FakeTasks(clock=VirtualClock(tick="1s"))
    client = Client(App(fake))
    assert client.post("/_fake_tasks/_reset", json={"tick": "5s"}).status_code == 200
    before = fake.clock.now_ns()
    client.get("/_tasks")
    assert fake.clock.now_ns() - before == 5_000_000_000
    fake.load_scenario("scenario: 1\nclock: {tick: 2s}\n")
    before = fake.clock.now_ns()
    client.get("/_tasks")
    assert fake.clock.now_ns() - before == 2_000_000_000


def test_indices_and_rollup_jobs_over_http(call: Any, fake: FakeTasks, client: Client) -> None:
    index = {"name": "logs-1", "docs": 10, "fields": {"@timestamp": "date"}, "aliases": ["logs"]}
    status, added = call("POST", "/_fake_tasks/indices", index)
    assert (status, added["index"]["docs"], added["index"]["aliases"]) == (201, 10, ["logs"])
    assert client.head("/logs-1").status_code == 200  # the same catalog the routes read
    listed = call("GET", "/_fake_tasks/indices?name=logs-*")[1]["indices"]
    assert [i["name"] for i in listed] == ["logs-1"]
    assert call("POST", "/_fake_tasks/indices", index)[0] == 400  # exists already
    assert call("DELETE", "/_fake_tasks/indices/logs-1")[0] == 200
    assert call("DELETE", "/_fake_tasks/indices/logs-1")[0] == 404
    job = {"id": "sensors", "state": "indexing", "stop_delay": "10s"}
    status, made = call("POST", "/_fake_tasks/rollup_jobs", job)
    assert (status, made["rollup_job"]["state"]) == (201, "indexing")
    assert fake.rollup_job("sensors").behaviour.stop_delay_ns == 10_000_000_000


def test_the_schemas_are_served(call: Any) -> None:
    status, schema = call("GET", "/_fake_tasks/schemas/scenario.json")
    assert status == 200
    assert schema["$id"].endswith("/control/scenario.json")
    assert call("GET", "/_fake_tasks/schemas/../schemas.py")[0] == 404
    assert call("GET", "/_fake_tasks/schemas/nope.json")[1]["error"]["type"] == (
        "control_resource_not_found"
    )


def test_the_fixture_server_answers_control_requests(fake_tasks: FakeTasks) -> None:
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{fake_tasks.url}/_fake_tasks/tasks",
        data=json.dumps({"action": "x:y"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
    assert [t.action for t in fake_tasks.tasks("x:*")] == ["x:y"]
    assert len(fake_tasks.journal) == 0  # control requests are not journaled
