"""Every response the fake sends is checked against its contract: where, what is recorded, strict
mode, the exemptions, the rejected-request log, the fixture's teardown and the CLI's log."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from serving import serving
from werkzeug.test import Client

from fake_tasks import EsError, FakeTasks, Fault, Settings
from fake_tasks.contract import schemas as contract
from fake_tasks.rest import render


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(seed=5, nodes=2, tasks=4))


def bad_task(fake: FakeTasks) -> str:
    """A scripted task whose `type` breaks task_info.json (minLength 1); its id."""
    return str(fake.add_task("indices:data/read/search", type="").task_id)


def test_a_valid_exchange_records_nothing(fake: FakeTasks, client: Client) -> None:
    for url in ("/", "/_nodes", "/_tasks?detailed&human", f"/_tasks/{fake.tasks()[0].task_id}"):
        assert client.get(url).status_code == 200
    assert client.post("/_tasks/_cancel?actions=nothing:matches").status_code == 200
    assert fake.violations == []


def test_a_scripted_body_that_breaks_its_schema_is_recorded(
    fake: FakeTasks, client: Client
) -> None:
    task_id = bad_task(fake)
    response = client.get(f"/_tasks/{task_id}?human")
    assert response.status_code == 200  # sent as is: not strict
    [found] = fake.violations
    assert found.request == f"GET /_tasks/{task_id}?human"
    assert (found.api, found.status, found.schema) == ("tasks.get", 200, "get_task_response.json")
    [violation] = found.violations
    assert violation.pointer == "/task/type"
    assert violation.schema == "task_info.json"
    assert violation.rule == "$defs/task/properties/type/minLength"
    assert f"GET /_tasks/{task_id}?human -> 200" in str(found)
    assert "/task/type" in str(found)


def test_the_body_is_checked_before_filter_path(fake: FakeTasks, client: Client) -> None:
    # filtered down to ids, a valid list lacks every required field: not a violation
    response = client.get("/_tasks?group_by=none&filter_path=tasks.id")
    assert set(json.loads(response.get_data())["tasks"][0]) == {"id"}
    assert fake.violations == []
    # the filter hides the broken field, but the unfiltered body is what was checked
    bad_task(fake)
    client.get("/_tasks?group_by=none&filter_path=tasks.id")
    [found] = fake.violations
    assert found.violations[0].pointer.endswith("/type")


def test_injected_fault_responses_are_checked(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.error(EsError.custom("", "nameless", 503)), api="tasks.list", times=1)
    assert client.get("/_tasks").status_code == 503
    [found] = fake.violations
    assert found.schema == "error_response.json"
    assert {v.pointer for v in found.violations} >= {"/error/type"}


def test_fault_error_bodies_that_are_well_formed_pass(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.rejected(), api="tasks.list", times=1)
    fake.inject(Fault.cluster_block(), api="tasks.get", times=1)
    fake.make_missing(fake.tasks()[0], times=2)
    task_id = fake.tasks()[0].task_id
    assert client.get("/_tasks").status_code == 429
    assert client.get(f"/_tasks/{task_id}").status_code == 503
    assert client.get(f"/_tasks/{task_id}").status_code == 404
    assert client.post(f"/_tasks/{task_id}/_cancel?group_by=none").status_code == 200
    assert fake.violations == []


def test_malformed_bytes_are_exempt_by_construction(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.malformed(b'{"nodes":', status=502), api="tasks.list")
    fake.contract.strict = True
    response = client.get("/_tasks")
    assert (response.status_code, response.get_data()) == (502, b'{"nodes":')
    assert fake.violations == []


def test_strict_answers_an_es_shaped_500(fake: FakeTasks, client: Client) -> None:
    fake.contract.strict = True
    task_id = bad_task(fake)
    response = client.get(f"/_tasks/{task_id}")
    assert response.status_code == 500
    body = response.get_json()
    assert contract.validate("error_response.json", body) == []
    reason = body["error"]["reason"]
    assert body["error"]["type"] == "illegal_state_exception"
    assert f"[GET /_tasks/{task_id}]" in reason
    assert "get_task_response.json" in reason
    assert "/task/type" in reason
    assert len(fake.violations) == 1  # still recorded


def test_disabled_checks_record_nothing(fake: FakeTasks, client: Client) -> None:
    fake.contract.enabled = False
    client.get(f"/_tasks/{bad_task(fake)}")
    assert fake.violations == []


def test_reset_forgets_violations_and_rejections(fake: FakeTasks, client: Client) -> None:
    client.get(f"/_tasks/{bad_task(fake)}")
    client.get("/_tasks?detailed=yes")
    assert fake.violations
    assert fake.rejected
    fake.reset()
    assert fake.violations == []
    assert fake.rejected == []


@pytest.mark.parametrize(
    ("method", "url", "reason"),
    [
        ("GET", "/_tasks?detailed=yes", "Failed to parse value [yes]"),
        ("GET", "/_tasks?detailled=true", "unrecognized parameter: [detailled]"),
        ("GET", "/_tasks?group_by=owner", "[group_by] must be one of"),
        ("GET", "/_tasks?timeout=10x", "failed to parse setting [timeout]"),
        ("GET", "/_tasks/nocolon", "malformed task id nocolon"),
        ("GET", "/_tasks/unset", "task id is required"),
        ("POST", "/_tasks/n:1/_cancel?nodes=n", "cannot be used together with node ids"),
        ("GET", "/_tasks?error_trace=yes", "Failed to parse value [yes]"),
        ("GET", "/_tasks?pretty=yes", "Failed to parse value [yes]"),
    ],
)
def test_requests_refused_as_invalid_are_recorded(
    fake: FakeTasks, client: Client, method: str, url: str, reason: str
) -> None:
    assert client.open(url, method=method).status_code == 400
    [rejection] = fake.rejected
    assert rejection.request == f"{method} {url}"
    assert rejection.status == 400
    assert reason in rejection.reason
    assert fake.violations == []


@pytest.mark.parametrize(
    ("method", "url"),
    [("GET", "/_nothing"), ("DELETE", "/_tasks"), ("GET", "/_tasks/n:1"), ("GET", "/_tasks")],
)
def test_other_answers_are_no_rejections(
    fake: FakeTasks, client: Client, method: str, url: str
) -> None:
    client.open(url, method=method)
    assert fake.rejected == []


def test_injected_400_is_no_rejection(fake: FakeTasks, client: Client) -> None:
    fake.inject(Fault.error("illegal_argument_exception", "scripted", 400), api="tasks.list")
    assert client.get("/_tasks").status_code == 400
    assert fake.rejected == []


# --- the fixture ----------------------------------------------------------------------------------

# The start of the test files below: `get(fake, path)` answers the status of a GET.
GET_STATUS = """
import urllib.error
import urllib.request

