"""The plugin through `pytester`: fixture, marker, option, isolation, server errors, opt-out."""

from __future__ import annotations

import pytest

HELPERS = """
import json
import urllib.error
import urllib.request

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.rest.app import App


def get(fake, path):
    with urllib.request.urlopen(fake.url + path, timeout=5) as response:
        return response.status, response.headers, response.read()
"""


def test_fixture_serves_a_cluster(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def test_list(fake_tasks):
    assert fake_tasks.url.startswith("http://127.0.0.1:")
    status, headers, body = get(fake_tasks, "/_tasks")
    assert status == 200
    assert headers["X-elastic-product"] == "Elasticsearch"
    nodes = json.loads(body)["nodes"]
    assert set(nodes) == set(fake_tasks.cluster.nodes)


def test_scripting_shows_up_over_http(fake_tasks):
    task = fake_tasks.add_task("indices:data/read/search", description="scripted")
    status, _, body = get(fake_tasks, f"/_tasks/{task.task_id}")
    assert json.loads(body)["task"]["description"] == "scripted"


def test_same_server_for_the_session(fake_tasks, fake_tasks_server):
    assert fake_tasks_server.fake is fake_tasks
    assert fake_tasks_server.url == fake_tasks.url


def test_default_seed_is_zero(fake_tasks):
    assert fake_tasks.settings.seed == 0
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_marker_and_seed_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def fresh_node_ids(seed, nodes=3):
    return list(FakeTasks(Settings(seed=seed, nodes=nodes)).cluster.nodes)


@pytest.mark.fake_tasks(seed=5, nodes=2, tasks=7)
def test_marker(fake_tasks):
    assert fake_tasks.settings.seed == 5
    assert len(fake_tasks.tasks()) == 7
    _, _, body = get(fake_tasks, "/_nodes")
    assert list(json.loads(body)["nodes"]) == fresh_node_ids(5, nodes=2)


@pytest.mark.fake_tasks(tasks=0)
def test_marker_keeps_the_option_seed(fake_tasks):
    assert fake_tasks.settings.seed == 11
    assert fake_tasks.tasks() == []


def test_option_seed(fake_tasks):
    assert fake_tasks.settings.seed == 11
    assert list(fake_tasks.cluster.nodes) == fresh_node_ids(11)


@pytest.mark.fake_tasks(sed=1)
def test_marker_typo(fake_tasks):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--fake-tasks-seed=11")
    result.assert_outcomes(passed=3, errors=1)
    assert "@pytest.mark.fake_tasks got unknown arguments ['sed']" in result.stdout.str()
    errors = [line for line in result.stdout.lines if line.startswith("ERROR ")]
    assert [line.split(" ")[1].split("::")[1] for line in errors] == ["test_marker_typo"]


def test_no_state_leaks_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def fresh_listing():
    return Client(App(FakeTasks(Settings()))).get("/_tasks?detailed&human").get_data()


def test_first_is_fresh(fake_tasks):
    assert get(fake_tasks, "/_tasks?detailed&human")[2] == fresh_listing()


@pytest.mark.fake_tasks(nodes=5)
def test_mess_everything_up(fake_tasks):
    fake_tasks.add_task("indices:data/read/search", cancel_delay=None)
    request = urllib.request.Request(fake_tasks.url + "/_tasks/_cancel?actions=*", method="POST")
    urllib.request.urlopen(request, timeout=5).read()
    fake_tasks.advance("2h")
    for _ in range(3):
        get(fake_tasks, "/_tasks")


def test_then_fresh_again(fake_tasks):
    assert len(fake_tasks.cluster.nodes) == 3
    assert not any(t.cancelled for t in fake_tasks.tasks())
    assert get(fake_tasks, "/_tasks?detailed&human")[2] == fresh_listing()
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_server_error_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        HELPERS
        + """
def test_before(fake_tasks):
    get(fake_tasks, "/")


def test_breaks_the_server(fake_tasks, monkeypatch):
    def explode(cluster):
        raise RuntimeError("kaboom inside the server")

    monkeypatch.setattr("fake_tasks.rest.render.cluster_info", explode)
    with pytest.raises(urllib.error.HTTPError) as caught:
        get(fake_tasks, "/")
    assert caught.value.code == 500
    caught.value.close()


def test_after(fake_tasks):
    get(fake_tasks, "/")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_breaks_the_server*",
            "*def explode(cluster):*",
            '*raise RuntimeError("kaboom inside the server")*',
            "*RuntimeError: kaboom inside the server*",
            "*the fake server failed 1 time(s)*",
        ]
    )
    errors = [line for line in result.stdout.lines if line.startswith("ERROR ")]
    assert len(errors) == 1
    assert errors[0].split(" ")[1].endswith("::test_breaks_the_server")


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_uses_it(fake_tasks):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:fake_tasks")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'fake_tasks' not found*"])
    unknown = pytester.runpytest("-p", "no:fake_tasks", "--fake-tasks-seed=1")
    assert unknown.ret == pytest.ExitCode.USAGE_ERROR
