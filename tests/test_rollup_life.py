"""A rollup job's life on the virtual clock: cron firings, pages, stopping, aborting, failing,
the persistent task in `_tasks`, cancelling it, and what differs by emulated version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, FakeTasksError, Settings
from fake_tasks.rest.app import App
from fake_tasks.rest.render_rollup import DEPRECATION
from fake_tasks.versions import parse_version

JOB: dict[str, Any] = {
    "index_pattern": "sensor-*",
    "rollup_index": "sensor_rollup",
    "cron": "*/30 * * * * ?",
    "page_size": 100,
    "groups": {"date_histogram": {"field": "@timestamp", "fixed_interval": "1h"}},
    "metrics": [{"field": "value", "metrics": ["avg"]}],
}


def make(version: str = "9.1.0") -> tuple[FakeTasks, Client]:
    fake = FakeTasks(Settings(tasks=0, version=version, tick=0))
    fake.contract.strict = True
    return fake, Client(App(fake))


def call(client: Client, method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body)
    headers = {"Content-Type": "application/json"} if data else {}
    response = client.open(url, method=method, data=data, headers=headers)
    text = response.get_data(as_text=True)
    return response.status_code, json.loads(text) if text else None


def state(client: Client, job_id: str = "sensor") -> str:
    jobs = call(client, "GET", f"/_rollup/job/{job_id}")[1]["jobs"]
    return str(jobs[0]["status"]["job_state"]) if jobs else "gone"


def stats(client: Client, job_id: str = "sensor") -> dict[str, int]:
    return dict(call(client, "GET", f"/_rollup/job/{job_id}")[1]["jobs"][0]["stats"])


def job_task(client: Client) -> dict[str, Any]:
    tasks = call(client, "GET", "/_tasks?detailed&actions=xpack/rollup/*&group_by=none")[1]["tasks"]
    assert len(tasks) <= 1
    return dict(tasks[0]) if tasks else {}


@pytest.fixture
def fake() -> FakeTasks:
    return make()[0]


def test_started_job_fires_on_its_cron_and_indexes_by_pages() -> None:
    fake, client = make()
    fake.add_rollup_job("sensor", page_size=100, docs=2_500)  # 1,000 documents per page
    task = job_task(client)
    assert (task["type"], task["description"], task["status"]) == (
        "persistent",
        "rollup_sensor",
        {"job_state": "stopped"},
    )
    assert task["cancellable"] is True
    assert task["parent_task_id"].startswith("cluster:")
    assert call(client, "POST", "/_rollup/job/sensor/_start") == (200, {"started": True})
    assert job_task(client)["status"] == {"job_state": "started"}
    fake.advance("30s")  # the cron fires at :30; the first search takes a page
    assert state(client) == "indexing"
    assert stats(client)["trigger_count"] == 1
    fake.advance("1s")
    assert stats(client)["pages_processed"] == 1
    assert stats(client)["documents_processed"] == 1_000
    fake.advance("2s")  # two more pages: 2,500 documents, then the empty last page
    assert job_task(client)["status"]["job_state"] == "indexing"
    fake.advance("1s")
    assert state(client) == "started"
    done = stats(client)
    assert (done["pages_processed"], done["documents_processed"], done["rollups_indexed"]) == (
        4,
        2_500,
        250,
    )
    assert (done["search_total"], done["index_total"], done["trigger_count"]) == (4, 3, 1)
    fake.advance("26s")  # the next firing finds nothing new: one empty page
    fake.advance("1s")
    assert stats(client)["trigger_count"] == 2
    assert stats(client)["documents_processed"] == 2_500


def test_stop_while_indexing_is_stopping_until_the_page_ends() -> None:
    fake, client = make()
    fake.add_rollup_job("sensor", docs=1_000_000, state="indexing", page_time="10s")
    assert call(client, "POST", "/_rollup/job/sensor/_stop") == (200, {"stopped": True})
    assert state(client) == "stopping"
    assert job_task(client)["status"]["job_state"] == "stopping"
    fake.advance("10s")
    assert state(client) == "stopped"


def test_stop_waiting_jumps_to_the_end_of_the_page() -> None:
    fake, client = make()
    fake.add_rollup_job("sensor", docs=1_000_000, state="indexing", page_time="10s")
    before = fake.clock.now_ns()
    status, body = call(client, "POST", "/_rollup/job/sensor/_stop?wait_for_completion=true")
    assert (status, body) == (200, {"stopped": True})
    assert fake.clock.now_ns() - before == 10_000_000_000
    assert state(client) == "stopped"


@pytest.mark.parametrize(
    ("version", "timeout", "status", "shown"),
    [("9.1.0", "120s", 429, "120s"), ("9.1.0", "2m", 429, "2m"), ("8.19.0", None, 500, "30s")],
)
def test_stop_times_out_on_a_slow_stopping_job(
    version: str, timeout: str | None, status: int, shown: str
) -> None:
    fake, client = make(version)
    fake.add_rollup_job("sensor", docs=1_000_000, state="indexing")
    fake.slow_rollup_stop("sensor", "5m")
    query = "wait_for_completion=true" + (f"&timeout={timeout}" if timeout else "")
    reason = (
        f"Timed out after [{shown}] while waiting for rollup job [sensor] to stop."
        " State was [STOPPING]"
    )
    assert call(client, "POST", f"/_rollup/job/sensor/_stop?{query}") == (
        status,
        {
            "error": {
                "root_cause": [{"type": "timeout_exception", "reason": reason}],
                "type": "timeout_exception",
                "reason": reason,
            },
            "status": status,
        },
    )
    assert state(client) == "stopping"
    fake.advance("5m")
    assert state(client) == "stopped"


def test_a_job_stuck_aborting() -> None:
    fake, client = make()
    fake.add_rollup_job("sensor", state="started")
    fake.stick_rollup_aborting("sensor")
    assert state(client) == "aborting"
    cannot = "Cannot {} task for Rollup Job [sensor] because state was [ABORTING]"
    status, body = call(client, "POST", "/_rollup/job/sensor/_stop")
    assert (status, body["error"]["type"], body["error"]["reason"]) == (
        500,
        "exception",
        cannot.format("stop"),
    )
    assert call(client, "POST", "/_rollup/job/sensor/_start")[1]["error"]["reason"] == (
        cannot.format("start")
    )
    status, body = call(client, "DELETE", "/_rollup/job/sensor")
    assert status == 500
    assert "indexer state is [ABORTING]" in body["task_failures"][0]["reason"]["reason"]
    fake.advance("1h")
    assert state(client) == "aborting"


def test_a_failing_job_counts_search_failures() -> None:
    fake, client = make()
    fake.add_rollup_job("sensor", state="started")
    fake.fail_rollup_runs("sensor")
    fake.advance("31s")
    after = stats(client)
    assert (after["trigger_count"], after["search_failures"], after["pages_processed"]) == (1, 1, 0)
    assert state(client) == "started"


def test_mid_way_through_a_large_backlog() -> None:
    fake, client = make()
    fake.add_rollup_job("big", docs=10_000_000, page_size=1_000, state="indexing", progress=0.5)
    now = stats(client, "big")
    assert now["pages_processed"] == 500
    assert now["documents_processed"] == 5_000_000
    assert state(client, "big") == "indexing"
    status = call(client, "GET", "/_rollup/job/big")[1]["jobs"][0]["status"]
    assert list(status) == ["job_state", "current_position"]


@pytest.mark.parametrize(("scripted", "gone_after"), [("started", 0), ("indexing", 1)])
def test_cancelling_the_persistent_task_aborts_the_job(scripted: str, gone_after: int) -> None:
    fake, client = make()
    fake.add_rollup_job("sensor", docs=1_000_000, state=scripted)
    task = fake.tasks("xpack/rollup/job[c]")[0]
    assert call(client, "POST", f"/_tasks/{task.task_id}/_cancel")[0] == 200
    if gone_after:
        assert state(client) == "aborting"
        assert job_task(client)["cancelled"] is True
        fake.advance(f"{gone_after}s")
    assert state(client) == "gone"
    assert job_task(client) == {}
    # the config stays in the rollup index: the same id cannot be created again
    assert call(client, "PUT", "/_rollup/job/sensor", JOB)[0] == 409


def test_put_refused_without_rollup_usage_from_8_15() -> None:
    fake, client = make()
    fake.add_index("sensor-1", fields={"@timestamp": "date", "value": "long"})
    refused = call(client, "PUT", "/_rollup/job/sensor", JOB)
    assert refused[0] == 400
    assert refused[1]["error"]["reason"] == (
        "new rollup jobs are not allowed in clusters that don't have any rollup usage,"
        " since rollup has been deprecated"
    )
    fake, client = make("8.14.3")
    fake.add_index("sensor-1", fields={"@timestamp": "date", "value": "long"})
    assert call(client, "PUT", "/_rollup/job/sensor", JOB) == (200, {"acknowledged": True})
    rollup_meta = fake.index("sensor_rollup").mappings["_meta"]
    assert rollup_meta["rollup-version"] == "8.14.3"


@pytest.mark.parametrize(("version", "warns"), [("9.1.0", True), ("8.19.0", False)])
def test_the_deprecation_warning_by_version(version: str, warns: bool) -> None:
    fake, client = make(version)
    fake.add_rollup_job("sensor")
    for method, url in (
        ("GET", "/_rollup/job/sensor"),
        ("POST", "/_rollup/job/sensor/_start"),
        ("POST", "/_rollup/job/missing/_stop"),
        ("GET", "/_rollup/data/_all"),
    ):
        response = client.open(url, method=method)
        warning = response.headers.get("Warning")
        if warns:
            build = parse_version(version).build.hash
            assert warning == f'299 Elasticsearch-{version}-{build} "{DEPRECATION}"'
        else:
            assert warning is None
    # no Warning for a request refused before the action runs
    assert client.get("/_rollup/job/sensor?bogus=1").headers.get("Warning") is None


def test_start_of_a_started_job_by_version() -> None:
    fake, client = make("7.17.0")
    fake.add_rollup_job("sensor", state="started")
    status, body = call(client, "POST", "/_rollup/job/sensor/_start")
    assert (status, body["error"]["reason"]) == (
        500,
        "Cannot start task for Rollup Job [sensor] because state was [STARTED]",
    )
    status = call(client, "GET", "/_rollup/job/sensor")[1]["jobs"][0]["status"]
    assert status == {"job_state": "started", "upgraded_doc_id": True}


def test_scripting_refusals(fake: FakeTasks) -> None:
    with pytest.raises(FakeTasksError, match="no rollup job"):
        fake.rollup_job("nope")
    fake.add_rollup_job("sensor")
    with pytest.raises(FakeTasksError, match="previously created"):
        fake.add_rollup_job("sensor")
    with pytest.raises(FakeTasksError, match="state must be"):
        fake.add_rollup_job("other", state="paused")


def test_cancel_waiting_for_an_indexing_job_ends_with_its_page() -> None:
    fake, client = make()
    fake.add_rollup_job("sensor", docs=1_000_000, state="indexing", page_time="45s")
    task = fake.tasks("xpack/rollup/job[c]")[0]
    before = fake.clock.now_ns()
    url = f"/_tasks/{task.task_id}/_cancel?wait_for_completion=true"
    assert call(client, "POST", url)[0] == 200
    assert fake.clock.now_ns() - before == 45_000_000_000
    assert state(client) == "gone"
