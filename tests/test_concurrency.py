"""Threads of mixed requests (waits included) over kept-alive connections, then the model's
invariants: the task indexes agree, no request's own task outlives it."""

from __future__ import annotations

import http.client
import json
import random
import threading
from collections import Counter

import pytest

from fake_tasks import FakeTasks, FakeTasksServer, Settings
from fake_tasks.cluster.model import Cluster

THREADS = 8
REQUESTS_PER_THREAD = 150


def check_invariants(cluster: Cluster) -> None:
    """Every index of the running tasks agrees with the others; no request's task is left."""
    with cluster.lock:
        cluster.settle()
        index = cluster._index
        tasks = index._by_id
        for task_id, task in tasks.items():
            assert task.task_id == task_id
            assert task.running
            assert index._by_node[task.node][task.id] is task
            assert index._by_action[task.action][task_id] is task
            if task.parent is not None:
                assert index._by_parent[task.parent][task_id] is task
            if task.cancelled:
                assert task.cancellable
                assert task.cancelled_ns is not None
        assert sum(len(on_node) for on_node in index._by_node.values()) == len(tasks)
        for by in (index._by_parent, index._by_action):
            for key, entries in by.items():
                assert entries, key  # emptied entries are dropped
                for task_id, task in entries.items():
                    assert tasks[task_id] is task
        own = ("cluster:monitor/tasks/lists", "cluster:admin/tasks/cancel")
        assert not [t for t in tasks.values() if t.action.startswith(own)]
        for task_id, stored in cluster._results.items():
            assert task_id not in tasks
            assert stored.task.task_id == task_id


def worker(address: tuple[str, int], fake: FakeTasks, seed: int, statuses: Counter[int]) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(*address, timeout=30)
    try:
        for _ in range(REQUESTS_PER_THREAD):
            known = [t for t in fake.tasks() if not t.action.startswith("cluster:")]
            some = rng.choice(known).task_id if known else "n:1"
            path, method = rng.choice(
                [
                    ("/_tasks", "GET"),
                    ("/_tasks?detailed&group_by=parents", "GET"),
                    ("/_tasks?group_by=none&actions=indices:*", "GET"),
                    (f"/_tasks/{some}", "GET"),
                    (f"/_tasks/{some}?wait_for_completion=true&timeout=5s", "GET"),
                    (
                        "/_tasks?wait_for_completion=true&timeout=2s&actions=indices:data/read/*",
                        "GET",
                    ),
                    (f"/_tasks/{some}/_cancel", "POST"),
                    ("/_tasks/_cancel?actions=indices:data/read/search*", "POST"),
                    ("/_tasks/_cancel?actions=*reindex&wait_for_completion=true", "POST"),
                    ("/", "HEAD"),
                ]
            )
            if rng.random() < 0.15:
                fake.add_task(
                    rng.choice(["indices:data/read/search", "indices:data/write/reindex"]),
                    duration=f"{rng.randint(1, 20)}s",
                    cancel_delay=rng.choice([0, "2s", None]),
                    store_result=rng.random() < 0.5,
                )
            connection.request(method, path)
            response = connection.getresponse()
            body = response.read()
            statuses[response.status] += 1
            if method != "HEAD":
                json.loads(body)
    finally:
        connection.close()


@pytest.mark.parametrize("standalone", [False, True], ids=["httpserver-host", "werkzeug-host"])
def test_threads_of_mixed_requests_keep_the_model_consistent(standalone: bool) -> None:
    fake = FakeTasks(Settings(seed=11, tasks=60, tick="200ms"))
    with FakeTasksServer(fake, standalone=standalone) as running:
        host, port = running.url.removeprefix("http://").split(":")
        counters = [Counter[int]() for _ in range(THREADS)]
        threads = [
            threading.Thread(target=worker, args=((host, int(port)), fake, i, counters[i]))
            for i in range(THREADS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not any(thread.is_alive() for thread in threads)
        statuses = sum(counters, Counter[int]())
        assert sum(statuses.values()) == THREADS * REQUESTS_PER_THREAD
        assert set(statuses) <= {200, 404, 429}, statuses
        assert running.connections.accepted == THREADS  # every thread kept its one connection
        assert fake.server_errors == []
        assert fake.violations == []
        check_invariants(fake.cluster)