import pytest


def get(fake, path):
    try:
        with urllib.request.urlopen(fake.url + path, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code
"""

BROKEN_TEST = (
    GET_STATUS
    + """

{marker}
def test_broken(fake_tasks):
    task = fake_tasks.add_task("indices:data/read/search", type="")
    assert get(fake_tasks, f"/_tasks/{{task.task_id}}?human=true") == 200
"""
)


def test_fixture_fails_the_test_naming_request_pointer_and_rule(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(BROKEN_TEST.format(marker=""))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*the fake sent 1 response(s) that break their JSON Schema contract:*",
            "*GET /_tasks/*?human=true -> 200: body breaks get_task_response.json*",
            "*/task/type: '' should be non-empty (schema task_info.json, "
            "rule $defs/task/properties/type/minLength)*",
            "*allow_violations=True*",
        ]
    )


def test_fixture_opt_out_for_a_deliberately_invalid_body(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        BROKEN_TEST.format(marker="@pytest.mark.fake_tasks(allow_violations=True)")
        + """

def test_malformed_fault_needs_no_opt_out(fake_tasks):
    from fake_tasks import Fault

    fake_tasks.inject(Fault.malformed(), api="tasks.list")
    assert get(fake_tasks, "/_tasks") == 200
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


REJECTED_TEST = (
    GET_STATUS
    + """

@pytest.mark.fake_tasks(report_rejected=True)
def test_reported(fake_tasks):
    assert get(fake_tasks, "/_tasks?group_by=owner") == 400


def test_not_reported_by_default(fake_tasks):
    assert get(fake_tasks, "/_tasks?detailed=yes") == 400


@pytest.mark.fake_tasks(report_rejected=True)
def test_nothing_rejected(fake_tasks):
    assert get(fake_tasks, "/_tasks") == 200
"""
)


def test_fixture_reports_rejected_requests_when_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(REJECTED_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_reported*",
            "*the fake refused 1 request(s) as invalid:*",
            "*GET /_tasks?group_by=owner -> 400: [[]group_by[]] must be one of [[]nodes[]]*",
        ]
    )


# --- the CLI --------------------------------------------------------------------------------------


def run_serve(
    capsys: pytest.CaptureFixture[str], extra: list[str], path: str
) -> tuple[int, dict[str, Any], str]:
    """`fake-tasks serve` in-process: one request, then stop; (status, body, stderr)."""
    with serving(capsys, ["--tasks", "2", *extra]) as lines:
        url = lines[0].rsplit(" ", 1)[-1]
        try:
            with urllib.request.urlopen(url + path, timeout=5) as response:
                status, data = response.status, response.read()
        except urllib.error.HTTPError as error:
            with error:
                status, data = error.code, error.read()
    return status, json.loads(data), capsys.readouterr().err


ORIGINAL_INFO = render.cluster_info


def broken_info(cluster: Any) -> dict[str, Any]:
    """GET / with an empty `name` and no `cluster_uuid`: two violations."""
    body = ORIGINAL_INFO(cluster)
    body["name"] = ""
    del body["cluster_uuid"]
    return body


def test_serve_logs_one_line_per_violation(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "cluster_info", broken_info)
    status, body, err = run_serve(capsys, [], "/?pretty=false")
    assert status == 200
    assert body["name"] == ""
    lines = [line for line in err.splitlines() if "contract violation" in line]
    assert len(lines) == 2
    for line in lines:
        assert line.startswith(
            "fake-tasks: contract violation: GET /?pretty=false -> 200: "
            "body breaks cluster_info.json: "
        )
    assert any("/name: '' should be non-empty" in line for line in lines)
    assert any("'cluster_uuid' is a required property" in line for line in lines)


def test_serve_strict_answers_500_instead(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(render, "cluster_info", broken_info)
    status, body, err = run_serve(capsys, ["--strict"], "/")
    assert status == 500
    assert body["error"]["type"] == "illegal_state_exception"
    assert "fake-tasks (strict): the 200 response to [GET /] breaks" in body["error"]["reason"]
    assert "contract violation" in err


def test_serve_valid_responses_log_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_serve(capsys, ["--strict"], "/_tasks?group_by=parents&detailed")
    assert status == 200
    assert "contract violation" not in err
