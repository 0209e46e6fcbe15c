"""Wall time of polling a 30-simulated-second reindex to completion, against a bare baseline.

Run: python bench/poll.py [--rounds 15]
Baseline: bare pytest-httpserver answering the same GETs with the bytes the fake sent, in order.
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import time
import warnings

from elasticsearch import Elasticsearch
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Response

from fake_tasks import FakeTasks, FakeTasksServer, Settings

warnings.simplefilter("ignore")
logging.getLogger("werkzeug").setLevel(logging.ERROR)
HEADERS = {"X-elastic-product": "Elasticsearch", "Content-Type": "application/json"}


def poll_fake(server: FakeTasksServer) -> tuple[float, int]:
    server.fake.reset(Settings(tasks=0))  # also clears the journal
    task = server.fake.add_reindex(docs=30_000, duration="30s")
    es = Elasticsearch(server.url, request_timeout=10, max_retries=0)
    polls = 0
    started = time.perf_counter()
    while True:
        polls += 1
        if es.tasks.get(task_id=str(task.task_id)).body["completed"]:
            break
    return time.perf_counter() - started, polls


def poll_baseline(httpserver: HTTPServer, bodies: list[bytes]) -> float:
    """The same client polls a bare server answering the fake's recorded bytes, in order."""
    replies = iter(bodies)
    httpserver.clear()
    httpserver.expect_request(re.compile("^/_tasks/")).respond_with_handler(
        lambda request: Response(next(replies), headers=HEADERS)
    )
    es = Elasticsearch(httpserver.url_for("/").rstrip("/"), request_timeout=10, max_retries=0)
    started = time.perf_counter()
    for _ in bodies:
        es.tasks.get(task_id="n:1")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    fake_times, base_times = [], []
    baseline = HTTPServer(threaded=True)
    baseline.start()
    with FakeTasksServer(FakeTasks(Settings(tasks=0))) as server:
        try:
            for _ in range(args.rounds):
                elapsed, polls = poll_fake(server)
                fake_times.append(elapsed)
                bodies = [e.body for e in server.fake.journal]
                assert len(bodies) == polls
                base_times.append(poll_baseline(baseline, bodies))
        finally:
            baseline.stop()
    fake_median, base_median = statistics.median(fake_times), statistics.median(base_times)
    print(f"polls per run: {polls} (30 simulated seconds at a 1 s tick), {args.rounds} rounds")
    print(f"fake-tasks median wall time: {fake_median * 1000:.1f} ms")
    print(f"baseline (bare pytest-httpserver, same bytes) median: {base_median * 1000:.1f} ms")
    print(f"ratio fake/baseline: {fake_median / base_median:.2f}")


if __name__ == "__main__":
    main()
