"""Issue 12 regressions through the app (no sockets): hostile values, waits, own tasks, realism."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.cluster.generate import generate_cluster
from fake_tasks.cluster.timevalue import parse_time_value
from fake_tasks.rest.app import App
from fake_tasks.spec.javanum import is_java_double, java_int_in_range

HUGE = 300_000  # digits: quadratic work on this many takes hours, linear work milliseconds


def call(fake: FakeTasks, path: str, method: str = "GET", **kwargs: Any) -> tuple[int, Any]:
    response = Client(App(fake)).open(path, method=method, **kwargs)
    data = response.get_data()
    return response.status_code, json.loads(data) if data else None


def bounded(work: Callable[[], Any], limit_s: float = 120.0) -> Any:
    """Run `work` in a thread; fail (rather than hang the suite) if it outlives `limit_s`."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(work()), daemon=True)
    thread.start()
    thread.join(limit_s)
    assert not thread.is_alive(), f"still running after {limit_s} s"
    return out[0]


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(tasks=0, tick=0))


def reason(body: Any) -> str:
    return str(body["error"]["reason"])


# -- 1, 2: numbers of any length -------------------------------------------------------------


def test_a_long_timeout_with_a_bad_unit_is_refused_in_linear_time(fake: FakeTasks) -> None:
    value = "1" * HUGE + "xs"
    status, body = bounded(lambda: call(fake, f"/_tasks?timeout={value}"))
    assert status == 400
    assert reason(body) == f"failed to parse [{value}]"
    assert body["error"]["caused_by"]["type"] == "number_format_exception"


def test_java_double_syntax_fails_fast_on_every_shape() -> None:
    for text in ("1" * HUGE + "x", "." + "1" * HUGE + "x", "1" * HUGE + "e" + "1" * HUGE + "x"):
        assert bounded(lambda text=text: is_java_double(text)) is False
    assert is_java_double("1" * 5000)
    for accepted in ("0x1.8p1", "-Infinity", ".5e3d"):
        assert is_java_double(accepted)
    for refused in ("NaNd", "1_000"):
        assert not is_java_double(refused)


def test_five_thousand_digit_timeout_is_a_fractional_400_not_a_500(fake: FakeTasks) -> None:
    value = "1" * 5000 + "s"
    status, body = call(fake, f"/_tasks?timeout={value}")
    assert status == 400
    # Long.parseLong fails, Double.parseDouble accepts: TimeValue calls it fractional
    assert reason(body) == f"failed to parse [{value}], fractional time values are not supported"


@pytest.mark.parametrize(
    "path",
    [
        "/_tasks/n:" + "9" * 5000,
        "/_tasks?parent_task_id=n:" + "9" * 5000,
        "/_tasks/_cancel?parent_task_id=n:" + "1" * 5000,
    ],
)
def test_five_thousand_digit_task_ids_are_malformed(fake: FakeTasks, path: str) -> None:
    status, body = call(fake, path, method="POST" if "_cancel" in path else "GET")
    assert status == 400
    assert reason(body).startswith("malformed task id n:")
    assert body["error"]["caused_by"]["type"] == "number_format_exception"


def test_java_long_bounds() -> None:
    assert java_int_in_range("9223372036854775807") == 2**63 - 1
    assert java_int_in_range("-9223372036854775808") == -(2**63)
    assert java_int_in_range("9223372036854775808") is None
    assert java_int_in_range("+" + "0" * 5000 + "7") == 7
    assert java_int_in_range("1" * 5000) is None
    assert java_int_in_range("١٢") is None  # not ASCII
    assert java_int_in_range("127", -128, 127) == 127
    assert java_int_in_range("128", -128, 127) is None


# -- 6: slow inputs --------------------------------------------------------------------------


def test_filter_path_with_many_double_wildcards_is_fast(fake: FakeTasks) -> None:
    fake.add_task("indices:data/read/search")
    path = ".".join(["**"] * 32) + ".action"
    status, body = bounded(lambda: call(fake, f"/_tasks?filter_path={path}"))
    assert status == 200
    node = next(iter(body["nodes"].values()))
    assert {t["action"] for t in node["tasks"].values()} >= {"indices:data/read/search"}


