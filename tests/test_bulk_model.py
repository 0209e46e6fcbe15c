"""The bulk-by-scroll model without HTTP: batches, throttling, rethrottle, stops, slices, results.

Expectations come from `WorkerBulkByScrollTaskState` (pace and rethrottle), `BulkByScrollTask`
(`Status` fields and the merged leader status) and `LeaderBulkByScrollTaskState` (null slots for
running slices), as recorded in docs/es-facts.md.
"""

from __future__ import annotations

import math

import pytest

from fake_tasks import FakeTasks, Settings
from fake_tasks.cluster.bulk import Worker, split_evenly
from fake_tasks.cluster.bulkjob import Outcome, float32, humanize
from fake_tasks.cluster.bulkstart import BulkRequest, start_bulk
from fake_tasks.errors import EsError

S = 1_000_000_000
MS = 1_000_000


def slow_worker(rps: float = 1.0) -> Worker:
    """Three one-document batches of 10 ms each, one document per second at most."""
    return Worker(total=3, batch_size=1, batch_ns=10 * MS, start_ns=0, rps=rps)


def test_unthrottled_worker_runs_batch_after_batch() -> None:
    worker = Worker(total=10_000, batch_size=1000, batch_ns=100 * MS, start_ns=0)
    assert worker.batches == 10
    assert worker.end_ns() == 1 * S
    moment = worker.at(550 * MS)
    assert (moment.batches, moment.docs, moment.throttled_ns, moment.done) == (6, 5000, 0, False)
    assert worker.at(5 * S).docs == 10_000
    assert worker.at(5 * S).done


def test_throttle_sleeps_between_batches() -> None:
    worker = slow_worker()
    assert worker.end_ns() == 2 * S + 10 * MS
    sleeping = worker.at(20 * MS)
    assert (sleeping.batches, sleeping.docs) == (1, 1)
    assert sleeping.throttled_until_ns == 980 * MS
    assert sleeping.throttled_ns == 0  # the current sleep is not counted yet
    second = worker.at(1 * S)
    assert (second.batches, second.docs, second.throttled_ns) == (2, 1, 990 * MS)
    end = worker.at(worker.end_ns())
    assert (end.docs, end.throttled_ns, end.throttled_until_ns) == (3, 1980 * MS, 0)


def test_rethrottle_to_unlimited_ends_the_current_sleep() -> None:
    worker = slow_worker(rps=1e-8)
    assert worker.end_ns() > 10**8 * S
    worker.rethrottle(5 * S, math.inf)
    assert worker.end_ns() == 5 * S + 20 * MS
    assert worker.at(5 * S).throttled_ns == 5 * S - 10 * MS
    assert worker.at(worker.end_ns()).docs == 3


def test_rethrottle_slower_applies_from_the_next_batch() -> None:
    worker = slow_worker()
    worker.rethrottle(500 * MS, 0.5)  # the sleep until 1 s stands; later ones take 2 s
    assert worker.end_ns() == 3 * S + 10 * MS
    assert worker.at(600 * MS).throttled_until_ns == 400 * MS
    assert worker.at(worker.end_ns()).rps == 0.5


def test_rethrottle_faster_shortens_the_sleep_in_proportion() -> None:
    worker = slow_worker()
    worker.rethrottle(510 * MS, 2.0)  # 490 ms left at 1/s become 245 ms
    assert worker.at(510 * MS).throttled_until_ns == 245 * MS
    assert worker.at(760 * MS).batches == 2


def test_stop_waits_for_the_batch_in_progress_but_not_for_a_sleep() -> None:
    working = Worker(total=10_000, batch_size=1000, batch_ns=100 * MS, start_ns=0)
    assert working.stop(550 * MS) == 600 * MS
    assert working.at(10 * S).docs == 6000
    sleeping = slow_worker()
    assert sleeping.stop(500 * MS) == 500 * MS
    assert sleeping.at(10 * S).docs == 1
    halted = Worker(total=10_000, batch_size=1000, batch_ns=100 * MS, start_ns=0)
    assert halted.stop(550 * MS, at_batch_end=False) == 550 * MS
    assert halted.at(10 * S).docs == 5000


def test_split_evenly_and_java_floats() -> None:
    assert split_evenly(10, 3) == [4, 3, 3]
    assert float32(0.1) == 0.1
    assert float32(1 / 3) == 0.33333334
    assert float32(math.inf) == math.inf


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(seed=1, nodes=2, tasks=0))


