"""The routes and their parameters through the WSGI app, without sockets (werkzeug test client).

Expectations come from the reference (`es-behavior.md` sections 1-9) and `es-facts.md`.
"""

from __future__ import annotations

from typing import Any

import pytest
from expected import TASK_INFO_ORDER
from werkzeug.test import Client, TestResponse

from fake_tasks import FakeTasks, Settings, Task
from fake_tasks.versions import DEFAULT_VERSION

LIST = "cluster:monitor/tasks/lists"
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


@pytest.fixture
def fake() -> FakeTasks:
    """Three nodes, no generated tasks: the tests add what they look at."""
    return FakeTasks(Settings(seed=2, nodes=3, tasks=0))


@pytest.fixture
def search(fake: FakeTasks) -> Task:
    """A search on the first node with two shard children, one of them on another node."""
    nodes = list(fake.cluster.nodes)
    parent = fake.add_task(
        "indices:data/read/search",
        node=nodes[0],
        description="indices[logs-*], search_type[QUERY_THEN_FETCH], source[{}]",
        headers={"X-Opaque-Id": "dashboard"},
        cancel_delay=None,
    )
    for node in (nodes[0], nodes[1]):
        fake.add_task(
            "indices:data/read/search[phase/query]",
            node=node,
            description="shardId[[logs-1][0]]",
            parent=parent,
            headers={"X-Opaque-Id": "dashboard"},
            cancel_delay=None,
        )
    return parent


def ordered(keys: list[str]) -> list[str]:
    return [k for k in TASK_INFO_ORDER if k in keys]