def test_a_huge_unknown_parameter_name_is_answered_fast(fake: FakeTasks) -> None:
    name = "x" * 60_000
    status, body = bounded(lambda: call(fake, f"/_tasks?detaled=1&{name}=1"))
    assert status == 400
    assert reason(body) == (
        "request [/_tasks] contains unrecognized parameters: "
        f"[detaled] -> did you mean [detailed]?, [{name}]"
    )


# -- 7: ids with an empty node ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "node"), [("/_tasks/:1/_cancel", ""), ("/_tasks/%2F:1/_cancel", "/")]
)
def test_cancel_of_a_task_on_an_unnamed_node_keeps_its_contract(
    fake: FakeTasks, path: str, node: str
) -> None:
    status, body = call(fake, path, method="POST")
    assert status == 200
    assert body["node_failures"] == [
        {
            "type": "failed_node_exception",
            "reason": f"Failed node [{node}]",
            "node_id": node,
            "caused_by": {
                "type": "no_such_node_exception",
                "reason": f"No such node [{node}]",
                "node_id": node,
            },
        }
    ]
    assert fake.violations == []  # nothing for the teardown to fail on
    fake.contract.strict = True  # `serve --strict` answers the same 200
    assert call(fake, path, method="POST")[0] == 200


# -- 9, 10, 11: waits ------------------------------------------------------------------------


def test_get_waits_its_whole_timeout_beyond_a_minute(fake: FakeTasks) -> None:
    task = fake.add_reindex(duration="10m")
    start = fake.cluster.now_ns()
    status, body = call(fake, f"/_tasks/{task.task_id}?wait_for_completion=true&timeout=20m")
    assert status == 200
    assert body["completed"] is True
    assert fake.cluster.now_ns() - start == 600 * 10**9


def test_list_waits_its_whole_timeout_beyond_a_minute(fake: FakeTasks) -> None:
    fake.add_task("indices:data/write/reindex", duration="5m")
    status, body = call(fake, "/_tasks?wait_for_completion=true&timeout=10m&actions=indices:*")
    assert status == 200
    assert "node_failures" not in body


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        ("-1", "[-1/-1ms]"),
        ("-1s", "[-1/-1000ms]"),
        ("-1m", "[-1/-60000ms]"),
        ("-1nanos", "[-1/0ms]"),
    ],
)
def test_minus_one_times_out_at_once(fake: FakeTasks, timeout: str, message: str) -> None:
    task = fake.add_task("indices:data/write/reindex", duration="1s")
    start = fake.cluster.now_ns()
    status, body = call(fake, f"/_tasks/{task.task_id}?wait_for_completion=true&timeout={timeout}")
    assert status == 429
    assert reason(body) == f"timed out after {message}"
    assert fake.cluster.now_ns() == start


