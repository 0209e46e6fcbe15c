"""Stubs: canned answers for routes the fake does not model, and deliberate overrides."""

from __future__ import annotations

import base64

import pytest
from werkzeug.test import Client

from fake_tasks import Answer, FakeTasks, FakeTasksError, Fault, Settings
from fake_tasks.rest.app import App


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks()


def test_a_json_stub_answers_with_the_product_header(fake: FakeTasks, client: Client) -> None:
    fake.stub("GET", "/_cluster/settings", json={"persistent": {"a": "1"}})
    response = client.get("/_cluster/settings")
    assert response.status_code == 200
    assert response.json == {"persistent": {"a": "1"}}
    assert response.headers["X-elastic-product"] == "Elasticsearch"
    assert response.headers["content-type"] == "application/json"


def test_a_raw_stub_keeps_its_bytes_status_and_headers(fake: FakeTasks, client: Client) -> None:
    fake.stub(
        "GET",
        "/_cat/indices",
        body="green open logs\n",
        status=203,
        response_headers={"X-elastic-product": "Other", "Warning": "299 x"},
    )
    response = client.get("/_cat/indices")
    assert (response.status_code, response.data) == (203, b"green open logs\n")
    assert response.headers.getlist("X-elastic-product") == ["Other"]
    assert response.headers["content-type"] == "text/plain; charset=UTF-8"
    assert response.headers["Warning"] == "299 x"


def test_globs_templates_params_headers_and_any_method(fake: FakeTasks, client: Client) -> None:
    fake.stub("GET", "/{index}/_search", params={"q": "a*"}, json={"hits": 1}, name="search")
    fake.stub(None, "/_nodes/*/os,jvm", headers={"X-Opaque-Id": "probe-*"}, json={"n": 1})
    assert client.get("/logs/_search?q=abc").json == {"hits": 1}
    assert client.get("/logs/_search?q=zzz").status_code == 400  # no stub: no handler
    assert client.post("/_nodes/_all/os,jvm", headers={"X-Opaque-Id": "probe-1"}).json == {"n": 1}
    assert client.get("/_nodes/_all/os,jvm").status_code == 400


def test_times_sequences_and_cycles(fake: FakeTasks, client: Client) -> None:
    fake.stub("GET", "/_test/once", json={}, times=1)
    fake.stub("GET", "/_test/seq", answers=[Answer(503), Answer(200, json={"ok": True})])
    fake.stub("GET", "/_test/cycle", answers=[Answer(200, json=1), Answer(200, json=2)], cycle=True)
    assert [client.get("/_test/once").status_code for _ in range(2)] == [200, 400]
    assert [client.get("/_test/seq").status_code for _ in range(3)] == [503, 200, 400]
    assert [client.get("/_test/cycle").json for _ in range(3)] == [1, 2, 1]


def test_the_first_matching_stub_wins(fake: FakeTasks, client: Client) -> None:
    first = fake.stub("GET", "/_cluster/*", json="first")
    fake.stub("GET", "/_cluster/state", json="second")
    assert client.get("/_cluster/state").json == "first"
    fake.stubs.remove(first)
    assert client.get("/_cluster/state").json == "second"


def test_stubbed_requests_are_journaled_and_expected(fake: FakeTasks, client: Client) -> None:
    stub = fake.stub("GET", "/_cluster/state", json={})
    client.get("/_cluster/state")
    client.get("/_cluster/stats")
    [answered, unexpected] = fake.journal.exchanges
    assert answered.stub == stub
    assert not answered.unexpected
    assert unexpected.unexpected
    assert "[stub #1]" in str(answered)
    assert fake.stubs.hits(stub) == 1


def test_a_modelled_route_needs_override(fake: FakeTasks, client: Client) -> None:
    with pytest.raises(FakeTasksError, match=r"would never answer: the fake models GET /_tasks"):
        fake.stub("GET", "/_tasks", json={})
    with pytest.raises(FakeTasksError, match=r"the fake models GET /\{index\}"):
        fake.stub("GET", "/logs", json={})
    with pytest.raises(FakeTasksError, match="override=True"):
        fake.stub(None, "/x", api="tasks.list", json={})
    fake.stub("GET", "/_tasks/*", json={"not": "touched"})  # a glob skips modelled routes
    assert client.get("/_tasks/n:1").status_code == 404  # the model answered
    fake.stub("GET", "/_tasks", json={"nodes": {}}, override=True)
    assert client.get("/_tasks").json == {"nodes": {}}
    assert fake.violations == []


def test_an_override_keeps_the_api_contract(fake: FakeTasks, client: Client) -> None:
    fake.stub("GET", "/_tasks", json={"nodes": "wrong"}, override=True)
    client.get("/_tasks")
    [violation] = fake.violations
    assert violation.api == "tasks.list"


def test_faults_apply_on_top_of_stubs(fake: FakeTasks, client: Client) -> None:
    fake.stub("GET", "/_cluster/state", json={})
    fake.inject(Fault.error("cluster_block_exception", "blocked", 503), path="/_cluster/state")
    assert client.get("/_cluster/state").status_code == 503


def test_reset_clears_and_unused_stubs_are_reported(fake: FakeTasks, client: Client) -> None:
    used = fake.stub("GET", "/_test/a", json={})
    fake.stub("GET", "/_test/b", json={}, times=2)
    client.get("/_test/a")
    client.get("/_test/b")
    assert [s.id for s in fake.stubs.unused()] == []
    with pytest.raises(AssertionError, match=r"1 stub\(s\) not used up"):
        fake.stubs.assert_all_used()
    assert fake.stubs.hits(used) == 1
    fake.reset()
    assert len(fake.stubs) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": {}, "body": "x"}, "not both"),
        ({"status": 99}, "100-599"),
        ({"json": {1, 2}}, "not JSON serializable"),
        ({"answers": []}, "non-empty"),
        ({"times": 0}, "at least 1"),
        ({"answers": [Answer()], "json": {}}, "not both"),
    ],
)
def test_bad_stubs_are_refused(fake: FakeTasks, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((FakeTasksError, TypeError), match=message):
        fake.stub("GET", "/x", **kwargs)  # type: ignore[arg-type]


def test_a_stub_of_an_unmodelled_route_is_not_held_to_a_contract(
    fake: FakeTasks, client: Client
) -> None:
    fake.stub("GET", "/_cluster/state", json={"error": "any shape"}, status=503)
    assert client.get("/_cluster/state").status_code == 503
    assert fake.violations == []


def test_with_security_a_stubbed_request_needs_credentials_first() -> None:
    fake = FakeTasks(Settings(security=True))
    client = Client(App(fake))
    fake.stub("GET", "/_cluster/state", json={})
    assert client.get("/_cluster/state").status_code == 401
    auth = {"Authorization": "Basic " + base64.b64encode(b"elastic:changeme").decode()}
    assert client.get("/_cluster/state", headers=auth).status_code == 200
