"""Reindex relocation (9.5+): following, `follow_relocations=false`, lists, cancels, shutdowns."""

from __future__ import annotations

from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, FakeTasksError, Settings
from fake_tasks.rest.app import App


def cluster(version: str = "9.5.0") -> tuple[FakeTasks, Client, list[str]]:
    fake = FakeTasks(Settings(version=version, tasks=0, tick=0))
    return fake, Client(App(fake)), list(fake.cluster.nodes)


def get(client: Client, url: str) -> tuple[int, Any]:
    response = client.get(url)
    return response.status_code, response.get_json()


def test_relocation_needs_9_5() -> None:
    fake, client, nodes = cluster("9.4.0")
    task = fake.add_reindex("a", "b", node=nodes[1])
    with pytest.raises(FakeTasksError, match=r"needs Elasticsearch 9\.5 or later; this cluster "):
        fake.relocate(task, nodes[2])
    status, body = get(client, f"/_tasks/{task.task_id}?follow_relocations=false")
    assert status == 400
    assert body["error"]["reason"] == (
        f"request [/_tasks/{task.task_id}] contains unrecognized parameter: [follow_relocations]"
    )


def test_get_follows_the_relocation_with_the_original_timing() -> None:
    fake, client, nodes = cluster()
    task = fake.add_reindex("a", "b", docs=10_000, duration="100s", node=nodes[1])
    fake.advance("40s")
    moved = fake.relocate(task, nodes[2])
    fake.advance("10s")
    status, body = get(client, f"/_tasks/{task.task_id}")
    assert status == 200
    assert body["completed"] is False
    info = body["task"]
    assert list(info)[:4] == ["node", "id", "original_task_id", "type"]
    assert (info["node"], info["id"]) == (nodes[2], moved.id)
    assert info["original_task_id"] == str(task.task_id)
    assert info["start_time_in_millis"] == task.start_ns // 1_000_000
    assert info["running_time_in_nanos"] == 50_000_000_000
    assert info["original_start_time_in_millis"] == task.start_ns // 1_000_000
    assert info["status"]["created"] == 5000  # progress went on from where it was
    keys = list(info)
    assert keys.index("running_time_in_nanos") + 1 == keys.index("original_start_time_in_millis")


def test_follow_relocations_false_answers_the_stored_relocation() -> None:
    fake, client, nodes = cluster()
    task = fake.add_reindex("a", "b", node=nodes[1])
    moved = fake.relocate(task, nodes[2])
    status, body = get(client, f"/_tasks/{task.task_id}?follow_relocations=false")
    assert status == 200
    assert body["completed"] is True
    assert (body["task"]["node"], body["task"]["id"]) == (nodes[1], task.id)
    assert "original_task_id" not in body["task"]
    assert body["error"] == {
        "type": "task_relocated_exception",
        "reason": "Task was relocated",
        "original_task_id": str(task.task_id),
        "relocated_task_id": str(moved.task_id),
    }


def test_a_chain_of_relocations_is_followed_to_its_end_and_result() -> None:
    fake, client, nodes = cluster()
    task = fake.add_reindex("a", "b", docs=100, duration="30s", node=nodes[0])
    second = fake.relocate(task, nodes[1])
    third = fake.relocate(second, nodes[2])
    assert third.original == task.task_id
    fake.run_until_finished(third)
    status, body = get(client, f"/_tasks/{task.task_id}")
    assert status == 200
    assert body["completed"] is True
    assert (body["task"]["node"], body["task"]["id"]) == (nodes[2], third.id)
    assert body["task"]["original_task_id"] == str(task.task_id)
    assert body["response"]["created"] == 100
    assert "error" not in body
    _, hop = get(client, f"/_tasks/{second.task_id}?follow_relocations=false")
    assert hop["error"]["original_task_id"] == str(task.task_id)  # the first id, every hop


