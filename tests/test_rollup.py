"""Rollup jobs over the app (no sockets): the steps of Elasticsearch's own rollup YAML tests,
the refusals with their exact bodies, the job's life on the virtual clock and the versions."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.rest.app import App

JSON = {"Content-Type": "application/json"}
JOB: dict[str, Any] = {
    "index_pattern": "foo",
    "rollup_index": "foo_rollup",
    "cron": "*/30 * * * * ?",
    "page_size": 10,
    "groups": {"date_histogram": {"field": "the_field", "calendar_interval": "1h"}},
    "metrics": [{"field": "value_field", "metrics": ["min", "max", "sum"]}],
}
ZERO_STATS = dict.fromkeys(
    (
        "pages_processed", "documents_processed", "rollups_indexed", "trigger_count",
        "index_time_in_ms", "index_total", "index_failures", "search_time_in_ms", "search_total",
        "search_failures", "processing_time_in_ms", "processing_total",
    ),
    0,
)  # fmt: skip
FOO_CONFIG = {
    "id": "foo",
    "index_pattern": "foo",
    "rollup_index": "foo_rollup",
    "cron": "*/30 * * * * ?",
    "groups": {
        "date_histogram": {"calendar_interval": "1h", "field": "the_field", "time_zone": "UTC"}
    },
    "metrics": [{"field": "value_field", "metrics": ["min", "max", "sum"]}],
    "timeout": "20s",
    "page_size": 10,
}
MAPPING = {"properties": {"the_field": {"type": "date"}, "value_field": {"type": "integer"}}}


def make(version: str = "9.1.0") -> tuple[FakeTasks, Client]:
    fake = FakeTasks(Settings(tasks=0, version=version))
    fake.contract.strict = True
    return fake, Client(App(fake))


def call(client: Client, method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body)
    response = client.open(url, method=method, data=data, headers=JSON if data else {})
    text = response.get_data(as_text=True)
    return response.status_code, json.loads(text) if text else None


def error(kind: str, reason: str, status: int, **extra: Any) -> dict[str, Any]:
    cause = {"type": kind, "reason": reason}
    return {"error": {"root_cause": [cause], **cause, **extra}, "status": status}


def setup(client: Client, *, job: bool = True) -> None:
    """The YAML tests' setup: `foo` (and `bar`), the dummy rollup index, job `foo`."""
    for name in ("foo", "bar"):
        assert call(client, "PUT", f"/{name}", {"mappings": MAPPING})[0] == 200
    dummy = {
        "settings": {"number_of_shards": 1, "number_of_replicas": 0},
        "mappings": {"_meta": {"_rollup": {"my-id": {}}}},
    }
    assert call(client, "PUT", "/dummy-rollup-index", dummy)[0] == 200
    if job:
        assert call(client, "PUT", "/_rollup/job/foo", JOB) == (200, {"acknowledged": True})


@pytest.fixture
def client() -> Client:
    return make()[1]


# --- put_job.yml ----------------------------------------------------------------------------


def test_basic_put_job(client: Client) -> None:
    setup(client)
    assert call(client, "GET", "/_rollup/job/foo") == (
        200,
        {"jobs": [{"config": FOO_CONFIG, "status": {"job_state": "stopped"}, "stats": ZERO_STATS}]},
    )


def test_put_job_with_existing_name(client: Client) -> None:
    setup(client)
    assert call(client, "PUT", "/_rollup/job/foo", JOB) == (
        409,
        error(
            "status_exception",
            "Cannot create rollup job [foo] because job was previously created"
            " (existing metadata).",
            409,
        ),
    )


def test_put_job_in_non_rollup_index(client: Client) -> None:
    setup(client, job=False)
    call(client, "PUT", "/non-rollup")
    status, body = call(client, "PUT", "/_rollup/job/foo", {**JOB, "rollup_index": "non-rollup"})
    assert (status, body["error"]["type"]) == (500, "runtime_exception")
    assert body["error"]["reason"] == (
        "Rollup data cannot be added to existing indices that contain non-rollup data (expected"
        " to find _meta key in mapping of rollup index [non-rollup] but not found)."
    )


def test_try_to_include_headers(client: Client) -> None:
    setup(client, job=False)
    body = json.dumps({**JOB, "headers": {"foo": "bar"}}).encode()
    response = client.put("/_rollup/job/foo", data=body, headers=JSON)
    reason = response.json["error"]["reason"]  # type: ignore[index]
    assert response.status_code == 400
    column = body.decode().index('"headers"') + 1
    assert reason == f"[1:{column}] [xpack/rollup/jobconfig] unknown field [headers]"


