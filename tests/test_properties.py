"""Property-based: thousands of generated requests over every route, and raw bytes at the decoder.

Requests come from the API table (`fake_tasks.spec`), so a family added later is fuzzed too:
every method on every endpoint and on near-miss paths, parameters of every type with valid and
hostile values, response flags, media-type headers, bodies. Each answer must be no 5xx, an
Elasticsearch-shaped body that keeps its contract, and quick. The decoder gets raw bytes
(mutated request lines, headers, chunked bodies) and must decode or refuse them as Netty does.
"""

from __future__ import annotations

import io
import json
import time
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from fake_tasks import FakeTasks, FakeTasksServer, Settings, spec
from fake_tasks.errors import EsError
from fake_tasks.rest.app import App
from fake_tasks.rest.wire import BadRequest, Closed, Head, Refused, read_body, read_head

REQUESTS_PER_RUN = 5_000
ANSWER_BOUND_S = 5.0  # far above any answer; a quadratic input path would blow through it
_sent = {"app": 0, "wire": 0}

# Mostly drawn from pools of telling values (cheap to generate), sometimes free text
_POOL = ["", " ", "*", "_all", "-1", "0", "n:1", ":1", "unset", "%", "\u00e9", "a,b",
         "x" * 300, "_local", "master:true", "data:false", "*lists*", "indices:*", "**",
         "a.**.b", "-x"]  # fmt: skip
_texts = st.sampled_from(_POOL) | st.text(max_size=10)
_NUMBERS = ["0", "1", "-1", "-2", "30", "+7", "0x10", "1.5", "1e3", "1" * 40, "9" * 400, "106752"]
_UNITS = ["", "s", "ms", "m", "M", "h", "d", "nanos", "micros", "S", "x"]
_values: dict[str, st.SearchStrategy[str]] = {
    "boolean": st.sampled_from(["", "true", "false", " ", "TRUE", "yes", "0", "\u00e9"]),
    "time": st.sampled_from([n + u for n in _NUMBERS for u in _UNITS] + _POOL),
    "list": st.lists(_texts, max_size=3).map(",".join),
    "string": _texts,
    "enum": _texts,
    "int": st.sampled_from(["0", "1", "-1", "2147483647", "2147483648", "1.5", "", "x", "9" * 400]),
    "task_id": st.sampled_from([f"n:{n}" for n in _NUMBERS] + [f":{n}" for n in _NUMBERS] + _POOL),
}
_numbers = st.sampled_from(_NUMBERS)


def _param_value(param: spec.Param) -> st.SearchStrategy[str]:
    options = st.sampled_from(param.options) if param.options else st.nothing()
    return options | _values[param.type]


@st.composite
def requests(draw: st.DrawFn, node_ids: list[str]) -> dict[str, Any]:
    api = draw(st.sampled_from(sorted(spec.APIS.values(), key=lambda a: a.name)))
    method, template = draw(st.sampled_from(api.endpoints))
    method = draw(
        st.sampled_from([method] * 4 + ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "FOO"])
    )
    segments = []
    for part in template.strip("/").split("/"):
        if part.startswith("{"):
            name = part[1:-1]
            known = st.sampled_from(node_ids).map(lambda n: f"{n}:{draw(_numbers)}")
            value = draw(known | _values["task_id"] if name == "task_id" else _texts) or "x"
            segments.append(quote(value, safe=draw(st.sampled_from([":", ":*,", ""]))))
        else:
            segments.append(draw(st.sampled_from([part] * 6 + [part.upper(), part + "x", ""])))
    path = "/" + "/".join(segments)
    query: dict[str, str] = {}
    for param in draw(st.lists(st.sampled_from([*api.params, *spec.COMMON]), max_size=5)):
        if not param.in_path:
            query[param.name] = draw(_param_value(param))
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:
        query[draw(_texts) or "unknown"] = draw(_texts)
    headers: dict[str, str] = {}
    compat = "application/vnd.elasticsearch+json; compatible-with="
    accept = draw(
        st.sampled_from([None, "application/json", compat + "9", compat + "7", compat + "200",
                         "text/html"])
    )  # fmt: skip
    if accept:
        headers["Accept"] = accept
    if draw(st.booleans()):
        headers["X-Opaque-Id"] = draw(
            st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=8)
        )
    body = draw(st.sampled_from([b"", b"", b"{}", b"not json", b'{"a":1}']))
    if body and draw(st.booleans()):
        headers["Content-Type"] = draw(st.sampled_from(["application/json", "text/plain", ""]))
    return {"method": method, "path": path, "query": query, "headers": headers, "data": body}


# 5xx the server itself answers for some inputs (e.g. `_cat/tasks?s=<unknown column>`:
# RestTable's UnsupportedOperationException); any other 5xx is a defect of the fake
SERVER_5XX = frozenset({"unsupported_operation_exception"})


def _server_side_5xx(request: dict[str, Any], data: bytes) -> None:
    error = json.loads(data)["error"]
    assert isinstance(error, dict), (request, data[:300])
    if request["path"] == "/_security/_authenticate" and error["type"] == "exception":
        return  # security off: the basic license's "Security must be explicitly enabled" 500
    assert error["type"] in SERVER_5XX, (request, data[:300])
    assert not str(error.get("reason")).startswith("fake-tasks"), (request, data[:300])


