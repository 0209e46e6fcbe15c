"""What the official client sees for each fault, over real sockets, with its own retries."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from elastic_transport import ConnectionError, ConnectionTimeout, SerializationError
from elasticsearch import ApiError, Elasticsearch, NotFoundError

from fake_tasks import FakeTasks, FakeTasksServer, Fault

TIMEOUT = 5.0


def client(url: str, **options: object) -> Elasticsearch:
    settings: dict[str, object] = {"request_timeout": TIMEOUT, "max_retries": 3}
    settings.update(options)
    return Elasticsearch(url, retry_on_status=(429, 503), **settings)  # type: ignore[arg-type]


@pytest.fixture
def es(fake_tasks: FakeTasks) -> Iterator[Elasticsearch]:
    with client(fake_tasks.url or "") as es:
        yield es


@pytest.fixture(scope="module", params=["pytest-httpserver", "werkzeug"])
def server(request: pytest.FixtureRequest) -> Iterator[FakeTasksServer]:
    """Both hosts of `server.py`: transport faults reach the socket through each of them."""
    with FakeTasksServer(standalone=request.param == "werkzeug") as server:
        yield server


@pytest.fixture
def fake(server: FakeTasksServer) -> Iterator[FakeTasks]:
    server.fake.reset()
    yield server.fake
    server.fake.check()


@pytest.fixture
def es_on(server: FakeTasksServer, fake: FakeTasks) -> Iterator[Elasticsearch]:
    with client(server.url) as es:
        yield es


def statuses(fake: FakeTasks) -> list[int | None]:
    return [e.status for e in fake.journal]


# README: Faults
def test_a_task_that_is_not_found_twice(fake_tasks: FakeTasks) -> None:
    task = fake_tasks.add_task("indices:data/write/reindex")
    fake_tasks.make_missing(task, times=2)  # e.g. not yet visible on the node that runs it

    es = Elasticsearch(fake_tasks.url, request_timeout=5)
    for _ in range(2):
        with pytest.raises(NotFoundError):
            es.tasks.get(task_id=str(task.task_id))
    assert es.tasks.get(task_id=str(task.task_id))["completed"] is False


# README: Faults
def test_a_node_drops_out(fake_tasks: FakeTasks) -> None:
    lost = list(fake_tasks.cluster.nodes)[1]
    fake_tasks.fail_node(lost)  # cause "disconnected"; or "timeout", or any EsError

    es = Elasticsearch(fake_tasks.url, request_timeout=5, max_retries=0)
    listed = es.tasks.list()
    (failure,) = listed["node_failures"]
    assert failure["node_id"] == lost
    assert failure["caused_by"]["type"] == "node_disconnected_exception"
    assert lost not in listed["nodes"]
    task = next(t for t in fake_tasks.tasks() if t.node == lost)
    with pytest.raises(ApiError) as raised:  # a 502 since ES 8.18, which clients retry
        es.tasks.get(task_id=str(task.task_id))
    assert raised.value.meta.status == 502


# README: Faults
def test_task_failures(fake_tasks: FakeTasks) -> None:
    task = fake_tasks.add_task("indices:data/write/update/byquery")
    fake_tasks.add_task_failure(task, "the task refused")

    es = Elasticsearch(fake_tasks.url, request_timeout=5)
    (failure,) = es.tasks.list(actions="*byquery")["task_failures"]
    assert (failure["task_id"], failure["status"]) == (task.id, "INTERNAL_SERVER_ERROR")
    assert failure["reason"] == {"type": "illegal_state_exception", "reason": "the task refused"}


# README: Faults
def test_the_client_retries_a_429_twice(fake_tasks: FakeTasks) -> None:
    fake_tasks.inject(Fault.rejected(), api="tasks.list", times=2)

    es = Elasticsearch(fake_tasks.url, retry_on_status=(429, 503), max_retries=3, request_timeout=5)
    es.tasks.list()
    assert [e.status for e in fake_tasks.journal] == [429, 429, 200]
    fake_tasks.journal.assert_called(api="tasks.list", times=3)


# README: Faults
def test_a_reset_in_the_middle_of_a_cancel(fake_tasks: FakeTasks) -> None:
    task = fake_tasks.add_task("indices:data/write/reindex")
    # the cancel happens, but its answer is lost: the client retries it
    fake_tasks.inject(Fault.reset(processed=True), api="tasks.cancel", times=1)

    es = Elasticsearch(fake_tasks.url, max_retries=3, request_timeout=5)
    answer = es.tasks.cancel(task_id=str(task.task_id))
    # the retry finds the task gone, and ES says so as a node failure in a 200
    assert answer["node_failures"][0]["caused_by"]["type"] == "resource_not_found_exception"
    assert [e.status for e in fake_tasks.journal] == [None, 200]


# README: Faults
def test_a_flaky_network_repeats_with_the_seed(fake_tasks: FakeTasks) -> None:
    # one request in three is reset, drawn from the cluster's seed: the same every run
    fake_tasks.inject(Fault.reset(), api="tasks.get", probability=1 / 3)
    task = fake_tasks.add_task("indices:data/write/reindex")

    es = Elasticsearch(fake_tasks.url, max_retries=10, request_timeout=5)
    for _ in range(10):
        es.tasks.get(task_id=str(task.task_id))
    resets = "".join("R" if e.status is None else "." for e in fake_tasks.journal)
    assert resets == ".R...R...RR..R."  # 5 resets, each retried by the client


# README: Faults
@pytest.mark.fake_tasks(allow_unexpected=True)
def test_opting_out_of_the_unexpected_request_check(fake_tasks: FakeTasks) -> None:
    es = Elasticsearch(fake_tasks.url, request_timeout=5)
    with pytest.raises(ApiError):
        es.perform_request("GET", "/_cat/plugins")  # the fake does not model it
    (unexpected,) = fake_tasks.journal.unexpected()
    assert unexpected.status == 400


def test_a_503_until_retries_run_out(fake_tasks: FakeTasks, es: Elasticsearch) -> None:
    fake_tasks.inject(Fault.cluster_block())
    with pytest.raises(ApiError) as raised:
        es.tasks.list()
    assert raised.value.meta.status == 503
    assert raised.value.body["error"]["type"] == "cluster_block_exception"
    assert "retry-after" not in raised.value.meta.headers
    assert statuses(fake_tasks) == [503, 503, 503, 503]  # the first try and 3 retries


def test_an_injected_retry_after_reaches_the_client(
    fake_tasks: FakeTasks, es: Elasticsearch
) -> None:
    fake_tasks.inject(Fault.cluster_block(headers={"Retry-After": "30"}))
    with pytest.raises(ApiError) as raised:
        es.options(max_retries=0).tasks.list()
    assert raised.value.meta.headers["retry-after"] == "30"


def test_faults_scoped_by_opaque_id(fake_tasks: FakeTasks, es: Elasticsearch) -> None:
    fake_tasks.inject(Fault.error("exception", "only for the poller", 500), opaque_id="poller")
    with pytest.raises(ApiError):
        es.options(opaque_id="poller").tasks.list()
    assert es.options(opaque_id="other").tasks.list().meta.status == 200


def test_a_virtual_delay_costs_no_wall_time(fake_tasks: FakeTasks, es: Elasticsearch) -> None:
    fake_tasks.inject(Fault.delay("5m"), api="tasks.list")
    wall = time.monotonic()
    es.tasks.list()
    assert time.monotonic() - wall < 2
    (exchange,) = fake_tasks.journal
    assert exchange.duration_ns >= 300 * 10**9


# -- transport faults, on both hosts -------------------------------------------------------------


def test_a_reset_is_retried(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.reset(), times=2)
    assert es_on.tasks.list().meta.status == 200
    assert statuses(fake) == [None, None, 200]


def test_resets_until_retries_run_out(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.reset())
    with pytest.raises(ConnectionError, match="reset by peer"):
        es_on.tasks.list()
    assert statuses(fake) == [None] * 4


def test_a_connection_closed_without_a_response(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.disconnect())
    with pytest.raises(ConnectionError, match="closed connection without response"):
        es_on.options(max_retries=1).tasks.list()
    assert statuses(fake) == [None, None]


def test_a_truncated_body_is_a_connection_error(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.truncated(), api="tasks.list", times=1)
    with pytest.raises(ConnectionError) as raised:
        es_on.options(max_retries=0).tasks.list()
    assert "IncompleteRead" in raised.value.message
    assert es_on.tasks.list().meta.status == 200


def test_a_malformed_body_is_a_serialization_error(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.malformed(), times=1)
    with pytest.raises(SerializationError):
        es_on.tasks.list()
    assert statuses(fake) == [200]  # not retried: the client got an answer


def test_a_slow_body_arrives_in_time(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.slow_body(0.3, chunks=3), api="tasks.list")
    wall = time.monotonic()
    assert "nodes" in es_on.tasks.list()
    assert time.monotonic() - wall >= 0.3


def test_a_slow_body_times_out_and_is_retried(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.slow_body(1.0, chunks=2), api="tasks.list", times=1)
    retrying = es_on.options(request_timeout=0.3, retry_on_timeout=True)
    assert retrying.tasks.list().meta.status == 200
    fake.journal.assert_called(api="tasks.list", times=2)


def test_a_real_delay_times_the_client_out(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.delay(1.0, real=True), api="tasks.list", times=1)
    with pytest.raises(ConnectionTimeout):
        es_on.options(request_timeout=0.2, max_retries=0).tasks.list()
    (pending,) = fake.journal  # journalled on arrival, still waiting
    assert not pending.answered


def test_a_real_delay_with_retry_on_timeout(fake: FakeTasks, es_on: Elasticsearch) -> None:
    fake.inject(Fault.delay(1.0, real=True), api="tasks.list", times=1)
    retrying = es_on.options(request_timeout=0.2, retry_on_timeout=True)
    assert retrying.tasks.list().meta.status == 200
    assert [e.fault for e in fake.journal] == [Fault.delay(1.0, real=True), None]