def test_during_a_handoff_lists_show_the_task_once_and_cancels_are_refused() -> None:
    fake, client, nodes = cluster()
    task = fake.add_reindex("a", "b", node=nodes[1])
    fake.advance("5s")
    moved = fake.relocate(task, nodes[2], handoff="3s")
    _, listed = get(client, "/_tasks?group_by=none&actions=indices:data/write/reindex")
    assert [(t["node"], t["id"]) for t in listed["tasks"]] == [(nodes[2], moved.id)]
    response = client.post(f"/_tasks/_cancel?actions=indices:data/write/reindex&nodes={nodes[1]}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["nodes"] == {}
    failure = body["task_failures"][0]
    assert (failure["task_id"], failure["node_id"]) == (task.id, nodes[1])
    assert failure["reason"]["type"] == "status_exception"
    assert failure["status"] == "SERVICE_UNAVAILABLE"
    fake.advance("3s")
    assert task.finished_ns is not None
    assert client.post(f"/_tasks/{moved.task_id}/_cancel").get_json()["nodes"]


def test_shutting_a_node_down_relocates_its_reindexes_only() -> None:
    fake, client, nodes = cluster()
    first = fake.add_reindex("a", "b", node=nodes[1])
    second = fake.add_reindex("c", "d", node=nodes[1])
    other = fake.add_task("indices:data/read/search", node=nodes[1])
    moved = fake.shutdown_node(nodes[1])
    assert [t.original for t in moved] == [first.task_id, second.task_id]
    assert all(t.node == nodes[0] for t in moved)
    assert other.running
    for original, new in zip((first, second), moved, strict=True):
        _, body = get(client, f"/_tasks/{original.task_id}")
        assert body["task"]["id"] == new.id


def test_relocation_refuses_what_does_not_relocate() -> None:
    fake, _, nodes = cluster()
    search = fake.add_task("indices:data/read/search", node=nodes[1])
    with pytest.raises(FakeTasksError, match="only a reindex's own task relocates"):
        fake.relocate(search, nodes[2])
    task = fake.add_reindex("a", "b", node=nodes[1], cancel_delay=None)
    fake.cancel(task)
    with pytest.raises(FakeTasksError, match="was cancelled"):
        fake.relocate(task, nodes[2])
    alive = fake.add_reindex("a", "b", node=nodes[1])
    fake.fail_node(nodes[2])
    with pytest.raises(FakeTasksError, match="is failed"):
        fake.relocate(alive, nodes[2])
    with pytest.raises(FakeTasksError, match="already runs on"):
        fake.relocate(alive, nodes[1])


def test_the_9_5_client_reads_follow_relocations(fake_tasks: FakeTasks) -> None:
    from elasticsearch import Elasticsearch

    nodes = list(fake_tasks.cluster.nodes)
    task = fake_tasks.add_reindex("logs", "logs-v2", node=nodes[1])
    moved = fake_tasks.relocate(task, nodes[2])
    es = Elasticsearch(fake_tasks.url)
    followed = es.tasks.get(task_id=str(task.task_id))
    assert followed["task"]["id"] == moved.id
    raw = es.tasks.get(task_id=str(task.task_id), follow_relocations=False)
    assert raw["error"]["relocated_task_id"] == str(moved.task_id)


def test_a_cancel_by_the_original_id_reaches_the_relocated_task() -> None:
    fake, client, nodes = cluster()
    task = fake.add_reindex("a", "b", node=nodes[1], cancel_delay=None)
    moved = fake.relocate(task, nodes[2])
    body = client.post(f"/_tasks/{task.task_id}/_cancel").get_json()
    assert "node_failures" not in body
    assert list(body["nodes"]) == [nodes[2]]
    assert body["nodes"][nodes[2]]["tasks"][str(moved.task_id)]["cancelled"] is True
    assert moved.cancelled


def test_during_a_handoff_a_cancel_by_id_refuses_the_source_and_cancels_the_destination() -> None:
    fake, client, nodes = cluster()
    task = fake.add_reindex("a", "b", node=nodes[1], cancel_delay=None)
    moved = fake.relocate(task, nodes[2], handoff="5s")
    body = client.post(f"/_tasks/{task.task_id}/_cancel").get_json()
    assert [f["task_id"] for f in body["task_failures"]] == [task.id]
    assert list(body["nodes"][nodes[2]]["tasks"]) == [str(moved.task_id)]


def test_before_9_5_a_cancel_by_id_does_not_look_for_continuations() -> None:
    fake, client, nodes = cluster("9.4.0")
    task = fake.add_task("indices:data/write/reindex", node=nodes[1])
    fake.cluster.remove(task)
    body = client.post(f"/_tasks/{task.task_id}/_cancel").get_json()
    assert body["node_failures"][0]["caused_by"]["type"] == "resource_not_found_exception"


def test_a_sliced_reindex_relocates_with_its_workers() -> None:
    fake, client, nodes = cluster()
    leader = fake.add_reindex("a", "b", docs=10_000, duration="100s", slices=2, node=nodes[1])
    twin = fake.add_reindex("c", "d", docs=10_000, duration="100s", slices=2, node=nodes[0])
    fake.advance("20s")
    moved = fake.relocate(leader, nodes[2], handoff="2s")
    url = "/_tasks?group_by=none&actions=indices:data/write/reindex&detailed"
    _, during = get(client, url)
    mine = [t for t in during["tasks"] if t["node"] != nodes[0]]
    parents = {t.get("parent_task_id") for t in mine}
    assert parents == {None, str(leader.task_id), str(moved.task_id)}  # old and new workers
    assert [t["id"] for t in mine if "parent_task_id" not in t] == [moved.id]
    fake.advance("2s")
    _, after = get(client, url)
    mine = [t for t in after["tasks"] if t["node"] != nodes[0]]
    assert {(t["node"], t.get("parent_task_id")) for t in mine} == {
        (nodes[2], None),
        (nodes[2], str(moved.task_id)),
    }
    assert len(mine) == 3

    def batches(parent: str) -> int:
        return sum(
            t["status"]["batches"] for t in after["tasks"] if t.get("parent_task_id") == parent
        )

    assert batches(str(moved.task_id)) == batches(str(twin.task_id)) > 0  # progress carried on
    fake.run_until_finished(moved)
    _, body = get(client, f"/_tasks/{leader.task_id}")
    assert body["completed"] is True
    assert body["response"]["created"] == 10_000
