"""The shared client matrix: the official Python client installed here (7.17, 8.x or 9.x)
against every emulated server version it supports (`.ci/run` runs this file once per client).

Written for all three client majors: only calls and attributes the three have in common.
"""

from __future__ import annotations

from typing import Any

import elasticsearch
import pytest
from elasticsearch import Elasticsearch, NotFoundError

from fake_tasks import FakeTasks

CLIENT = elasticsearch.__version__[0]
# an HTTP error answer: `ApiError` in 8.x/9.x, `TransportError` (with `status_code`) in 7.x
HTTP_ERROR: type[Exception] = getattr(elasticsearch, "ApiError", elasticsearch.TransportError)
SERVERS = {
    7: ("7.17.0", "8.0.0", "8.19.0"),
    8: ("8.0.0", "8.9.0", "8.19.0", "9.0.0", "9.5.0"),
    9: ("9.0.0", "9.5.0"),
}[CLIENT]


def status_of(error: Exception) -> int:
    """The HTTP status of a client error (7.x: `status_code`; 8.x/9.x: `meta.status`)."""
    meta = getattr(error, "meta", None)
    return int(meta.status if meta is not None else getattr(error, "status_code", 0))


def body_of(response: Any) -> dict[str, Any]:
    return dict(getattr(response, "body", response))


@pytest.fixture(params=SERVERS)
def es(request: pytest.FixtureRequest, fake_tasks: FakeTasks) -> Elasticsearch:
    fake_tasks.reset(version=request.param)
    return Elasticsearch(fake_tasks.url, max_retries=0)


