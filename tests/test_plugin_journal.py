"""The fixture's teardown checks and isolation, run in inner pytest sessions (pytester)."""

from __future__ import annotations

import pytest

HELPERS = """
import json
import urllib.error
import urllib.request

import pytest

from fake_tasks import Fault


def call(url, method="GET", headers=None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code
"""


def test_an_unexpected_request_fails_its_test_with_the_nearest_route(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def test_before(fake_tasks):
    assert call(fake_tasks.url + "/_tasks") == 200


def test_typo(fake_tasks):
    assert call(fake_tasks.url + "/_task/abc:1") == 400


def test_after(fake_tasks):
    assert call(fake_tasks.url + "/_tasks") == 200
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_typo*",
            "*fake-tasks: 1 request(s) matched no route of the fake:",
            "*GET /_task/abc:1 -> 400",
            "*did you mean GET /_tasks/{task_id}?",
            "*Expected? Answer it with a stub, e.g. fake_tasks.stub(*), or mark the test "
            "@pytest.mark.fake_tasks(allow_unexpected=True).",
        ]
    )
    assert "test_before" not in "\n".join(
        line for line in result.stdout.lines if line.startswith("ERROR")
    )


def test_what_does_not_count_as_unexpected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
@pytest.mark.fake_tasks(allow_unexpected=True, seed=4)
def test_probing_unknown_apis(fake_tasks):
    assert call(fake_tasks.url + "/_cat/plugins") == 400
    assert call(fake_tasks.url + "/_tasks", method="DELETE") == 405
    assert fake_tasks.settings.seed == 4
    assert len(fake_tasks.journal.unexpected()) == 2


def test_unmodelled_path_scripted(fake_tasks):
    fake_tasks.inject(Fault.cluster_block(), path="/_cat/*")
    assert call(fake_tasks.url + "/_cat/plugins") == 503


def test_options_is_always_answered(fake_tasks):
    assert call(fake_tasks.url + "/_cat/plugins", method="OPTIONS") == 200


@pytest.mark.fake_tasks(allow_unexpectd=True)
def test_misspelt_opt_out(fake_tasks):
    pass
"""
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    assert "ERROR test_what_does_not_count_as_unexpected.py::test_misspelt_opt_out" in (
        result.stdout.str()
    )
    assert "got unknown arguments ['allow_unexpectd']" in result.stdout.str()
    assert "'allow_unexpected'" in result.stdout.str()


def test_faults_and_the_journal_start_empty_in_every_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def test_breaks_everything(fake_tasks):
    fake_tasks.inject(Fault.cluster_block())
    fake_tasks.fail_node(next(iter(fake_tasks.cluster.nodes)))
    fake_tasks.add_task_failure(fake_tasks.tasks()[0], "boom")
    assert call(fake_tasks.url + "/_tasks") == 503


def test_sees_a_healthy_cluster(fake_tasks):
    assert len(fake_tasks.journal) == 0
    assert list(fake_tasks.faults) == []
    assert fake_tasks.cluster.failed_nodes == {}
    assert call(fake_tasks.url + "/_tasks") == 200
    fake_tasks.journal.assert_called(api="tasks.list", times=1)
"""
    )
    pytester.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_faults_are_per_worker_under_xdist(pytester: pytest.Pytester) -> None:
    """Each xdist worker has its own server, faults and journal; nothing leaks between tests."""
    test = """

def test_worker_{i}(fake_tasks):
    fake_tasks.inject(Fault.rejected(), api="tasks.list", times=2)
    codes = [call(fake_tasks.url + "/_tasks") for _ in range(4)]
    assert codes == [429, 429, 200, 200]
    fake_tasks.journal.assert_called(api="tasks.list", times=4)
    assert call(fake_tasks.url + "/_nope") == 400
"""
    pytester.makepyfile(HELPERS + "".join(test.format(i=i) for i in range(6)))
    pytester.makeconftest(
        """
import pytest

def pytest_collection_modifyitems(items):
    for item in items:
        if int(item.name.rsplit("_", 1)[1]) % 2 == 0:
            item.add_marker(pytest.mark.fake_tasks(allow_unexpected=True))
"""
    )
    result = pytester.runpytest_inprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, errors=3)
    result.stdout.fnmatch_lines(["*2 workers*"])
    errors = sorted(
        line.split("::")[1].split()[0] for line in result.stdout.lines if line.startswith("ERROR")
    )
    assert errors == ["test_worker_1", "test_worker_3", "test_worker_5"]
