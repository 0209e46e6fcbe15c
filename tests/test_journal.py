"""The request journal: what is recorded, queries, assertions and the unexpected-request report."""

from __future__ import annotations

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Fault, Match, Settings
from fake_tasks.rest.handlers import ROUTES
from fake_tasks.rest.routing import near_misses
from fake_tasks.scripting.journal import Journal
from fake_tasks.scripting.requests import Incoming

SECOND = 1_000_000_000


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(seed=3, tasks=6))


def test_every_exchange_is_recorded(fake: FakeTasks, client: Client) -> None:
    task = fake.tasks()[0]
    client.get(
        f"/_tasks/{task.task_id}?detailed&timeout=5s&timeout=7s",
        headers={"X-Opaque-Id": "job-1"},
    )
    (exchange,) = fake.journal
    assert exchange.seq == 1
    assert (exchange.method, exchange.path, exchange.api) == (
        "GET",
        f"/_tasks/{task.task_id}",
        "tasks.get",
    )
    assert exchange.request.route == "/_tasks/{task_id}"
    assert exchange.request.query == "detailed&timeout=5s&timeout=7s"
    assert exchange.params == {"detailed": "", "timeout": "7s", "task_id": str(task.task_id)}
    assert exchange.request.header("x-opaque-id") == "job-1"
    assert exchange.status == 400  # `detailed` is not a parameter of get
    assert exchange.json()["error"]["type"] == "illegal_argument_exception"
    assert dict(exchange.response_headers)["X-Opaque-Id"] == "job-1"
    assert exchange.fault is None
    assert str(exchange) == f"GET /_tasks/{task.task_id}?detailed&timeout=5s&timeout=7s -> 400"


def test_request_and_response_sides_are_named(fake: FakeTasks, client: Client) -> None:
    client.post("/_tasks/_cancel?actions=none", data=b"", headers={"X-Opaque-Id": "op"})
    (exchange,) = fake.journal
    assert ("X-Opaque-Id", "op") in exchange.request_headers
    assert exchange.request_body == b""
    assert exchange.request_header("x-opaque-id") == "op"
    assert exchange.response_header("content-type") == "application/json"
    assert exchange.response_header("Retry-After") is None
    assert exchange.response_body.startswith(b'{"nodes"')
    with pytest.warns(DeprecationWarning, match="use Exchange.response_headers"):
        assert exchange.headers == exchange.response_headers
    with pytest.warns(DeprecationWarning, match="use Exchange.response_body"):
        assert exchange.body == exchange.response_body


def test_times_come_from_the_cluster_clock(fake: FakeTasks, client: Client) -> None:
    start = fake.clock.now_ns()
    client.get("/_tasks")
    fake.advance("1m")
    client.get("/_tasks")
    first, second = fake.journal
    assert first.started_ns == start
    assert first.duration_ns == SECOND  # the virtual clock's tick per request
    assert second.started_ns == start + 61 * SECOND


def test_faults_are_recorded_with_their_rule(fake: FakeTasks, client: Client) -> None:
    rule = fake.inject(Fault.rejected(), api="tasks.list", times=1)
    client.get("/_tasks")
    client.get("/_tasks")
    first, second = fake.journal
    assert (first.status, first.fault, first.rule) == (429, Fault.rejected(), rule)
    assert (second.status, second.fault) == (200, None)
    assert str(first) == "GET /_tasks -> 429  [fault Fault.rejected()]"


def test_queries_by_criteria_or_match(fake: FakeTasks, client: Client) -> None:
    task = fake.tasks()[0]
    client.get("/_tasks")
    client.get(f"/_tasks/{task.task_id}", headers={"X-Opaque-Id": "a"})
    client.post(f"/_tasks/{task.task_id}/_cancel", headers={"X-Opaque-Id": "a"})
    client.get("/_tasks/nonsense")
    journal = fake.journal
    assert journal.count() == 4
    assert journal.count(api="tasks.*") == 4
    assert journal.count(opaque_id="a") == 2
    assert journal.count(Match(method="POST")) == 1
    assert [e.seq for e in journal.find(path="/_tasks/{task_id}")] == [2, 4]
    assert [e.seq for e in journal.find(api="tasks.get", status=400)] == [4]
    last = journal.last(api="tasks.get")
    assert last is not None
    assert last.seq == 4
    assert journal.last(api="info") is None
    with pytest.raises(TypeError, match="either a Match or keyword"):
        journal.find(Match(), api="tasks.get")


def test_assert_called_counts(fake: FakeTasks, client: Client) -> None:
    client.get("/_tasks")
    client.get("/_tasks")
    found = fake.journal.assert_called(api="tasks.list", times=2)
    assert len(found) == 2
    fake.journal.assert_called(api="tasks.list")
    fake.journal.assert_called(api="tasks.list", status=200, times=2)


def test_assert_called_explains_a_wrong_count(fake: FakeTasks, client: Client) -> None:
    client.get("/_tasks")
    client.get("/")
    with pytest.raises(AssertionError) as raised:
        fake.journal.assert_called(api="tasks.list", times=3)
    assert str(raised.value) == (
        "expected requests Match(api='tasks.list') 3 time(s), got 1.\n"
        "Requests made (2):\n"
        "  *1. GET /_tasks -> 200\n"
        "   2. GET / -> 200"
    )


def test_assert_called_on_an_empty_journal(fake: FakeTasks) -> None:
    with pytest.raises(AssertionError, match=r"at least once, got 0\.\nNo requests were made\."):
        fake.journal.assert_called(api="tasks.cancel")