def test_validation_failures(client: Client) -> None:
    setup(client, job=False)
    metrics = [{"field": "field_doesnt_exist", "metrics": ["min", "max", "sum"]}]
    assert call(client, "PUT", "/_rollup/job/foo", {**JOB, "metrics": metrics}) == (
        400,
        error(
            "rollup_action_request_validation_exception",
            "Validation Failed: 1: Could not find a [numeric] or [date,date_nanos] field with name"
            " [field_doesnt_exist] in any of the indices matching the index pattern.;",
            400,
        ),
    )


def test_unknown_metric(client: Client) -> None:
    setup(client, job=False)
    metrics = [{"field": "value_field", "metrics": ["min", "max", "sum", "does_not_exist"]}]
    status, body = call(client, "PUT", "/_rollup/job/foo", {**JOB, "metrics": metrics})
    assert status == 400
    chain = []
    cause = body["error"]
    while cause is not None:
        chain.append((cause["type"], re.sub(r"^\[\d+:\d+\] ", "", cause["reason"])))
        cause = cause.get("caused_by")
    assert chain == [
        ("x_content_parse_exception", "[xpack/rollup/jobconfig] failed to parse field [metrics]"),
        ("x_content_parse_exception", "[metrics] failed to parse field [metrics]"),
        (
            "x_content_parse_exception",
            "Failed to build [metrics] after last required field arrived",
        ),
        (
            "illegal_argument_exception",
            "Unsupported metric [does_not_exist]. Supported metrics include:"
            " [min, avg, max, sum, value_count]",
        ),
    ]


def test_comma_delimited_index_pattern(client: Client) -> None:
    setup(client, job=False)
    assert call(client, "PUT", "/_rollup/job/bar", {**JOB, "index_pattern": "foo,bar*"})[0] == 200
    config = call(client, "GET", "/_rollup/job/bar")[1]["jobs"][0]["config"]
    assert config == {**FOO_CONFIG, "id": "bar", "index_pattern": "foo,bar*"}


def test_the_rollup_index_mapping(client: Client) -> None:
    setup(client)
    mappings = call(client, "GET", "/foo_rollup/_mapping")[1]["foo_rollup"]["mappings"]
    assert mappings["_meta"] == {"_rollup": {"foo": FOO_CONFIG}, "rollup-version": ""}
    assert [next(iter(t)) for t in mappings["dynamic_templates"]] == ["strings", "date_histograms"]


# --- get_jobs.yml, start_job.yml, stop_job.yml, delete_job.yml ----------------------------------


def test_get_with_no_jobs_and_missing_job(client: Client) -> None:
    setup(client, job=False)
    assert call(client, "GET", "/_rollup/job/_all") == (200, {"jobs": []})
    assert call(client, "GET", "/_rollup/job/foo") == (200, {"jobs": []})
    assert call(client, "GET", "/_rollup/job") == (200, {"jobs": []})


def test_start_nonexistent_and_twice(client: Client) -> None:
    setup(client)
    missing = error(
        "resource_not_found_exception", "Task for Rollup Job [does_not_exist] not found", 404
    )
    assert call(client, "POST", "/_rollup/job/does_not_exist/_start") == (404, missing)
    assert call(client, "POST", "/_rollup/job/foo/_start") == (200, {"started": True})
    assert call(client, "POST", "/_rollup/job/foo/_start") == (200, {"started": True})


def test_stop_nonexistent_twice_and_non_started(client: Client) -> None:
    setup(client)
    assert call(client, "POST", "/_rollup/job/does_not_exist/_stop")[1]["error"]["reason"] == (
        "Task for Rollup Job [does_not_exist] not found"
    )
    assert call(client, "POST", "/_rollup/job/foo/_stop") == (200, {"stopped": True})
    assert call(client, "POST", "/_rollup/job/foo/_start") == (200, {"started": True})
    assert call(client, "POST", "/_rollup/job/foo/_stop") == (200, {"stopped": True})
    assert call(client, "POST", "/_rollup/job/foo/_stop") == (200, {"stopped": True})


@pytest.mark.parametrize(
    "query", ["wait_for_completion=true", "wait_for_completion=true&timeout=5s"]
)
def test_stop_waiting(client: Client, query: str) -> None:
    setup(client)
    call(client, "POST", "/_rollup/job/foo/_start")
    assert call(client, "POST", f"/_rollup/job/foo/_stop?{query}") == (200, {"stopped": True})