def all_tasks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every task of a list/cancel answer in any of the three layouts."""
    if "nodes" in body:
        return [t for node in body["nodes"].values() for t in node["tasks"].values()]
    if isinstance(body["tasks"], list):
        return list(body["tasks"])
    out: list[dict[str, Any]] = []

    def walk(task: dict[str, Any]) -> None:
        out.append(task)
        for child in task.get("children", []):
            walk(child)

    for task in body["tasks"].values():
        walk(task)
    return out


def actions(body: dict[str, Any]) -> list[str]:
    return sorted(t["action"] for t in all_tasks(body))


def ok(response: TestResponse) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["X-elastic-product"] == "Elasticsearch"
    return response.get_json()


# -- GET / HEAD / OPTIONS ------------------------------------------------------------------------


def test_root_is_pretty_by_default_in_main_response_order(client: Client, fake: FakeTasks) -> None:
    response = client.get("/")
    text = response.get_data(as_text=True)
    assert text.startswith('{\n  "name" : ')
    assert text.endswith("\n}\n")
    body = ok(response)
    assert list(body) == ["name", "cluster_name", "cluster_uuid", "version", "tagline"]
    assert list(body["version"]) == [
        "number",
        "build_flavor",
        "build_type",
        "build_hash",
        "build_date",
        "build_snapshot",
        "lucene_version",
        "minimum_wire_compatibility_version",
        "minimum_index_compatibility_version",
    ]
    assert body["version"]["number"] == DEFAULT_VERSION
    assert body["version"]["build_flavor"] == "default"
    assert body["tagline"] == "You Know, for Search"
    assert body["cluster_name"] == fake.cluster.name
    assert body["name"] == fake.cluster.nodes[fake.cluster.local_node_id].name


def test_root_pretty_false_is_compact(client: Client) -> None:
    data = client.get("/?pretty=false").get_data()
    assert b"\n" not in data
    assert data.startswith(b'{"name":')


def test_head_root_has_headers_and_length_but_no_body(client: Client) -> None:
    get = client.get("/")
    head = client.head("/")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(get.get_data()))
    assert head.headers["Content-Type"] == "application/json"
    assert head.headers["X-elastic-product"] == "Elasticsearch"


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/_tasks", "GET"),
        ("/_tasks/n:1", "GET"),
        ("/_tasks/_cancel", "GET,POST"),
        ("/_tasks/n:1/_cancel", "POST"),
        ("/", "GET,HEAD"),
        ("/_nodes", "GET"),
        ("/_nope", None),
    ],
)
def test_options(client: Client, path: str, allow: str | None) -> None:
    response = client.options(path, headers={"X-Opaque-Id": "opt"})
    assert response.status_code == 200
    assert response.get_data() == b""
    assert response.headers["Content-Length"] == "0"
    assert response.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert response.headers["X-elastic-product"] == "Elasticsearch"
    assert response.headers["X-Opaque-Id"] == "opt"
    assert response.headers.get("Allow") == allow


# -- GET /_nodes ---------------------------------------------------------------------------------


def test_nodes_info_is_consistent_with_the_task_list(client: Client, fake: FakeTasks) -> None:
    body = ok(client.get("/_nodes"))
    assert list(body) == ["_nodes", "cluster_name", "nodes"]
    assert body["_nodes"] == {"total": 3, "successful": 3, "failed": 0}
    assert body["cluster_name"] == fake.cluster.name
    listed = ok(client.get("/_tasks"))["nodes"]
    assert list(body["nodes"]) == list(fake.cluster.nodes)
    for node_id, info in body["nodes"].items():
        keys = list(info)
        assert keys[:4] == ["name", "transport_address", "host", "ip"]
        assert keys.index("version") < keys.index("roles") < keys.index("attributes")
        assert info["ip"] == info["transport_address"].rsplit(":", 1)[0]  # no port here
        assert info["roles"] == sorted(info["roles"])
        in_list = listed[node_id]
        assert in_list["name"] == info["name"]
        assert in_list["transport_address"] == info["transport_address"]
        assert in_list["ip"] == info["transport_address"]  # with the port in the task list
        assert in_list["roles"] == info["roles"]


# -- GET /_tasks ---------------------------------------------------------------------------------


def test_list_shows_its_own_tasks_with_request_headers(client: Client, fake: FakeTasks) -> None:
    headers = {
        "X-Opaque-Id": "my-app",
        "traceparent": TRACEPARENT,
        "X-elastic-product-origin": "kibana",
        "X-Other": "not copied",
    }
    response = client.get("/_tasks?group_by=none", headers=headers)
    assert response.headers["X-Opaque-Id"] == "my-app"
    tasks = ok(response)["tasks"]
    local = fake.cluster.local_node_id
    parent = next(t for t in tasks if t["action"] == LIST)
    children = [t for t in tasks if t["action"] == LIST + "[n]"]
    expected_headers = {
        "X-Opaque-Id": "my-app",
        "trace.id": "0af7651916cd43dd8448eb211c80319c",
        "X-elastic-product-origin": "kibana",
    }
    assert parent["node"] == local
    assert parent["type"] == "transport"
    assert "parent_task_id" not in parent
    assert (parent["cancellable"], parent["cancelled"]) == (True, False)
    assert parent["headers"] == expected_headers
    assert sorted(c["node"] for c in children) == sorted(fake.cluster.nodes)
    for child in children:
        assert child["type"] == ("direct" if child["node"] == local else "transport")
        assert child["parent_task_id"] == f"{local}:{parent['id']}"
        assert (child["cancellable"], child["cancelled"]) == (True, False)
        assert child["headers"] == expected_headers
    local_child = next(c for c in children if c["node"] == local)
    assert local_child["id"] == parent["id"] + 1
    # the request's tasks are gone once it answered
    assert [t for t in fake.tasks() if t.action.startswith(LIST)] == []


def test_short_traceparent_is_not_copied(client: Client) -> None:
    tasks = ok(client.get("/_tasks?group_by=none", headers={"traceparent": "00-abc"}))["tasks"]
    assert all(t["headers"] == {} for t in tasks)


def test_list_groups_by_nodes_and_only_nodes_with_tasks_appear(
    client: Client, fake: FakeTasks, search: Task
) -> None:
    body = ok(client.get("/_tasks?actions=indices:data/read/search"))
    assert list(body) == ["nodes"]
    assert list(body["nodes"]) == [search.node]
    node = body["nodes"][search.node]
    assert list(node) == [
        "name",
        "transport_address",
        "host",
        "ip",
        "roles",
        "attributes",
        "tasks",
    ]
    assert list(node["tasks"]) == [str(search.task_id)]
    task = node["tasks"][str(search.task_id)]
    assert list(task) == ordered(list(task))
    assert "description" not in task  # not detailed
    assert "status" not in task


def test_list_actions_wildcards(client: Client, search: Task) -> None:
    body = ok(client.get("/_tasks?actions=*search&group_by=none"))
    assert actions(body) == ["indices:data/read/search"]  # `*search` does not match `[phase/query]`
    body = ok(client.get("/_tasks?actions=indices:*,nothing&group_by=none"))
    assert (
        actions(body)
        == ["indices:data/read/search"] + ["indices:data/read/search[phase/query]"] * 2
    )
    body = ok(client.get("/_tasks?actions=INDICES:*"))  # case-sensitive
    assert body == {"nodes": {}}


def test_list_group_by_parents_nests_children(client: Client, search: Task) -> None:
    body = ok(client.get("/_tasks?group_by=parents&actions=indices:data/read/search*"))
    assert list(body) == ["tasks"]
    assert list(body["tasks"]) == [str(search.task_id)]
    top = body["tasks"][str(search.task_id)]
    assert list(top)[-1] == "children"
    assert [c["parent_task_id"] for c in top["children"]] == [str(search.task_id)] * 2
    assert all("children" not in c for c in top["children"])
    # a filtered-out parent makes its children top-level
    body = ok(client.get("/_tasks?group_by=parents&actions=*[phase/query]"))
    assert len(body["tasks"]) == 2
    assert all("children" not in t for t in body["tasks"].values())


def test_list_group_by_none_is_an_array(client: Client, search: Task) -> None:
    body = ok(client.get("/_tasks?group_by=none&actions=indices:*"))
    assert list(body) == ["tasks"]
    assert isinstance(body["tasks"], list)
    assert len(body["tasks"]) == 3


def test_list_parent_task_id_filter(client: Client, search: Task) -> None:
    body = ok(client.get(f"/_tasks?group_by=none&parent_task_id={search.task_id}"))
    assert actions(body) == ["indices:data/read/search[phase/query]"] * 2
    unset = ok(client.get("/_tasks?group_by=none&parent_task_id=unset&actions=indices:*"))
    assert len(unset["tasks"]) == 3  # `unset` is no filter


@pytest.mark.parametrize(
    ("query", "detailed"),
    [("detailed", True), ("detailed=", True), ("detailed=true", True), ("detailed=false", False)],
)
def test_detailed(client: Client, search: Task, query: str, detailed: bool) -> None:
    body = ok(client.get(f"/_tasks?group_by=none&actions=indices:data/read/search&{query}"))
    (task,) = body["tasks"]
    assert ("description" in task) is detailed
    if detailed:
        assert task["description"] == search.description


def test_detailed_whitespace_is_the_default(client: Client, search: Task) -> None:
    body = ok(client.get("/_tasks?group_by=none&actions=indices:data/read/search&detailed=%20"))
    assert "description" not in body["tasks"][0]


def test_detailed_list_tasks_have_an_empty_description(client: Client) -> None:
    tasks = ok(client.get(f"/_tasks?group_by=none&detailed&actions={LIST}*"))["tasks"]
    assert tasks
    assert all(t["description"] == "" for t in tasks)


def test_detailed_shows_status(client: Client, fake: FakeTasks) -> None:
    fake.add_task("indices:data/write/reindex", status={"total": 5}, description="reindex")
    body = ok(client.get("/_tasks?group_by=none&detailed&actions=*reindex"))
    (task,) = body["tasks"]
    assert list(task)[4:6] == ["status", "description"]
    assert task["status"] == {"total": 5}


def test_human_adds_start_time_and_running_time(client: Client, fake: FakeTasks) -> None:
    fake.add_task("indices:data/read/search", started_ago=90)
    body = ok(client.get("/_tasks?group_by=none&human&actions=indices:*"))
    (task,) = body["tasks"]
    assert list(task) == ordered(list(task))
    assert list(task).index("start_time") == list(task).index("start_time_in_millis") - 1
    assert list(task).index("running_time") == list(task).index("running_time_in_nanos") - 1
    assert task["start_time"] == "2025-12-31T23:58:30.000Z"  # the virtual clock starts 2026-01-01
    # the request itself moved the virtual clock by one tick (1s): 91s, shown with one decimal
    assert task["running_time_in_nanos"] == 91 * 10**9
    assert task["running_time"] == "1.5m"
    plain = ok(client.get("/_tasks?group_by=none&actions=indices:*"))["tasks"][0]
    assert "start_time" not in plain
    assert "running_time" not in plain


def test_list_nodes_param(client: Client, fake: FakeTasks, search: Task) -> None:
    local = fake.cluster.local_node_id
    body = ok(client.get("/_tasks?nodes=_local"))
    assert list(body["nodes"]) == [local]
    name = fake.cluster.nodes[list(fake.cluster.nodes)[1]].name
    body = ok(client.get(f"/_tasks?nodes={name}&group_by=none"))
    assert {t["node"] for t in body["tasks"]} == {list(fake.cluster.nodes)[1]}
    assert ok(client.get("/_tasks?nodes=nothing-like-this")) == {"nodes": {}}


def test_filter_path_on_success(client: Client, search: Task) -> None:
    body = ok(client.get("/_tasks?filter_path=nodes.*.name"))
    assert list(body) == ["nodes"]
    assert all(list(node) == ["name"] for node in body["nodes"].values())
    body = ok(client.get("/_tasks?group_by=none&filter_path=tasks.action,-tasks.headers"))
    assert all(list(t) == ["action"] for t in body["tasks"])
    assert ok(client.get("/_tasks?filter_path=nothing")) == {}


@pytest.mark.parametrize("value", ["foo", "json"])
def test_format_falls_back_to_json(client: Client, value: str) -> None:
    response = client.get(f"/_tasks?format={value}")
    assert response.headers["Content-Type"] == "application/json"
    assert "nodes" in ok(response)


def test_content_type_without_body_is_fine(client: Client) -> None:
    ok(client.get("/_tasks", headers={"Content-Type": "text/plain"}))


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "application/json"),
        ("application/json", "application/json"),
        (
            "application/vnd.elasticsearch+json; compatible-with=9",
            "application/vnd.elasticsearch+json;compatible-with=9",
        ),
        (
            "application/vnd.elasticsearch+json;compatible-with=8",
            "application/vnd.elasticsearch+json;compatible-with=8",
        ),
    ],
)
def test_content_type_echoes_compatible_with(
    client: Client, accept: str | None, content_type: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    for path in ("/_tasks", "/_tasks/x:1", "/_nodes", "/"):
        response = client.get(path, headers=headers)
        assert response.headers["Content-Type"] == content_type, path


def test_pretty_list_has_a_trailing_newline(client: Client) -> None:
    data = client.get("/_tasks?pretty").get_data(as_text=True)
    assert data.startswith('{\n  "nodes" : {\n')
    assert data.endswith("}\n")
    assert '"headers" : { }' in data


# -- GET /_tasks/<id> ----------------------------------------------------------------------------


def test_get_running_task(client: Client, fake: FakeTasks) -> None:
    task = fake.add_task(
        "indices:data/write/reindex",
        description="reindex from [a] to [b]",
        status={"total": 10},
        headers={"X-Opaque-Id": "r"},
    )
    body = ok(client.get(f"/_tasks/{task.task_id}"))
    assert list(body) == ["completed", "task"]
    assert body["completed"] is False
    info = body["task"]
    assert list(info) == ordered(list(info))
    assert info["description"] == "reindex from [a] to [b]"  # always detailed
    assert info["status"] == {"total": 10}
    assert info["headers"] == {"X-Opaque-Id": "r"}
    assert (info["cancellable"], info["cancelled"]) == (True, False)


def test_get_stored_result(client: Client, fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/write/reindex", store_result=True, description="r")
    fake.finish(task, {"created": 3})
    body = ok(client.get(f"/_tasks/{task.task_id}"))
    assert list(body) == ["completed", "task", "response"]
    assert body["completed"] is True
    assert body["response"] == {"created": 3}
    # stored without it (TaskResultsService), read back with its default (TaskInfo.PARSER)
    assert body["task"]["cancelled"] is False


def test_get_stored_cancellation(client: Client, fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/read/search", store_result=True, cancel_delay=0)
    ok(client.post(f"/_tasks/{task.task_id}/_cancel"))
    body = ok(client.get(f"/_tasks/{task.task_id}"))
    assert list(body) == ["completed", "task", "error"]
    assert body["error"] == {
        "type": "task_cancelled_exception",
        "reason": "task cancelled [by user request]",
    }


def test_cancelled_reindex_stand_in_stores_a_response_naming_the_cancel(
    client: Client, fake: FakeTasks
) -> None:
    task = fake.add_task("indices:data/write/reindex", store_result=True, cancel_delay=0)
    ok(client.post(f"/_tasks/{task.task_id}/_cancel"))
    body = ok(client.get(f"/_tasks/{task.task_id}"))
    assert list(body) == ["completed", "task", "response"]
    assert body["response"]["canceled"] == "by user request"
    assert body["response"]["failures"] == []
    assert body["task"]["status"]["canceled"] == "by user request"


def test_get_wait_for_completion(client: Client, fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/read/search", duration=5)
    body = ok(client.get(f"/_tasks/{task.task_id}?wait_for_completion=true&timeout=10s"))
    assert body["completed"] is True
    assert body["task"]["id"] == task.id
    assert "response" not in body  # nothing stored


def test_get_human(client: Client, fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/read/search")
    info = ok(client.get(f"/_tasks/{task.task_id}?human"))["task"]
    assert list(info) == ordered(list(info))
    assert "start_time" in info
    assert "running_time" in info


# -- POST /_tasks/_cancel and /_tasks/<id>/_cancel -----------------------------------------------


def test_cancel_by_id(client: Client, fake: FakeTasks, search: Task) -> None:
    body = ok(client.post(f"/_tasks/{search.task_id}/_cancel"))
    assert list(body) == ["nodes"]
    (task,) = all_tasks(body)
    assert task["id"] == search.id
    assert (task["cancellable"], task["cancelled"]) == (True, True)
    assert "description" not in task  # not detailed
    # children are banned too: the list shows all three cancelled
    listed = all_tasks(ok(client.get("/_tasks?actions=indices:*")))
    assert [t["cancelled"] for t in listed] == [True, True, True]


def test_cancel_again_answers_the_task_again(client: Client, search: Task) -> None:
    ok(client.post(f"/_tasks/{search.task_id}/_cancel"))
    body = ok(client.post(f"/_tasks/{search.task_id}/_cancel?group_by=none"))
    assert list(body) == ["tasks"]
    assert [(t["id"], t["cancelled"]) for t in body["tasks"]] == [(search.id, True)]


def test_cancel_by_actions(client: Client, fake: FakeTasks, search: Task) -> None:
    bulk = fake.add_task("indices:data/write/bulk", cancellable=False)
    other = fake.add_task("indices:admin/refresh", cancel_delay=None)
    body = ok(client.post("/_tasks/_cancel?actions=indices:data/*&group_by=none"))
    assert list(body) == ["tasks"]  # the bulk is skipped silently: no failures
    assert (
        actions(body)
        == ["indices:data/read/search"] + ["indices:data/read/search[phase/query]"] * 2
    )
    assert not fake.task(bulk.task_id).cancelled
    assert not fake.task(other.task_id).cancelled
    assert fake.task(search.task_id).cancelled


def test_cancel_by_parent(client: Client, fake: FakeTasks, search: Task) -> None:
    body = ok(client.post(f"/_tasks/_cancel?parent_task_id={search.task_id}&group_by=parents"))
    assert len(all_tasks(body)) == 2
    assert not fake.task(search.task_id).cancelled


def test_cancel_by_nodes(client: Client, fake: FakeTasks, search: Task) -> None:
    second = list(fake.cluster.nodes)[1]
    body = ok(client.post(f"/_tasks/_cancel?nodes={second}&actions=indices:*"))
    assert list(body["nodes"]) == [second]
    assert actions(body) == ["indices:data/read/search[phase/query]"]


def test_cancel_wait_for_completion(client: Client, fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/read/search", cancel_delay=3)
    body = ok(client.post(f"/_tasks/{task.task_id}/_cancel?wait_for_completion=true"))
    assert [t["id"] for t in all_tasks(body)] == [task.id]
    assert fake.tasks("indices:data/read/search") == []  # it finished before the answer


def test_cancel_without_wait_leaves_a_slow_task_running(client: Client, fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/read/search", cancel_delay=3600)
    ok(client.post(f"/_tasks/{task.task_id}/_cancel"))
    assert fake.task(task.task_id).cancelled


def test_cancel_task_id_as_query_parameter(client: Client, fake: FakeTasks, search: Task) -> None:
    body = ok(client.post(f"/_tasks/_cancel?task_id={search.task_id}"))
    assert [t["id"] for t in all_tasks(body)] == [search.id]
