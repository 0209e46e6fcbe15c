"""Real sockets: the official `elasticsearch` 9.x client against the `fake_tasks` server."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from fake_tasks import FakeTasks, Task

TIMEOUT = 5


@pytest.fixture
def es(fake_tasks: FakeTasks) -> Iterator[Elasticsearch]:
    assert fake_tasks.url is not None
    client = Elasticsearch(fake_tasks.url, request_timeout=TIMEOUT, max_retries=0)
    yield client
    client.close()


@pytest.fixture
def reindex(fake_tasks: FakeTasks) -> Task:
    return fake_tasks.add_task(
        "indices:data/write/reindex",
        description="reindex from [src] to [dst]",
        status={"total": 10},
        cancel_delay=None,
    )


@pytest.mark.fake_tasks(seed=3, nodes=3, tasks=20)
@pytest.mark.parametrize("group_by", ["nodes", "parents", "none"])
def test_list_in_every_grouping(
    es: Elasticsearch, fake_tasks: FakeTasks, reindex: Task, group_by: str
) -> None:
    response = es.tasks.list(group_by=group_by, detailed=True)  # type: ignore[arg-type]
    assert response.meta.status == 200
    assert response.meta.headers["X-elastic-product"] == "Elasticsearch"
    body = response.body
    if group_by == "nodes":
        tasks = {k: t for n in body["nodes"].values() for k, t in n["tasks"].items()}
        assert set(body["nodes"]) <= set(fake_tasks.cluster.nodes)
    elif group_by == "parents":
        tasks = dict(body["tasks"])
        assert all("parent_task_id" not in t for t in tasks.values() if "children" in t)
    else:
        tasks = {f"{t['node']}:{t['id']}": t for t in body["tasks"]}
    assert tasks[str(reindex.task_id)]["description"] == "reindex from [src] to [dst]"


def test_get_found_and_missing(es: Elasticsearch, fake_tasks: FakeTasks, reindex: Task) -> None:
    found = es.tasks.get(task_id=str(reindex.task_id))
    assert found["completed"] is False
    assert found["task"]["status"] == {"total": 10}
    with pytest.raises(NotFoundError) as caught:
        es.tasks.get(task_id=f"{reindex.node}:1")
    assert caught.value.meta.status == 404
    assert caught.value.error == "resource_not_found_exception"


@pytest.mark.fake_tasks(tasks=0)
def test_cancel_by_id_and_by_actions(
    es: Elasticsearch, fake_tasks: FakeTasks, reindex: Task
) -> None:
    search = fake_tasks.add_task("indices:data/read/search", cancel_delay=None)
    by_id = es.tasks.cancel(task_id=str(reindex.task_id))
    (node,) = by_id["nodes"].values()
    assert node["tasks"][str(reindex.task_id)]["cancelled"] is True
    by_actions = es.tasks.cancel(actions="*search")
    (node,) = by_actions["nodes"].values()
    assert list(node["tasks"]) == [str(search.task_id)]
    assert fake_tasks.task(search.task_id).cancelled


def test_opaque_id(es: Elasticsearch) -> None:
    response = es.options(opaque_id="my-opaque-id").tasks.list(
        actions="cluster:monitor/tasks/lists*",
        group_by="none",  # type: ignore[arg-type]
    )
    assert response.meta.headers["X-Opaque-Id"] == "my-opaque-id"
    assert response["tasks"]
    assert all(t["headers"]["X-Opaque-Id"] == "my-opaque-id" for t in response["tasks"])


def test_malformed_id_is_a_bad_request(es: Elasticsearch) -> None:
    with pytest.raises(BadRequestError) as caught:
        es.tasks.get(task_id="not-a-task-id")
    assert caught.value.meta.status == 400
    assert caught.value.body["error"]["reason"] == "malformed task id not-a-task-id"


def test_two_distinct_opaque_ids_are_refused(fake_tasks: FakeTasks) -> None:
    assert fake_tasks.url is not None
    address = urlsplit(fake_tasks.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=TIMEOUT)
    try:
        connection.putrequest("GET", "/_tasks")
        connection.putheader("X-Opaque-Id", "first")
        connection.putheader("X-Opaque-Id", "second")
        connection.endheaders()
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    reason = "multiple values for single-valued header [X-Opaque-Id]."
    assert response.status == 400
    assert response.getheader("X-Opaque-Id") == "first"  # the first value is echoed
    assert body == {
        "error": {
            "root_cause": [{"type": "illegal_argument_exception", "reason": reason}],
            "type": "illegal_argument_exception",
            "reason": reason,
        },
        "status": 400,
    }
