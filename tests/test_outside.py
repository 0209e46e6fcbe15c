"""`fake_tasks.running`: the fake outside pytest, as a context manager and as a decorator."""

from __future__ import annotations

import io
import unittest
import urllib.error
import urllib.request

import pytest
from elasticsearch import Elasticsearch

import fake_tasks
from fake_tasks import FakeTasks, FakeTasksError


def test_a_with_block_serves_a_seeded_cluster_and_stops() -> None:
    with fake_tasks.running(seed=7, nodes=2, tasks=4) as fake:
        assert fake.url is not None
        es = Elasticsearch(fake.url, max_retries=0)
        listed = es.tasks.list(group_by="none")
        own = [t for t in listed["tasks"] if t["action"].startswith("cluster:monitor/tasks")]
        assert len(listed["tasks"]) - len(own) == 4
        url = fake.url
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url, timeout=2)


def test_the_same_seed_gives_the_same_cluster() -> None:
    with fake_tasks.running(seed=11) as first:
        ids = [str(t.task_id) for t in first.tasks()]
    with fake_tasks.running(seed=11) as second:
        assert [str(t.task_id) for t in second.tasks()] == ids


def ask_for_health(**options: object) -> None:
    """A request the fake does not model, answered `no handler found` (400)."""
    with fake_tasks.running(**options) as fake:  # type: ignore[arg-type]
        es = Elasticsearch(fake.url or "", max_retries=0)
        es.options(ignore_status=400).cluster.state()


def test_an_unexpected_request_fails_the_block_on_exit() -> None:
    with pytest.raises(AssertionError, match=r"GET /_cluster/state -> 400"):
        ask_for_health()


def test_strict_false_skips_the_checks() -> None:
    ask_for_health(strict=False)


def test_a_failing_body_keeps_its_own_error() -> None:
    def body() -> None:
        with fake_tasks.running() as fake:
            Elasticsearch(fake.url or "", max_retries=0).options(ignore_status=400).cluster.state()
            raise KeyError("the body's own error wins")

    with pytest.raises(KeyError):
        body()


def test_a_stub_answers_what_the_fake_does_not_model() -> None:
    with fake_tasks.running(tasks=0) as fake:
        fake.stub("GET", "/_cluster/state", json={"cluster_name": "fake"})
        state = Elasticsearch(fake.url or "", max_retries=0).cluster.state()
        assert state.body == {"cluster_name": "fake"}


def test_a_scenario_option() -> None:
    scenario = {"scenario": 1, "nodes": [{"name": "n1"}], "tasks": [{"action": "a:b"}]}
    with fake_tasks.running(scenario=scenario) as fake:
        assert [t.action for t in fake.tasks()] == ["a:b"]


def test_server_errors_are_raised_on_exit() -> None:
    with pytest.raises(FakeTasksError, match="failed 1 time"), fake_tasks.running() as fake:
        fake.record_error(RuntimeError("boom"))


def test_one_instance_is_not_reentrant() -> None:
    runner = fake_tasks.running()
    with runner, pytest.raises(RuntimeError, match="already in use"), runner:
        pass


class DecoratedTests(unittest.TestCase):
    @fake_tasks.running(seed=3, tasks=2)
    def test_gets_the_fake_last(self, fake: FakeTasks) -> None:
        assert len(fake.tasks()) == 2
        es = Elasticsearch(fake.url or "", max_retries=0)
        assert es.info()["tagline"] == "You Know, for Search"


def test_the_decorator_in_a_unittest_suite() -> None:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(DecoratedTests)
    result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    assert result.testsRun == 1
    assert result.wasSuccessful(), result.failures + result.errors


def test_a_decorated_function_runs_twice_with_fresh_fakes() -> None:
    seen: list[int] = []

    @fake_tasks.running(tasks=0)
    def script(label: str, fake: FakeTasks) -> str:
        fake.add_task("x:y")
        seen.append(len(fake.tasks()))
        return label

    assert script("a") == "a"
    assert script("b") == "b"
    assert seen == [1, 1]
