"""The declarative parameter table (`apispec`) against the route handlers, the rest-api-spec files,
the OpenAPI extract, the Python client, and the fake's answers."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks import spec as apispec
from fake_tasks.rest.app import App
from fake_tasks.rest.handlers import ROUTES
from fake_tasks.rest.params import RESPONSE_PARAMS, Params
from fake_tasks.rest.routing import Call, Route

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
REST_API_SPEC = REFERENCE / "rest-api-spec"
OPENAPI = REFERENCE / "spec" / "openapi_tasks_rollup.json"
TASK_APIS = ("tasks.list", "tasks.get", "tasks.cancel")


def deviations(api: str, kind: str) -> set[str]:
    return {d.param for d in apispec.DEVIATIONS if d.api == api and d.kind == kind}


# --- the handlers ---------------------------------------------------------------------------------


class Recording(Params):
    """Params that remember every name a handler reads, in order."""

    def __init__(self, path: str, values: dict[str, str], spec: apispec.ApiSpec) -> None:
        super().__init__(path, values, spec)
        self.read: list[str] = []

    def get(self, name: str, default: str | None = None) -> str | None:
        if name not in self.read:
            self.read.append(name)
        return super().get(name, default)


# what a handler needs to read all its parameters: a required value, a required body
SAMPLE_VALUES = {"{task_id}": {"task_id": "n:1"}, "{taskId}": {"taskId": "n:1"}}
REQUIRED_VALUES = {"requests_per_second": "-1"}
SAMPLE_BODIES = {"reindex": b'{"source":{"index":"a"},"dest":{"index":"b"}}'}


def reads(route: Route) -> list[str]:
    fake = FakeTasks(Settings(nodes=1, tasks=0))
    values = {
        k: v for part, pv in SAMPLE_VALUES.items() if part in route.path for k, v in pv.items()
    }
    spec = apispec.APIS[route.api]
    values |= {k: v for k, v in REQUIRED_VALUES.items() if k in spec.names}
    params = Recording(route.path, values, spec)
    call = Call(
        cluster=fake.cluster,
        method=route.method,
        path=route.path,
        params=params,
        body=SAMPLE_BODIES.get(route.api, b""),
    )
    route.prepare(call)
    return params.read


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_the_table_lists_what_the_handler_reads_in_its_order(route: Route) -> None:
    expected = list(apispec.APIS[route.api].names)
    assert reads(route) == expected


def test_every_route_has_a_table_entry_and_back() -> None:
    assert {route.api for route in ROUTES} == set(apispec.APIS)


def test_common_params_are_the_ones_never_unrecognized() -> None:
    assert {p.name for p in apispec.COMMON} == set(RESPONSE_PARAMS)


def test_path_params_are_the_route_templates() -> None:
    for route in ROUTES:
        in_path = {p.name for p in apispec.APIS[route.api].params if p.in_path}
        template = {part[1:-1] for part in route.path.split("/") if part.startswith("{")}
        assert template <= in_path


# --- the rest-api-spec files ----------------------------------------------------------------------

SPEC_TYPES = {"boolean": {"boolean"}, "time": {"time"}, "list": {"list"}, "enum": {"enum"}}
SPEC_TYPES["string"] = {"string", "task_id"}


def rest_api_spec(api: str) -> tuple[dict[str, Any], set[str]]:
    """The params and path parts of one rest-api-spec file (7.x and 8.x layouts)."""
    document = json.loads((REST_API_SPEC / f"{api}.json").read_text(encoding="utf-8"))[api]
    url = document["url"]
    params = dict(document.get("params") or url.get("params") or {})
    parts = set(url.get("parts") or {})
    for path in url.get("paths", []):
        if isinstance(path, dict):
            parts |= set(path.get("parts") or {})
    return params, parts


needs_rest_api_spec = pytest.mark.skipif(
    not REST_API_SPEC.is_dir(), reason=f"{REST_API_SPEC} not available"
)


@needs_rest_api_spec
@pytest.mark.parametrize("api", TASK_APIS)
def test_names_match_the_rest_api_spec_but_for_known_deviations(api: str) -> None:
    documented, parts = rest_api_spec(api)
    table = apispec.APIS[api]
    assert {p.name for p in table.params if p.in_path} == parts
    query = {p.name for p in table.query}
    assert query - set(documented) == deviations(api, "undocumented")
    assert set(documented) - query == set()


@needs_rest_api_spec
@pytest.mark.parametrize("api", TASK_APIS)
def test_types_and_enums_match_the_rest_api_spec(api: str) -> None:
    documented, _ = rest_api_spec(api)
    for name, spec in documented.items():
        param = apispec.APIS[api].param(name)
        assert param is not None
        assert param.type in SPEC_TYPES[spec["type"]], name
        assert param.options == tuple(spec.get("options", ())), name
        if "default" in spec:
            assert param.default == spec["default"], name


def test_the_undocumented_parameters_are_group_by_and_follow_relocations() -> None:
    undocumented = {(d.api, d.param) for d in apispec.DEVIATIONS if d.kind == "undocumented"}
    assert undocumented == {
        ("tasks.cancel", "group_by"),
        ("update_by_query_rethrottle", "group_by"),  # RestRethrottleAction serves all three
        ("delete_by_query_rethrottle", "group_by"),
        ("tasks.get", "follow_relocations"),  # read from 9.5 on
    }


# --- the OpenAPI extract and the Python client ----------------------------------------------------

OPERATIONS = {
    "tasks.list": ("/_tasks", "get"),
    "tasks.get": ("/_tasks/{task_id}", "get"),
    "tasks.cancel": ("/_tasks/{task_id}/_cancel", "post"),
}


def openapi_params(api: str) -> dict[str, dict[str, Any]]:
    document = json.loads(OPENAPI.read_text(encoding="utf-8"))
    path, verb = OPERATIONS[api]
    out = {}
    for param in document["paths"][path][verb].get("parameters", []):
        if "$ref" in param:
            param = document["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
        out[param["name"]] = param
    return out


def openapi_type(schema: dict[str, Any]) -> set[str]:
    text = json.dumps(schema)
    if '"boolean"' in text:
        return {"boolean"}
    if "_types.Duration" in text:
        return {"time"}
    if "GroupBy" in text:
        return {"enum"}
    if '"array"' in text or "NodeIds" in text:
        return {"list"}
    return {"string", "task_id"}


@pytest.mark.skipif(not OPENAPI.exists(), reason=f"{OPENAPI} not available")
@pytest.mark.parametrize("api", TASK_APIS)
def test_names_and_types_match_the_openapi_extract(api: str) -> None:
    documented = openapi_params(api)
    table = apispec.APIS[api]
    assert {p.name for p in table.params} - set(documented) == deviations(api, "undocumented")
    assert set(documented) - {p.name for p in table.params} == set()
    for name, spec in documented.items():
        param = table.param(name)
        assert param is not None
        assert param.type in openapi_type(spec["schema"]), name


@pytest.mark.parametrize(("api", "method"), [(api, api.split(".")[1]) for api in TASK_APIS])
def test_the_python_client_sends_nothing_unexpected(api: str, method: str) -> None:
    """Client arguments the server does not read must be listed deviations (kind "rejected")."""
    from elasticsearch._sync.client.tasks import TasksClient

    arguments = set(inspect.signature(getattr(TasksClient, method)).parameters) - {"self"}
    accepted = {p.name for p in apispec.APIS[api].params} | set(RESPONSE_PARAMS)
    assert arguments - accepted <= deviations(api, "rejected")


# --- the fake's answers agree with `problems` -----------------------------------------------------

SAMPLES: dict[str, tuple[str, ...]] = {
    "boolean": ("", "true", "false", " ", "yes", "TRUE", "1"),
    "time": ("30s", "0", "-1", "1500ms", "2M", "10x", "10", "-5s", "1.5s", "m"),
    "list": ("a,b", "", "*"),
    "enum": ("nodes", "parents", "none", "", "NODES", "owner"),
    "task_id": ("n:1", "unset", "n:-1", "nocolon", "n:abc", "-1", "n:+5", "n:99999999999999999999"),
    "string": ("json", ""),
}


def sample_requests() -> list[tuple[str, str, dict[str, str]]]:
    out: list[tuple[str, str, dict[str, str]]] = []
    for api, method, path in (
        ("tasks.list", "GET", "/_tasks"),
        ("tasks.get", "GET", "/_tasks/{task_id}"),
        ("tasks.cancel", "POST", "/_tasks/_cancel"),
    ):
        for param in (*apispec.APIS[api].params, *apispec.COMMON):
            if param.name in ("task_id", "format", "filter_path", "pretty"):
                continue  # path part; response params the fake leaves to other tests
            if param.name == "wait_for_completion":
                samples: tuple[str, ...] = ("yes", "false", "")
            else:
                samples = SAMPLES[param.type]
            out += [(method, path, {param.name: value}) for value in samples]
        for unknown in ("master_timeout", "detailled", "follow_relocations", "timeout"):
            if apispec.APIS[api].param(unknown) is None:
                out.append((method, path, {unknown: "1s"}))
    out += [("GET", "/_tasks/{task_id}", {"task_id": value}) for value in SAMPLES["task_id"]]
    out.append(("POST", "/_tasks/{task_id}/_cancel", {"nodes": "n"}))
    return out


@pytest.mark.parametrize(
    ("method", "path", "values"),
    sample_requests(),
    ids=lambda v: v if isinstance(v, str) else ",".join(f"{k}={w}" for k, w in v.items()),
)
def test_problems_predicts_what_the_fake_refuses(
    method: str, path: str, values: dict[str, str]
) -> None:
    fake = FakeTasks(Settings(seed=1, nodes=2, tasks=3))
    task = fake.add_task("indices:data/read/search", duration="1s")
    api = "tasks.get" if method == "GET" and "{task_id}" in path else None
    api = api or ("tasks.cancel" if method == "POST" else "tasks.list")
    filled = dict(values)
    if "{task_id}" in path:
        filled.setdefault("task_id", str(task.task_id))
    url = path.replace("{task_id}", quote(filled.get("task_id", "")))
    query = "&".join(f"{k}={quote(v)}" if v else k for k, v in values.items() if k != "task_id")
    response = Client(App(fake)).open(f"{url}?{query}" if query else url, method=method)
    predicted = apispec.problems(api, filled)
    refused = response.status_code == 400
    assert refused == bool(predicted), (response.status_code, response.get_data(), predicted)
    assert len(fake.rejected) == int(refused)


def test_problem_messages_name_the_value() -> None:
    boolean = apispec.APIS["tasks.list"].param("detailed")
    assert boolean is not None
    assert apispec.problem(boolean, "yes") == (
        "Failed to parse value [yes] as only [true] or [false] are allowed."
    )
    assert apispec.problems("tasks.list", {"group_by": "x", "zzz": "1"}) == [
        "[group_by] must be one of ['nodes', 'parents', 'none'], not [x]",
        "unrecognized parameter [zzz]",
    ]
