"""Real sockets: the official `elasticsearch` 9.x client drives a rollup job's whole lifecycle."""

from __future__ import annotations

from typing import Any

import pytest
from elasticsearch import (
    ApiError,
    BadRequestError,
    ConflictError,
    Elasticsearch,
    ElasticsearchWarning,
    NotFoundError,
)

from fake_tasks import FakeTasks

pytestmark = pytest.mark.filterwarnings("ignore::elasticsearch.exceptions.ElasticsearchWarning")

JOB: dict[str, Any] = {
    "index_pattern": "sensor-*",
    "rollup_index": "sensor_rollup",
    "cron": "*/30 * * * * ?",
    "page_size": 1000,
    "groups": {
        "date_histogram": {"field": "timestamp", "fixed_interval": "1h", "delay": "7d"},
        "terms": {"fields": ["node"]},
    },
    "metrics": [{"field": "temperature", "metrics": ["min", "max", "sum"]}],
}


@pytest.fixture
def sensor(fake_tasks: FakeTasks) -> None:
    fake_tasks.add_index(
        "sensor-1",
        fields={"timestamp": "date", "temperature": "long", "node": "keyword"},
        docs=5_000_000,
    )
    fake_tasks.add_index("dummy-rollup-index", mappings={"_meta": {"_rollup": {"my-id": {}}}})


def job_task(es: Elasticsearch) -> dict[str, Any]:
    listed = es.tasks.list(detailed=True, actions="xpack/rollup/job*", group_by="none")
    (task,) = listed["tasks"]
    return dict(task)


@pytest.mark.usefixtures("sensor")
def test_the_whole_lifecycle(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    with pytest.warns(ElasticsearchWarning, match="rollup functionality will be removed"):
        assert es.rollup.put_job(id="sensor", **JOB).body == {"acknowledged": True}
    with pytest.raises(ConflictError):
        es.rollup.put_job(id="sensor", **JOB)
    with pytest.raises(BadRequestError) as refused:
        es.rollup.put_job(id="other", **{**JOB, "index_pattern": "*"})
    assert refused.value.body["error"]["caused_by"]["reason"] == (
        "Index pattern must not match all indices (as it would match it's own rollup index"
    )
    got = es.rollup.get_jobs(id="sensor")
    assert got["jobs"][0]["config"]["groups"]["date_histogram"] == {
        "fixed_interval": "1h",
        "field": "timestamp",
        "delay": "7d",
        "time_zone": "UTC",
    }
    assert job_task(es)["status"] == {"job_state": "stopped"}

    assert es.rollup.start_job(id="sensor").body == {"started": True}
    assert job_task(es)["status"] == {"job_state": "started"}
    fake_tasks.advance("30s")
    indexing = job_task(es)
    assert indexing["status"]["job_state"] == "indexing"
    assert indexing["description"] == "rollup_sensor"

    with pytest.raises(ApiError) as running:
        es.rollup.delete_job(id="sensor")
    assert running.value.meta.status == 500
    assert running.value.body["task_failures"][0]["reason"]["type"] == "illegal_state_exception"

    assert es.rollup.stop_job(id="sensor", wait_for_completion=True, timeout="10s").body == {
        "stopped": True
    }
    assert es.rollup.get_jobs(id="sensor")["jobs"][0]["status"]["job_state"] == "stopped"
    assert es.rollup.stop_job(id="sensor").body == {"stopped": True}
    with pytest.raises(NotFoundError) as missing:
        es.rollup.stop_job(id="nobody")
    assert missing.value.body["error"]["reason"] == "Task for Rollup Job [nobody] not found"

    assert es.rollup.delete_job(id="sensor").body == {"acknowledged": True}
    assert es.rollup.get_jobs(id="sensor").body == {"jobs": []}
    listed = es.tasks.list(actions="xpack/rollup/job*", group_by="none")
    assert listed["tasks"] == []
    assert not fake_tasks.violations


def test_a_stop_that_times_out_on_a_slow_stopping_job(
    es: Elasticsearch, fake_tasks: FakeTasks
) -> None:
    fake_tasks.add_rollup_job("sensor", docs=1_000_000, state="indexing")
    fake_tasks.slow_rollup_stop("sensor", "10m")
    with pytest.raises(ApiError) as timed_out:
        es.rollup.stop_job(id="sensor", wait_for_completion=True, timeout="120s")
    assert timed_out.value.meta.status == 429
    assert timed_out.value.body["error"]["reason"] == (
        "Timed out after [120s] while waiting for rollup job [sensor] to stop. State was [STOPPING]"
    )
    assert job_task(es)["status"]["job_state"] == "stopping"


def test_capabilities_and_listing(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    fake_tasks.add_rollup_job("sensor", index_pattern="sensor-*", rollup_index="sensor_rollup")
    fake_tasks.add_rollup_job("other", index_pattern="other-*", rollup_index="sensor_rollup")
    assert [job["config"]["id"] for job in es.rollup.get_jobs()["jobs"]] == ["other", "sensor"]
    caps = es.rollup.get_rollup_caps(id="sensor-*")
    assert list(caps.body) == ["sensor-*"]
    assert caps["sensor-*"]["rollup_jobs"][0]["fields"]["value"] == [
        {"agg": "min"},
        {"agg": "max"},
        {"agg": "sum"},
    ]
    by_index = es.rollup.get_rollup_index_caps(index="sensor_rollup")
    assert [job["job_id"] for job in by_index["sensor_rollup"]["rollup_jobs"]] == [
        "other",
        "sensor",
    ]
    assert not fake_tasks.violations