def test_minus_one_on_a_finished_task_is_no_timeout(fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/write/reindex", duration="1s", store_result=True)
    fake.advance("2s")
    status, body = call(fake, f"/_tasks/{task.task_id}?wait_for_completion=true&timeout=-1")
    assert (status, body["completed"]) == (200, True)


def test_parse_keeps_the_unit_of_minus_one() -> None:
    assert parse_time_value("-1", "timeout") == -(10**6)
    assert parse_time_value("-1h", "timeout") == -3_600 * 10**9


@pytest.mark.parametrize(("version", "running_s"), [("9.1.0", 30), ("8.8.0", 0)])
def test_list_infos_are_taken_after_the_wait_from_8_9(version: str, running_s: int) -> None:
    fake = FakeTasks(Settings(tasks=0, tick=0, version=version))
    fake.add_task("indices:data/write/reindex", duration="30s")
    status, body = call(fake, "/_tasks?wait_for_completion=true&actions=indices:*&group_by=none")
    assert status == 200
    assert [t["running_time_in_nanos"] for t in body["tasks"]] == [running_s * 10**9]


# -- 12: error_trace on a 200 ----------------------------------------------------------------


def test_error_trace_adds_no_stack_trace_to_a_200(fake: FakeTasks) -> None:
    second = list(fake.cluster.nodes)[1]
    fake.fail_node(second)
    task = fake.add_task("indices:data/read/search")
    fake.add_task_failure(task, "boom")
    status, body = call(fake, "/_tasks?error_trace=true")
    assert status == 200
    assert "stack_trace" not in json.dumps(body)
    status, body = call(fake, f"/_tasks/{task.task_id}/_cancel?error_trace=true", method="POST")
    assert status == 200
    assert "stack_trace" not in json.dumps(body)


def test_a_stored_error_never_has_a_stack_trace(fake: FakeTasks) -> None:
    from fake_tasks.errors import EsError

    task = fake.add_task("indices:data/write/reindex", store_result=True)
    fake.fail(task, EsError.custom("search_phase_execution_exception", "all shards failed", 503))
    status, body = call(fake, f"/_tasks/{task.task_id}?error_trace=true")
    assert status == 200
    assert body["error"] == {
        "type": "search_phase_execution_exception",
        "reason": "all shards failed",
    }


# -- 14: realism of seeded clusters ----------------------------------------------------------


def test_seeded_clusters_have_direct_children_and_singleton_persistent_tasks() -> None:
    for seed in range(40):
        cluster = generate_cluster(seed, nodes=3, tasks=60)
        tasks = {t.task_id: t for t in cluster.tasks()}
        for task in tasks.values():
            parent = tasks.get(task.parent) if task.parent is not None else None
            if parent is not None and task.type in ("direct", "transport"):
                local = task.node == parent.node
                if task.action.endswith(("[phase/query]", "[s]", "stats[n]")):
                    assert task.type == ("direct" if local else "transport"), (seed, task)
        for action in ("geoip-downloader[c]", "health-node[c]"):
            assert sum(t.action == action for t in tasks.values()) <= 1, (seed, action)


def test_seed_seven_has_one_geoip_downloader() -> None:
    cluster = generate_cluster(7, nodes=3, tasks=30)
    assert sum(t.action == "geoip-downloader[c]" for t in cluster.tasks()) <= 1


@pytest.mark.parametrize(
    ("version", "lucene"),
    [("8.0.1", "9.0.0"), ("8.4.3", "9.3.0"), ("8.8.0", "9.6.0"), ("8.10.4", "9.7.0"),
     ("8.12.0", "9.9.1"), ("9.1.0", "10.2.2")],
)  # fmt: skip
def test_lucene_version_follows_the_release(version: str, lucene: str) -> None:
    _, body = call(FakeTasks(Settings(tasks=0, version=version)), "/")
    assert body["version"]["lucene_version"] == lucene


# -- 15: a cancel with no filter cancels its own node tasks ----------------------------------


def test_cancel_without_filter_cancels_its_own_node_tasks(fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/read/search")
    status, body = call(fake, "/_tasks/_cancel?group_by=none", method="POST")
    assert status == 200
    listed = {(t["node"], t["action"]): t for t in body["tasks"]}
    own = [t for (_, action), t in listed.items() if action == "cluster:admin/tasks/cancel[n]"]
    assert sorted(t["node"] for t in own) == sorted(fake.cluster.nodes)
    assert all(t["cancellable"] and t["cancelled"] for t in own)
    assert all("parent_task_id" in t for t in own)
    assert listed[(task.node, task.action)]["cancelled"] is True
    # the cancel's tasks are gone once it answered
    assert not [t for t in fake.tasks() if t.action.startswith("cluster:admin/tasks/cancel")]


def test_cancel_own_tasks_are_not_cancellable_before_8_4() -> None:
    fake = FakeTasks(Settings(tasks=0, tick=0, version="8.3.3"))
    status, body = call(fake, "/_tasks/_cancel?actions=*cancel*&group_by=none", method="POST")
    assert (status, body) == (200, {"tasks": []})


def test_cancel_waiting_for_itself_ends_at_the_fakes_bound(fake: FakeTasks) -> None:
    start = fake.cluster.now_ns()
    status, body = call(fake, "/_tasks/_cancel?wait_for_completion=true", method="POST")
    assert status == 429
    assert reason(body) == "timed out after [1m/60000ms]"
    assert fake.cluster.now_ns() - start == fake.cluster.max_wait_ns


def test_the_longest_waits_never_carry_the_clock_past_printable_dates(fake: FakeTasks) -> None:
    task = fake.add_task("indices:data/write/reindex")
    for _ in range(30):  # 30 x 106751 days would be the year 10794
        status, _ = call(fake, f"/_tasks/{task.task_id}?wait_for_completion=true&timeout=106751d")
        assert status == 429
    status, body = call(fake, "/_tasks?human&group_by=none")
    assert status == 200
    assert body["tasks"][0]["start_time"].startswith("2026-")
