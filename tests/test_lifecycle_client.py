"""Lifecycle scenarios through the official client against the `fake_tasks` fixture."""

from __future__ import annotations

import pytest
from elasticsearch import ApiError, Elasticsearch

from fake_tasks import FakeTasks


@pytest.fixture
def es(fake_tasks: FakeTasks) -> Elasticsearch:
    return Elasticsearch(fake_tasks.url, request_timeout=10, max_retries=0)


@pytest.mark.fake_tasks(tasks=0)
def test_polling_a_30s_reindex_takes_30_polls(fake_tasks: FakeTasks, es: Elasticsearch) -> None:
    """With the default tick of 1 s per request, 30 simulated seconds are 30 requests."""
    task = fake_tasks.add_reindex("logs", "logs-v2", docs=30_000, duration="30s")
    task_id = str(task.task_id)
    polls, created = 0, []
    while True:
        polls += 1
        body = es.tasks.get(task_id=task_id).body
        if body["completed"]:
            break
        created.append(body["task"]["status"]["created"])
        assert polls < 100, "the task never completed"
    assert polls == 30
    assert created == sorted(created)
    assert created[:3] == [1000, 2000, 3000]
    assert body["response"]["created"] == 30_000


@pytest.mark.fake_tasks(tasks=0)
def test_cancel_and_wait_for_a_slow_parent_with_children_on_two_nodes(
    fake_tasks: FakeTasks, es: Elasticsearch
) -> None:
    first, second, third = fake_tasks.cluster.nodes
    parent = fake_tasks.add_task("indices:data/write/reindex", node=first, cancel_delay="20s")
    for node in (second, third):
        fake_tasks.add_task("indices:data/write/bulk", node=node, parent=parent, cancel_delay="40s")
    body = es.tasks.cancel(task_id=str(parent.task_id), wait_for_completion=True).body
    task = body["nodes"][first]["tasks"][str(parent.task_id)]
    assert (task["cancellable"], task["cancelled"]) == (True, True)
    listed = es.tasks.list(actions="indices:data/write/*").body
    assert listed == {"nodes": {}}


@pytest.mark.fake_tasks(tasks=0)
def test_slow_cancel_keeps_the_task_listed_as_cancelled(
    fake_tasks: FakeTasks, es: Elasticsearch
) -> None:
    task = fake_tasks.add_task("indices:data/read/search", cancel_delay="3s")
    es.tasks.cancel(task_id=str(task.task_id))
    seen = []
    for _ in range(4):
        tasks = es.tasks.list(actions="indices:data/read/search", group_by="none")["tasks"]
        seen.append([t["cancelled"] for t in tasks])
    assert seen == [[True], [True], [], []]


@pytest.mark.fake_tasks(tasks=0)
def test_get_with_wait_completes_or_times_out(fake_tasks: FakeTasks, es: Elasticsearch) -> None:
    short = fake_tasks.add_update_by_query("logs", duration="10s")
    body = es.tasks.get(task_id=str(short.task_id), wait_for_completion=True, timeout="30s").body
    assert body["completed"] is True
    assert body["response"]["updated"] == 10_000

    endless = fake_tasks.add_task("indices:data/write/update/byquery")
    with pytest.raises(ApiError) as caught:
        es.tasks.get(task_id=str(endless.task_id), wait_for_completion=True, timeout="5s")
    assert caught.value.status_code == 429
    assert caught.value.body["error"]["type"] == "timeout_exception"