def test_list(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    listed = body_of(es.tasks.list(detailed=True))
    assert set(listed["nodes"]) <= set(fake_tasks.cluster.nodes)
    own = [
        t
        for node in listed["nodes"].values()
        for t in node["tasks"].values()
        if t["action"] == "cluster:monitor/tasks/lists"
    ]
    assert own
    assert own[0]["cancellable"] is fake_tasks.cluster.has("list_tasks_cancellable")


def test_get_and_cancel(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    task = fake_tasks.add_task("indices:data/write/reindex", duration="1h")
    got = body_of(es.tasks.get(task_id=str(task.task_id)))
    assert got["completed"] is False
    assert got["task"]["cancelled"] is False
    cancelled = body_of(es.tasks.cancel(task_id=str(task.task_id)))
    assert cancelled["nodes"][task.node]["tasks"][str(task.task_id)]["cancelled"] is True


def test_a_task_started_by_reindex_is_polled_to_its_result(
    es: Elasticsearch, fake_tasks: FakeTasks
) -> None:
    task = fake_tasks.add_reindex("logs", "logs-v2", docs=500, duration="10s")
    for _ in range(100):
        done = body_of(es.tasks.get(task_id=str(task.task_id)))
        if done["completed"]:
            break
    # one virtual second per request: the 10th request (a 7.x client's product check
    # included) sees the 10-second reindex completed, with its stored response
    assert len(fake_tasks.journal) == 10
    assert done["response"]["created"] == 500


def test_a_wait_that_times_out(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    task = fake_tasks.add_task("indices:data/write/reindex", duration="1h")
    with pytest.raises(HTTP_ERROR) as raised:
        es.tasks.get(task_id=str(task.task_id), wait_for_completion=True, timeout="2s")
    assert status_of(raised.value) == (429 if fake_tasks.cluster.has("timeout_429") else 500)


def test_a_missing_task_is_a_404(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    node = next(iter(fake_tasks.cluster.nodes))
    with pytest.raises(NotFoundError) as raised:
        es.tasks.get(task_id=f"{node}:999999")
    assert status_of(raised.value) == 404


def test_stopping_a_rollup_job_that_does_not_exist(
    es: Elasticsearch, fake_tasks: FakeTasks
) -> None:
    from fake_tasks.rest.handlers import HANDLERS

    if "rollup.stop_job" not in HANDLERS:
        pytest.skip("this build serves no rollup API")
    with pytest.raises(NotFoundError):
        es.rollup.stop_job(id="no-such-job")


def test_root_reports_the_emulated_version(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    info = body_of(es.info())
    assert info["version"]["number"] == fake_tasks.cluster.version
    assert info["version"]["build_hash"] == fake_tasks.cluster.es_version.build.hash


def credentials(user: str, password: str) -> dict[str, Any]:
    """Basic auth as each client major spells it."""
    return {"http_auth" if CLIENT == 7 else "basic_auth": (user, password)}


@pytest.mark.fake_tasks(security=True, tls=True)
@pytest.mark.parametrize("server", SERVERS)
def test_a_secured_https_cluster(fake_tasks: FakeTasks, server: str) -> None:
    fake_tasks.reset(version=server)
    fake_tasks.security.add_role("reader", cluster=["monitor"])
    fake_tasks.security.add_user("reader", "r3ader", ["reader"])
    url, ca = fake_tasks.url, fake_tasks.ca_certs
    reader = Elasticsearch(url, ca_certs=ca, max_retries=0, **credentials("reader", "r3ader"))
    task = fake_tasks.add_task("indices:data/write/reindex", duration="1h")
    assert body_of(reader.tasks.get(task_id=str(task.task_id)))["completed"] is False
    with pytest.raises(elasticsearch.AuthorizationException) as denied:
        reader.tasks.cancel(task_id=str(task.task_id))
    assert status_of(denied.value) == 403
    with pytest.raises(elasticsearch.AuthenticationException) as unknown:
        Elasticsearch(url, ca_certs=ca, max_retries=0).tasks.list()
    assert status_of(unknown.value) == 401
    key = fake_tasks.security.add_api_key("ci", "elastic")
    admin = Elasticsearch(url, ca_certs=ca, max_retries=0, api_key=key.encoded)
    assert body_of(admin.tasks.cancel(task_id=str(task.task_id)))["nodes"]
    me = body_of(admin.security.authenticate())
    assert (me["username"], me["authentication_type"]) == ("elastic", "api_key")


@pytest.mark.skipif(CLIENT == 7, reason="a 7.x client returns bodies without headers")
def test_the_compatible_with_header_is_answered_in_kind(es: Elasticsearch) -> None:
    response: Any = es.info()
    content_type = response.meta.headers["content-type"]
    server = int(response.body["version"]["number"].split(".")[0])
    if server == CLIENT:
        assert content_type == f"application/vnd.elasticsearch+json;compatible-with={CLIENT}"
    else:  # an 8.x client against 9.x asks for, and gets, the 8 compatible format
        assert (CLIENT, server) == (8, 9)
        assert content_type == "application/vnd.elasticsearch+json;compatible-with=8"


@pytest.mark.skipif(CLIENT != 7, reason="the 7.x client's compatibility mode")
@pytest.mark.parametrize("server", ["7.17.0", "8.19.0"])
def test_a_7_client_in_compatibility_mode(
    fake_tasks: FakeTasks, monkeypatch: pytest.MonkeyPatch, server: str
) -> None:
    monkeypatch.setenv("ELASTIC_CLIENT_APIVERSIONING", "1")
    fake_tasks.reset(version=server)
    assert "nodes" in Elasticsearch(fake_tasks.url, max_retries=0).tasks.list()
    listed = fake_tasks.journal.last(api="tasks.list")
    assert listed is not None
    assert dict(listed.request.headers)["Accept"].endswith("compatible-with=7")
    assert listed.response_header("content-type") == (
        "application/vnd.elasticsearch+json;compatible-with=7"
    )


@pytest.mark.skipif(CLIENT != 9, reason="the 9.x client's refusal by 8.x servers")
def test_a_9_client_is_refused_by_an_8_server(fake_tasks: FakeTasks) -> None:
    fake_tasks.reset(version="8.19.0")
    with pytest.raises(elasticsearch.BadRequestError) as raised:
        Elasticsearch(fake_tasks.url, max_retries=0).tasks.list()
    assert raised.value.body["error"]["type"] == "media_type_header_exception"
