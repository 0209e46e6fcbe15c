"""Failed tests that used `fake_tasks` show the cluster's task tree and the journal's tail."""

from __future__ import annotations

import pytest

FAILING = """
import urllib.request

from fake_tasks import FakeTasks


def test_a_reindex_that_never_ends(fake_tasks: FakeTasks) -> None:
    task = fake_tasks.add_reindex("logs", "logs-v2", duration="30s", slices=2)
    fake_tasks.cancel(fake_tasks.add_task("indices:data/read/search", cancel_delay=None))
    urllib.request.urlopen(f"{fake_tasks.url}/_tasks/{task.task_id}", timeout=10).close()
    assert not task.running


def test_passes(fake_tasks: FakeTasks) -> None:
    assert fake_tasks.tasks() == []
"""


@pytest.fixture
def failing(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(FAILING)
    pytester.makeini("[pytest]\nfilterwarnings = error\n")
    return pytester


def test_the_report_shows_the_tree_and_the_journal(failing: pytest.Pytester) -> None:
    result = failing.runpytest("-p", "no:cacheprovider", "--fake-tasks-seed", "1")
    result.assert_outcomes(passed=0, failed=2)  # the generated tasks make the second one fail
    out = result.stdout.str()
    assert out.count("fake-tasks: the cluster at the end of the test") == 2
    result.stdout.fnmatch_lines(
        [
            "*- fake-tasks: the cluster at the end of the test -*",
            "Cluster at http://127.0.0.1:*, Elasticsearch 9.5.0, virtual clock: 3 node(s), *",
            "TASK * ACTION * STATE * TIME * CANCELLED * NODE * DESCRIPTION",
            "*:* * indices:data/write/reindex * running * 1s * no * * from [[]logs] to [[]logs-v2]",
            "├─ *:* * indices:data/write/reindex * running * 1s * no *",
            "└─ *:* * indices:data/write/reindex * running * 1s * no *",
            "*:* * indices:data/read/search * running * 1s * yes *",
            "",
            "Journal: 1 request(s):",
            '  1. GET /_tasks/*:* -> 200  {"completed":false,"task":{"node":*',
        ]
    )


def test_the_report_survives_xdist(failing: pytest.Pytester) -> None:
    result = failing.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*- fake-tasks: the cluster at the end of the test -*"])
    assert result.stdout.str().count("Journal: ") == 2


def test_the_report_names_the_request_body(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import urllib.request
from fake_tasks import Fault

def test_cancel(fake_tasks):
    fake_tasks.inject(Fault.rejected(), api="tasks.get", times=2)
    request = urllib.request.Request(
        f"{fake_tasks.url}/_tasks/_cancel?actions=none", data=b'{"x": 1}', method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=10)
    except urllib.error.HTTPError as error:
        with error:
            assert error.code == 200
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '  1. POST /_tasks/_cancel?actions=none -> 400  {"error":*',
            '     request body: {"x": 1}',
        ]
    )


@pytest.mark.parametrize(
    ("args", "ini"),
    [(["--fake-tasks-no-report"], ""), ([], "fake_tasks_report = false\n")],
    ids=["option", "ini"],
)
def test_the_report_can_be_turned_off(failing: pytest.Pytester, args: list[str], ini: str) -> None:
    failing.makeini(f"[pytest]\nfilterwarnings = error\n{ini}")
    result = failing.runpytest("-p", "no:cacheprovider", *args)
    result.assert_outcomes(failed=2)
    assert "the cluster at the end of the test" not in result.stdout.str()
    assert "Journal:" not in result.stdout.str()


def test_passing_tests_and_tests_without_the_fixture_get_no_report(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
def test_ok(fake_tasks):
    assert fake_tasks.url

def test_without_fixture():
    assert False
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    assert "the cluster at the end of the test" not in result.stdout.str()


def test_a_teardown_failure_gets_the_report_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import urllib.request, urllib.error

def test_unexpected(fake_tasks):
    try:
        urllib.request.urlopen(f"{fake_tasks.url}/_ingest/pipeline/x", timeout=10)
    except urllib.error.HTTPError as error:
        error.close()
    assert False, "and the call fails too"
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, errors=1)
    out = result.stdout.str()
    assert out.count("the cluster at the end of the test") == 1
    assert "GET /_ingest/pipeline/x -> 400" in out


def test_requests_are_not_logged_unless_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import urllib.request

def test_get(fake_tasks):
    urllib.request.urlopen(fake_tasks.url + "/_tasks", timeout=10).close()
    assert False
"""
    )
    quiet = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    quiet.assert_outcomes(failed=1)
    assert "GET /_tasks HTTP/1.1" not in quiet.stdout.str() + quiet.stderr.str()
    loud = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--fake-tasks-log-requests")
    loud.assert_outcomes(failed=1)
    loud.stdout.fnmatch_lines(
        ["*- Captured log call -*", "INFO * 127.0.0.1 GET /_tasks HTTP/1.1 -> 200"]
    )