def test_delete_stopped_then_gone(client: Client) -> None:
    setup(client)
    assert call(client, "DELETE", "/_rollup/job/foo") == (200, {"acknowledged": True})
    assert call(client, "GET", "/_rollup/job/foo") == (200, {"jobs": []})
    assert call(client, "DELETE", "/_rollup/job/does_not_exist") == (
        404,
        error(
            "resource_not_found_exception", "the task with id [does_not_exist] doesn't exist", 404
        ),
    )


def test_delete_running_job(client: Client) -> None:
    fake, client = make()
    setup(client)
    call(client, "POST", "/_rollup/job/foo/_start")
    status, body = call(client, "DELETE", "/_rollup/job/foo")
    task = fake.tasks("xpack/rollup/job[c]")[0]
    assert status == 500
    assert body == {
        "task_failures": [
            {
                "task_id": task.id,
                "node_id": task.node,
                "status": "INTERNAL_SERVER_ERROR",
                "reason": {
                    "type": "illegal_state_exception",
                    "reason": "Could not delete job [foo] because indexer state is [STARTED]."
                    "  Job must be [STOPPED] before deletion.",
                },
            }
        ],
        "acknowledged": False,
    }


# --- get_rollup_caps.yml ----------------------------------------------------------------------


def test_rollup_caps(client: Client) -> None:
    setup(client)
    call(client, "PUT", "/foo2", {"mappings": MAPPING})
    call(client, "PUT", "/_rollup/job/foo2", {**JOB, "index_pattern": "foo2"})
    call(client, "PUT", "/_rollup/job/foo3", {**JOB, "rollup_index": "different_index"})
    fields = {
        "the_field": [{"agg": "date_histogram", "time_zone": "UTC", "calendar_interval": "1h"}],
        "value_field": [{"agg": "min"}, {"agg": "max"}, {"agg": "sum"}],
    }

    def job(job_id: str, rollup_index: str, pattern: str) -> dict[str, Any]:
        return {
            "job_id": job_id,
            "rollup_index": rollup_index,
            "index_pattern": pattern,
            "fields": fields,
        }

    assert call(client, "GET", "/_rollup/data/foo") == (
        200,
        {
            "foo": {
                "rollup_jobs": [
                    job("foo", "foo_rollup", "foo"),
                    job("foo3", "different_index", "foo"),
                ]
            }
        },
    )
    everything = call(client, "GET", "/_rollup/data/_all")[1]
    assert everything["foo2"] == {"rollup_jobs": [job("foo2", "foo_rollup", "foo2")]}
    assert set(everything) == {"foo", "foo2"}


# --- get_rollup_index_caps.yml ------------------------------------------------------------------


def test_rollup_index_caps(client: Client) -> None:
    setup(client)
    call(client, "DELETE", "/dummy-rollup-index")  # the job is the cluster's rollup usage now
    call(client, "PUT", "/foo2", {"mappings": MAPPING})
    call(client, "PUT", "/foo3", {"mappings": MAPPING})
    call(client, "PUT", "/_rollup/job/foo2", {**JOB, "index_pattern": "foo2"})
    call(
        client,
        "PUT",
        "/_rollup/job/foo3",
        {**JOB, "index_pattern": "foo3", "rollup_index": "foo_rollup2"},
    )
    status, body = call(client, "GET", "/_all/_rollup/data")
    assert status == 200
    assert set(body) == {"foo_rollup", "foo_rollup2"}
    assert [j["job_id"] for j in body["foo_rollup"]["rollup_jobs"]] == ["foo", "foo2"]
    assert [j["index_pattern"] for j in body["foo_rollup2"]["rollup_jobs"]] == ["foo3"]
    assert call(client, "GET", "/foo_rollup2,foo_rollup/_rollup/data")[1] == body
    assert set(call(client, "GET", "/*_rollup2/_rollup/data")[1]) == {"foo_rollup2"}
    assert call(client, "GET", "/foo/_rollup/data") == (200, {})


def test_a_job_without_groups_fails_as_the_server_does(client: Client) -> None:
    setup(client, job=False)
    status, body = call(
        client, "PUT", "/_rollup/job/foo", {k: v for k, v in JOB.items() if k != "groups"}
    )
    assert (status, body["error"]["type"]) == (500, "null_pointer_exception")
    assert 'RollupJobConfig.getGroupConfig()" is null' in body["error"]["reason"]