def _es_shaped(status: int, body: Any) -> None:
    if status < 400 and isinstance(body, list):  # `_cat/...?format=json`
        return
    assert isinstance(body, dict)
    if status == 408 and body.get("timed_out") is True:  # cluster health that timed out
        return
    if status >= 400:
        assert "error" in body
        error = body["error"]
        if isinstance(error, dict):
            assert isinstance(error["type"], str)
            assert error["type"]
            assert isinstance(error.get("root_cause"), list)
            assert body.get("status") == status
        else:
            assert isinstance(error, str)


@pytest.fixture(scope="module")
def fake() -> FakeTasks:
    return FakeTasks(Settings(seed=3, tasks=25, tick="100ms"))


def test_thousands_of_generated_requests_get_es_answers(fake: FakeTasks) -> None:
    client = Client(App(fake))
    nodes = list(fake.cluster.nodes)

    @settings(
        max_examples=REQUESTS_PER_RUN // 8,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(st.lists(requests(nodes), min_size=8, max_size=12))
    def run(batch: list[dict[str, Any]]) -> None:
        fake.reset()
        for request in batch:
            started = time.monotonic()
            _sent["app"] += 1
            try:
                response = client.open(
                    request["path"], method=request["method"], query_string=request["query"],
                    headers=request["headers"], data=request["data"],
                )  # fmt: skip
            except ConnectionAbortedError:  # closed unanswered, as ES does (compatible-with=200)
                assert "compatible-with=200" in request["headers"].get("Accept", "")
                continue
            assert time.monotonic() - started < ANSWER_BOUND_S, request
            if response.status_code >= 500:  # only where the server answers 5xx itself
                _server_side_5xx(request, response.get_data())
            data = response.get_data()
            if request["method"] == "HEAD" or not data:
                continue
            if not (response.mimetype or "").endswith("json"):  # `_cat` answers text
                assert response.status_code < 400 or response.mimetype == "text/plain", request
                continue
            _es_shaped(response.status_code, json.loads(data))
        assert fake.violations == [], batch
        assert fake.server_errors == []

    run()
    assert _sent["app"] >= REQUESTS_PER_RUN


# -- raw bytes at the decoder ----------------------------------------------------------------

_line_bytes = st.binary(max_size=20) | st.sampled_from(
    [
        b"GET",
        b"/_tasks",
        b"HTTP/1.1",
        b"HTTP/1.0",
        b"HTTP/2.0",
        b" ",
        b"\t",
        b"\x0b",
        b"\x1c",
        b"\x00",
        b"?a=b",
    ]
)
_header_lines = st.lists(
    st.sampled_from([b"Host: x", b" folded", b"\tfolded", b"X-A: 1", b"no colon", b"X B: 1",
                     b": v", b"Content-Length: 2", b"Content-Length: x",
                     b"Transfer-Encoding: chunked", b"Expect: 100-continue", b"Expect: nope",
                     b"X-V: a\x01"]) | st.binary(max_size=30),
    max_size=8,
)  # fmt: skip
_bodies = st.sampled_from([b"", b"{}", b"2\r\n{}\r\n0\r\n\r\n", b"zz\r\n", b"-1\r\n", b"\r\n",
                           b"ffffffffff\r\n"]) | st.binary(max_size=30)  # fmt: skip


@settings(max_examples=2_000, deadline=None, derandomize=True, database=None)
@given(st.lists(_line_bytes, min_size=1, max_size=5), _header_lines, _bodies)
def test_the_decoder_decodes_or_refuses_any_bytes(
    line: list[bytes], headers: list[bytes], body: bytes
) -> None:
    raw = b" ".join(line) + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body
    reader = io.BufferedReader(io.BytesIO(raw))  # type: ignore[arg-type]
    _sent["wire"] += 1
    refused: EsError | None = None
    try:
        head = read_head(reader)
        assert isinstance(head, Head)
        read_body(reader, head)
    except BadRequest as bad:
        refused = bad.error
    except (Closed, Refused):
        return
    if refused is not None:
        rendered = refused.body()
        assert rendered["status"] == 400
        assert rendered["error"]["type"].endswith("_exception")


def test_raw_requests_over_a_socket_get_an_answer_or_a_close() -> None:
    import socket

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(st.lists(_line_bytes, min_size=1, max_size=4), _header_lines)
    def run(line: list[bytes], headers: list[bytes]) -> None:
        raw = b" ".join(line) + b"\r\n" + b"".join(h + b"\r\n" for h in headers)
        raw += b"Connection: close\r\n\r\n"
        with socket.create_connection(address, timeout=10) as connection:
            connection.sendall(raw)
            received = b""
            while chunk := connection.recv(65536):
                received += chunk
        if received.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"):
            received = received[len(b"HTTP/1.1 100 Continue\r\n\r\n") :]
        if not received:
            return
        head, _, data = received.partition(b"\r\n\r\n")
        status = int(head.split(b" ")[1])
        assert status < 500, (raw, received[:300])
        if data:
            _es_shaped(status, json.loads(data))

    with FakeTasksServer(FakeTasks(Settings(tasks=5)), standalone=True) as running:
        host, port = running.url.removeprefix("http://").split(":")
        address = (host, int(port))
        run()
        assert running.fake.server_errors == []
