"""The official `elasticsearch` 9.x client over real sockets: the APIs that start tasks, the
observing APIs, and the polling loops client code runs against them."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import ApiError, Elasticsearch

from fake_tasks import FakeTasks

POLLS = 50  # no loop below may run longer; each request moves the virtual clock 1 s

pytestmark = pytest.mark.fake_tasks(seed=1, nodes=3, tasks=0)


@pytest.fixture
def logs(fake_tasks: FakeTasks) -> str:
    fake_tasks.add_index("logs", docs=50_000, settings={"number_of_shards": 3})
    return "logs"


def poll(es: Elasticsearch, task: str) -> tuple[dict[str, Any], int]:
    """`tasks.get` until `completed`, as client code does; the body and the number of polls."""
    for count in range(1, POLLS + 1):
        body = es.tasks.get(task_id=task).body
        if body["completed"]:
            return body, count
    raise AssertionError(f"{task} did not complete in {POLLS} polls")


def test_reindex_without_waiting_then_polled_to_its_stored_response(
    es: Elasticsearch, fake_tasks: FakeTasks, logs: str
) -> None:
    started = es.reindex(
        source={"index": logs}, dest={"index": "logs-v2"}, wait_for_completion=False
    )
    body, polls = poll(es, started["task"])
    assert polls == 5  # 50,000 documents at 10,000/s, one second per request
    response = body["response"]
    assert (response["total"], response["created"], response["batches"]) == (50_000, 50_000, 50)
    assert response["failures"] == []
    assert response["throttled"] == "0s"  # stored with human=true
    assert body["task"]["status"]["created"] == 50_000
    assert body["task"]["cancelled"] is False
    assert body["task"]["description"] == "reindex from [logs] to [logs-v2]"
    assert fake_tasks.index("logs-v2").docs_count == 50_000


def test_sliced_reindex_shows_null_slots_until_each_slice_ends(
    es: Elasticsearch, fake_tasks: FakeTasks, logs: str
) -> None:
    fake_tasks.set_bulk_speed(1000)  # each slice takes about 17 s
    started = es.reindex(
        source={"index": logs}, dest={"index": "copy"}, slices="auto", wait_for_completion=False
    )
    running = es.tasks.get(task_id=started["task"]).body
    assert running["completed"] is False
    assert running["task"]["status"]["slices"] == [None, None, None]  # one slice per shard
    children = es.tasks.list(parent_task_id=started["task"], detailed=True)["nodes"]
    slice_ids = sorted(
        t["status"]["slice_id"] for node in children.values() for t in node["tasks"].values()
    )
    assert slice_ids == [0, 1, 2]
    body, _ = poll(es, started["task"])
    assert [s["slice_id"] for s in body["response"]["slices"]] == [0, 1, 2]
    assert body["response"]["created"] == 50_000


def test_cancelled_update_by_query_stores_the_cancel(
    es: Elasticsearch, fake_tasks: FakeTasks, logs: str
) -> None:
    started = es.update_by_query(index=logs, wait_for_completion=False, requests_per_second=500)
    cancelled = es.tasks.cancel(task_id=started["task"])
    (node,) = cancelled["nodes"].values()
    assert node["tasks"][started["task"]]["cancelled"] is True
    body, _ = poll(es, started["task"])
    assert body["response"]["canceled"] == "by user request"
    assert 0 < body["response"]["updated"] < 50_000
    assert body["task"]["status"]["canceled"] == "by user request"


def test_rethrottled_delete_by_query_speeds_up(
    es: Elasticsearch, fake_tasks: FakeTasks, logs: str
) -> None:
    started = es.delete_by_query(
        index=logs, query={"match_all": {}}, wait_for_completion=False, requests_per_second=1
    )
    status = es.tasks.get(task_id=started["task"])["task"]["status"]
    assert status["requests_per_second"] == 1.0
    assert status["throttled_until_millis"] > 0
    answer = es.delete_by_query_rethrottle(task_id=started["task"], requests_per_second=-1)
    (node,) = answer["nodes"].values()
    info = node["tasks"][started["task"]]
    assert info["status"]["requests_per_second"] == -1.0
    assert info["description"] == "delete-by-query [logs]"
    body, polls = poll(es, started["task"])
    assert polls <= 6
    assert body["response"]["deleted"] == 50_000
    assert body["response"]["throttled_millis"] > 0
    assert fake_tasks.index("logs").docs_count == 0


def test_force_merge_polled_to_the_end(es: Elasticsearch, fake_tasks: FakeTasks, logs: str) -> None:
    started = es.indices.forcemerge(index=logs, max_num_segments=1, wait_for_completion=False)
    listed = es.tasks.list(actions="indices:admin/forcemerge*", detailed=True)
    (node,) = [n for n in listed["nodes"].values() if started["task"] in n["tasks"]]
    assert node["tasks"][started["task"]]["description"] == (
        "Force-merge indices [logs], maxSegments[1], onlyExpungeDeletes[false], flush[true]"
    )
    body, _ = poll(es, started["task"])
    assert body["response"] == {"_shards": {"total": 6, "successful": 6, "failed": 0}}
    assert es.indices.forcemerge(index=logs)["_shards"]["failed"] == 0


def test_waiting_requests_answer_the_final_response(
    es: Elasticsearch, fake_tasks: FakeTasks, logs: str
) -> None:
    response = es.reindex(source={"index": logs}, dest={"index": "copy"}, slices=2)
    assert (response["created"], len(response["slices"])) == (50_000, 2)
    assert "throttled" not in response  # human fields only with ?human
    by_query = es.update_by_query(index=logs, conflicts="proceed")
    assert "created" not in by_query  # RestUpdateByQueryAction leaves it out
    assert by_query["updated"] == 50_000


def test_version_conflicts_abort_with_a_409_and_failures(
    es: Elasticsearch, fake_tasks: FakeTasks, logs: str
) -> None:
    fake_tasks.script_bulk(logs, version_conflicts=3)
    with pytest.raises(ApiError) as raised:
        es.update_by_query(index=logs)
    assert raised.value.meta.status == 409
    body = raised.value.body
    assert body["version_conflicts"] == 3
    assert [f["status"] for f in body["failures"]] == [409, 409, 409]
    proceeded = es.update_by_query(index=logs, conflicts="proceed")
    assert (proceeded["version_conflicts"], proceeded["updated"]) == (3, 49_997)


def test_cat_tasks_as_text_and_json(es: Elasticsearch, fake_tasks: FakeTasks, logs: str) -> None:
    started = es.reindex(source={"index": logs}, dest={"index": "copy"}, wait_for_completion=False)[
        "task"
    ]
    text = es.cat.tasks(v=True, actions=["indices:data/write/reindex"]).body
    header, row = text.splitlines()
    assert header.split() == [
        "action",
        "task_id",
        "parent_task_id",
        "type",
        "start_time",
        "timestamp",
        "running_time",
        "ip",
        "node",
    ]
    assert row.split()[:2] == ["indices:data/write/reindex", started]
    rows = es.cat.tasks(format="json", detailed=True, h=["ti", "ac", "desc"]).body
    assert {"ti": started, "ac": "indices:data/write/reindex"}.items() <= next(
        r for r in rows if r["ti"] == started
    ).items()


def test_hot_threads_and_health(es: Elasticsearch, fake_tasks: FakeTasks, logs: str) -> None:
    es.update_by_query(index=logs, wait_for_completion=False)
    report = es.nodes.hot_threads(threads=10).body
    assert report.count(":::") == len(fake_tasks.cluster.nodes)
    assert "[write][T#1]" in report
    health = es.cluster.health(wait_for_status="green", timeout="5s")
    assert (health["status"], health["timed_out"]) == ("green", False)
    fake_tasks.set_health("yellow")
    fake_tasks.set_health("green", after="10s")
    waited = es.cluster.health(wait_for_status="green", timeout="30s")
    assert waited["status"] == "green"
    with pytest.raises(ApiError) as raised:
        es.cluster.health(index="missing", timeout="2s")
    assert raised.value.meta.status == 408
    assert raised.value.body["status"] == "red"