def test_assert_not_called(fake: FakeTasks, client: Client) -> None:
    client.get("/_tasks")
    fake.journal.assert_not_called(api="tasks.cancel")
    with pytest.raises(AssertionError, match=r"expected no requests Match\(method='GET'\), got 1"):
        fake.journal.assert_not_called(method="GET")


def test_assert_order_allows_requests_in_between(fake: FakeTasks, client: Client) -> None:
    task = fake.tasks()[0]
    client.get("/_tasks")
    client.get("/")
    client.post(f"/_tasks/{task.task_id}/_cancel")
    client.get(f"/_tasks/{task.task_id}")
    fake.journal.assert_order("tasks.list", "tasks.cancel", "tasks.get")
    fake.journal.assert_order(Match(method="POST"), "tasks.get")
    with pytest.raises(
        AssertionError,
        match=r"expected requests Match\(api='tasks.list'\) after "
        r"\[requests Match\(api='tasks.get'\)\], found none",
    ):
        fake.journal.assert_order("tasks.get", "tasks.list")


def test_unexpected_requests_are_the_unrouted_ones(fake: FakeTasks, client: Client) -> None:
    client.get("/_tasks")
    client.get("/_task/x:1")
    client.delete("/_tasks/x:1")
    client.options("/_cat/tasks")
    fake.inject(Fault.cluster_block(), path="/_cat/*")
    client.get("/_cat/tasks")
    assert [(e.method, e.path, e.status) for e in fake.journal.unexpected()] == [
        ("GET", "/_task/x:1", 400),
        ("DELETE", "/_tasks/x:1", 405),
    ]
    report = fake.journal.unexpected_report()
    assert report is not None
    head, _, listing = report.partition("The fake serves:\n")
    assert head == (
        "fake-tasks: 2 request(s) matched no route of the fake:\n"
        "  GET /_task/x:1 -> 400\n"
        "      did you mean GET /_tasks/{task_id}?\n"
        "  DELETE /_tasks/x:1 -> 405\n"
        "      did you mean GET /_tasks/{task_id}?\n"
    )
    families = dict(line.strip().split(": ", 1) for line in listing.splitlines())
    assert families["tasks"] == (
        "GET /_tasks, GET /_tasks/{task_id}, POST /_tasks/_cancel, POST /_tasks/{task_id}/_cancel"
    )
    listed = {route for routes in families.values() for route in routes.split(", ")}
    assert listed == {f"{r.method} {r.path}" for r in ROUTES}


def test_a_far_request_gets_the_list_of_routes_not_a_guess(fake: FakeTasks, client: Client) -> None:
    client.get("/_ingest/pipeline/x")
    report = fake.journal.unexpected_report()
    assert report is not None
    assert "did you mean" not in report
    assert report.splitlines()[:3] == [
        "fake-tasks: 1 request(s) matched no route of the fake:",
        "  GET /_ingest/pipeline/x -> 400",
        "The fake serves:",
    ]


def test_no_report_without_unexpected_requests(fake: FakeTasks, client: Client) -> None:
    client.get("/_tasks")
    assert fake.journal.unexpected_report() is None


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/_tasks/n:1/_cancel", ["POST /_tasks/{task_id}/_cancel"]),
        ("PUT", "/_tasks/_cancel", ["POST /_tasks/_cancel", "GET /_tasks/{task_id}"]),
        ("GET", "/_tasks/n:1/", ["GET /_tasks/{task_id}"]),
        ("HEAD", "/_tasks", ["GET /_tasks"]),
        ("GET", "/twelve/unrelated/segments/here", []),
        ("GET", "/_ingest/pipeline/x", []),
        ("GET", "/_snapshot/repo", []),
        ("GET", "/_node", ["GET /_nodes"]),
        ("POST", "/_tasks/_cancell", ["POST /_tasks/_cancel"]),
        ("POST", "/", ["GET /", "HEAD /"]),
    ],
)
def test_near_misses(method: str, path: str, expected: list[str]) -> None:
    assert list(near_misses(method, path, ROUTES)) == expected


def test_requests_are_recorded_on_arrival(fake: FakeTasks) -> None:
    journal = fake.journal
    ticket = journal.begin(Incoming("GET", "/_tasks", api="tasks.list"), 5)
    (pending,) = journal
    assert (pending.answered, pending.status) == (False, None)
    assert str(pending) == "GET /_tasks -> (not answered yet)"
    journal.assert_called(api="tasks.list", times=1)
    done = journal.finish(ticket, status=200, headers=(), body=b"{}", finished_ns=9)
    assert done is not None
    assert (done.answered, done.status, done.duration_ns, done.json()) == (True, 200, 4, {})
    assert list(journal) == [done]


def test_reset_clears_the_journal_and_late_answers_stay_out(fake: FakeTasks) -> None:
    journal = fake.journal
    ticket = journal.begin(Incoming("GET", "/"), 0)
    fake.reset()
    assert journal.finish(ticket, status=200, headers=(), body=b"", finished_ns=1) is None
    assert len(journal) == 0


def test_the_oldest_exchanges_are_dropped_past_the_limit() -> None:
    journal = Journal(max_entries=3)
    for i in range(5):
        ticket = journal.begin(Incoming("GET", f"/{i}"), 0)
        journal.finish(ticket, status=200, headers=(), body=b"", finished_ns=0)
    assert [e.path for e in journal] == ["/2", "/3", "/4"]
    assert journal[0].seq == 3
    assert repr(journal) == "Journal(3 exchanges, 2 dropped)"


def test_a_dropped_connection_has_no_status(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.disconnect())
    with pytest.raises(ConnectionAbortedError):
        client.get("/_tasks")
    (exchange,) = fake.journal
    assert exchange.status is None
    assert exchange.json() is None
    assert str(exchange) == "GET /_tasks -> no response  [fault Fault.disconnect()]"
