"""Wall time of polling a 30-simulated-second reindex to completion, against a bare baseline.

Run: python bench/poll.py [--rounds 15]
Baseline: bare pytest-httpserver answering the same number of GETs with fixed bytes, same client.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
import warnings

from elasticsearch import Elasticsearch
from pytest_httpserver import HTTPServer

from fake_tasks import FakeTasks, FakeTasksServer, Settings

warnings.simplefilter("ignore")
logging.getLogger("werkzeug").setLevel(logging.ERROR)


def poll_fake(server: FakeTasksServer) -> tuple[float, int]:
    server.fake.reset(Settings(tasks=0))
    task = server.fake.add_reindex(docs=30_000, duration="30s")
    es = Elasticsearch(server.url, request_timeout=10, max_retries=0)
    polls = 0
    started = time.perf_counter()
    while True:
        polls += 1
        if es.tasks.get(task_id=str(task.task_id)).body["completed"]:
            break
    return time.perf_counter() - started, polls


def poll_baseline(httpserver: HTTPServer, body: bytes, polls: int) -> float:
    es = Elasticsearch(httpserver.url_for("/").rstrip("/"), request_timeout=10, max_retries=0)
    started = time.perf_counter()
    for _ in range(polls):
        es.tasks.get(task_id="n:1")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    fake_times, base_times = [], []
    with FakeTasksServer(FakeTasks(Settings(tasks=0))) as server:
        _, polls = poll_fake(server)
        sample = json.dumps({"completed": False, "task": {}}).encode()
        baseline = HTTPServer(threaded=True)
        baseline.expect_request("/_tasks/n:1").respond_with_data(
            sample, content_type="application/json", headers={"X-elastic-product": "Elasticsearch"}
        )
        baseline.start()
        try:
            for _ in range(args.rounds):
                elapsed, polls = poll_fake(server)
                fake_times.append(elapsed)
                base_times.append(poll_baseline(baseline, sample, polls))
        finally:
            baseline.stop()
    fake_median, base_median = statistics.median(fake_times), statistics.median(base_times)
    print(f"polls per run: {polls} (30 simulated seconds at a 1 s tick)")
    print(f"fake-tasks median wall time: {fake_median * 1000:.1f} ms")
    print(f"baseline (bare pytest-httpserver, same polls) median: {base_median * 1000:.1f} ms")
    print(f"ratio fake/baseline: {fake_median / base_median:.2f}")


if __name__ == "__main__":
    main()
