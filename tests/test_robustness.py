"""Hostile input over real sockets: always an ES-shaped answer or a closed connection, quickly."""

from __future__ import annotations

import json
import random
import re
import socket
import time
from collections.abc import Iterator

import pytest

from fake_tasks import FakeTasksServer
from fake_tasks.cluster.matching import simple_match

HOST = b"Host: localhost\r\n"


@pytest.fixture(scope="module", params=[False, True], ids=["httpserver-host", "werkzeug-host"])
def server(request: pytest.FixtureRequest) -> Iterator[FakeTasksServer]:
    with FakeTasksServer(standalone=request.param) as running:
        yield running


def exchange(server: FakeTasksServer, raw: bytes) -> bytes:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


def get(target: bytes, *headers: bytes) -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\n" + HOST + b"".join(headers) + b"\r\n"


PROBES = {
    "invalid utf-8 task id": (get(b"/_tasks/%ff%fe"), 400),
    "invalid utf-8 boolean": (get(b"/_tasks?detailed=%ff"), 400),
    "5000 unknown parameters": (get(b"/_tasks?" + b"a=1&" * 5000), 400),
    "task id beyond a long": (get(b"/_tasks/n:" + b"9" * 50), 400),
    "timeout beyond a long": (get(b"/_tasks?timeout=99999999999999999999999d"), 400),
    "odd node specs": (get(b"/_tasks?nodes=*,,,_all,master:,data:false"), 200),
    "filter_path of wildcards": (get(b"/_tasks?filter_path=**.**.*,-**"), 200),
    "3000 stars in actions": (get(b"/_tasks?actions=" + b"*" * 3000 + b"x"), 200),
    "compatible-with beyond a major": (
        get(b"/", b"Accept: application/vnd.elasticsearch+json; compatible-with=99\r\n"),
        400,
    ),
    "short traceparent": (get(b"/_tasks/", b"traceparent: short\r\n"), 200),
    "complete body on cancel": (
        b"POST /_tasks/_cancel HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        400,
    ),
}


@pytest.mark.parametrize(("raw", "status"), list(PROBES.values()), ids=list(PROBES))
def test_hostile_request_gets_an_es_answer(
    server: FakeTasksServer, raw: bytes, status: int
) -> None:
    started = time.monotonic()
    answer = exchange(server, raw)
    assert time.monotonic() - started < 2.0
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == str(status).encode()
    assert b"X-elastic-product: Elasticsearch" in head
    if body:
        parsed = json.loads(body)
        assert isinstance(parsed, dict)
        if status >= 400:
            assert "error" in parsed
    assert server.fake.server_errors == []


def test_a_body_shorter_than_its_content_length_is_never_answered(
    server: FakeTasksServer,
) -> None:
    raw = (
        b"POST /_tasks/_cancel HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{}"
    )
    assert exchange(server, raw) == b""  # as ES: the request never arrived whole
    assert server.fake.server_errors == []


def test_simple_match_agrees_with_a_regex_translation() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        pattern = "".join(rng.choice("ab*") for _ in range(rng.randint(0, 7)))
        value = "".join(rng.choice("ab") for _ in range(rng.randint(0, 8)))
        regex = ".*".join(re.escape(part) for part in pattern.split("*"))
        assert simple_match(pattern, value) == (re.fullmatch(regex, value) is not None)