def sliced(fake: FakeTasks, **changes: object) -> BulkRequest:
    base = BulkRequest("reindex", "reindex from [src] to [dst]", total=3000, index="dst")
    return BulkRequest(**{**base.__dict__, "slices": 3, "store_result": True, **changes})


def test_leader_shows_null_for_running_slices_and_counts_finished_ones(fake: FakeTasks) -> None:
    leader = start_bulk(fake.cluster, sliced(fake))
    children = fake.cluster.children(leader)
    assert [c.status_at(fake.clock.now_ns())["slice_id"] for c in children] == [0, 1, 2]
    status = leader.status_at(fake.clock.now_ns())
    assert status["slices"] == [None, None, None]
    assert (status["total"], status["created"], status["requests_per_second"]) == (0, 0, 0.0)
    first_end = children[0].own_end_ns()
    assert first_end is not None
    status = leader.status_at(first_end)
    assert status["slices"][0]["created"] == 1000
    assert status["slices"][1:] == [None, None]
    assert (status["total"], status["created"]) == (1000, 1000)
    assert status["requests_per_second"] == -1.0


def test_stored_sliced_result_has_slices_human_times_and_cancelled_false(
    fake: FakeTasks,
) -> None:
    leader = start_bulk(fake.cluster, sliced(fake))
    fake.run_until_finished(leader)
    stored = fake.cluster.stored_result(leader.task_id)
    assert stored is not None
    assert stored.response is not None
    response = dict(stored.response)
    assert (response["total"], response["created"], response["batches"]) == (3000, 3000, 3)
    assert [s["slice_id"] for s in response["slices"]] == [0, 1, 2]
    assert response["throttled"] == "0s"
    assert response["throttled_until"] == "0s"
    assert response["slices"][0]["throttled"] == "0s"
    assert stored.task.cancelled is False
    assert len(fake.cluster.tasks()) == 0
    assert all(stored.task.status["slices"])  # type: ignore[index]


def test_cancelled_request_stores_a_response_naming_the_reason(fake: FakeTasks) -> None:
    task = start_bulk(fake.cluster, sliced(fake, slices=1, total=50_000))
    fake.advance("1s")
    fake.cancel(task)
    assert task.status_at(fake.clock.now_ns())["canceled"] == "by user request"
    fake.run_until_finished(task)
    stored = fake.cluster.stored_result(task.task_id)
    assert stored is not None
    assert stored.response is not None
    assert stored.response["canceled"] == "by user request"
    assert stored.response["created"] == 11_000  # batches 0-10 done; the 11th was in progress


def test_conflicts_abort_after_the_first_batch_with_failures(fake: FakeTasks) -> None:
    request = sliced(fake, slices=1, outcome=Outcome(version_conflicts=2))
    task = start_bulk(fake.cluster, request)
    fake.run_until_finished(task)
    stored = fake.cluster.stored_result(task.task_id)
    assert stored is not None
    assert stored.response is not None
    response = stored.response
    assert (response["created"], response["version_conflicts"], response["batches"]) == (
        998,
        2,
        1,
    )
    assert [f["status"] for f in response["failures"]] == [409, 409]
    assert response["failures"][0]["cause"]["type"] == "version_conflict_engine_exception"


def test_conflicts_proceed_are_counted_and_skipped(fake: FakeTasks) -> None:
    request = sliced(fake, slices=1, abort_on_conflict=False, outcome=Outcome(version_conflicts=5))
    task = start_bulk(fake.cluster, request)
    fake.run_until_finished(task)
    stored = fake.cluster.stored_result(task.task_id)
    assert stored is not None
    assert stored.response is not None
    assert (stored.response["created"], stored.response["version_conflicts"]) == (2995, 5)
    assert stored.response["failures"] == []


def test_bulk_and_search_failures_end_the_request(fake: FakeTasks) -> None:
    mapping = EsError.custom("mapper_parsing_exception", "failed to parse", 400)
    request = sliced(fake, slices=1, outcome=Outcome(bulk_failure=mapping, failure_batch=1))
    task = start_bulk(fake.cluster, request)
    fake.run_until_finished(task)
    stored = fake.cluster.stored_result(task.task_id)
    assert stored is not None
    assert stored.response is not None
    assert stored.response["created"] == 1999
    assert stored.response["failures"][0]["cause"]["type"] == "mapper_parsing_exception"


def test_humanize_keeps_plain_statuses() -> None:
    assert humanize({"total": 1, "nested": [{"a": 1}]}, False) == {"total": 1, "nested": [{"a": 1}]}
