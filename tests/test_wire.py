"""The HTTP layer over real sockets on both hosts: Netty's decoding, ES's answers, keep-alive."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from fake_tasks import FakeTasks, FakeTasksServer, Settings

HOST = b"Host: localhost\r\n"


@pytest.fixture(scope="module", params=[False, True], ids=["httpserver-host", "werkzeug-host"])
def server(request: pytest.FixtureRequest) -> Iterator[FakeTasksServer]:
    with FakeTasksServer(FakeTasks(Settings(tasks=3)), standalone=request.param) as running:
        yield running


def connect(server: FakeTasksServer) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def exchange(server: FakeTasksServer, raw: bytes) -> bytes:
    """Send `raw`, then read until the server closes the connection."""
    with connect(server) as connection:
        connection.sendall(raw)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received


class Answer:
    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.version, code, _ = self.status_line.split(" ", 2)
        self.status = int(code)
        self.headers = {k.lower(): v for k, _, v in (line.partition(": ") for line in lines[1:])}

    def json(self) -> Any:
        return json.loads(self.body)


def read_answer(connection: socket.socket, *, head_only: bool = False) -> Answer:
    """One response off a kept-alive connection (framed by its content-length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"closed before a whole response: {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    answer = Answer(head + b"\r\n\r\n")
    length = 0 if head_only else int(answer.headers["content-length"])
    while len(rest) < length:
        chunk = connection.recv(65536)
        assert chunk
        rest += chunk
    assert len(rest) == length, "more bytes than the content-length"
    answer.body = rest
    return answer


def closed(connection: socket.socket) -> bool:
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True


def get(target: bytes, *headers: bytes, version: bytes = b"HTTP/1.1") -> bytes:
    return b"GET " + target + b" " + version + b"\r\n" + HOST + b"".join(headers) + b"\r\n"


def error(answer: Answer) -> tuple[str, Any]:
    body = answer.json()
    return body["error"]["type"], body["error"]["reason"]


# -- 3: folded header lines ------------------------------------------------------------------


def test_a_folded_header_is_joined_with_a_space(server: FakeTasksServer) -> None:
    raw = (
        b"GET /_tasks HTTP/1.1\r\nHost: x\r\nX-Opaque-Id: a\r\n b\r\n\tc \r\n"
        b"Connection: close\r\n\r\n"
    )
    answer = Answer(exchange(server, raw))
    assert answer.status == 200
    assert answer.headers["x-opaque-id"] == "a b c"
    assert "nodes" in answer.json()


# -- 4: malformed chunked bodies -------------------------------------------------------------


def chunked(*chunks: bytes) -> bytes:
    return (
        b"POST /_tasks/_cancel HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
        + b"Connection: close\r\n\r\n"
        + b"".join(chunks)
    )


@pytest.mark.parametrize(
    ("chunks", "reason"),
    [
        ((b"zz\r\n{}\r\n0\r\n\r\n",), "Invalid character in chunk size"),
        ((b"-5\r\n{}\r\n0\r\n\r\n",), "Invalid character in chunk size"),
        ((b";x\r\n",), "Empty chunk size"),
        ((b"\r\n",), None),  # a blank size line: NumberFormatException() has no message
        ((b"ffffffff\r\n",), "Chunk size overflow: -1"),
        ((b"2\r\n{}0\r\n\r\n",), None),  # no CRLF after the data: the next line is blank
    ],
    ids=["zz", "negative", "no digits", "blank", "overflow", "missing CRLF"],
)
def test_a_malformed_chunked_body_is_an_es_400(
    server: FakeTasksServer, chunks: tuple[bytes, ...], reason: str | None
) -> None:
    answer = Answer(exchange(server, chunked(*chunks)))
    assert answer.status == 400
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-elastic-product"] == "Elasticsearch"
    assert answer.json() == {
        "error": {
            "root_cause": [{"type": "number_format_exception", "reason": reason}],
            "type": "number_format_exception",
            "reason": reason,
        },
        "status": 400,
    }


def test_a_good_chunked_body_reaches_the_app(server: FakeTasksServer) -> None:
    answer = Answer(exchange(server, chunked(b"1\r\n{\r\n1;ext=1\r\n}\r\n0\r\nX-T: 1\r\n\r\n")))
    assert (answer.status, error(answer)) == (
        400,
        (
            "illegal_argument_exception",
            "request [POST /_tasks/_cancel] does not support having a body",
        ),
    )


# -- 5: protocol errors answered in JSON with ES's limits ------------------------------------


@pytest.mark.parametrize(
    ("raw", "version", "kind", "reason"),
    [
        (get(b"/_tasks?" + b"a" * 5000), "HTTP/1.0", "too_long_http_line_exception",
         "An HTTP line is larger than 4096 bytes."),
        (get(b"/", b"X-Big: " + b"b" * 17_000 + b"\r\n"), "HTTP/1.1",
         "too_long_http_header_exception", "HTTP header is larger than 16384 bytes."),
        (b"GET /_tasks /x HTTP/1.1\r\n" + HOST + b"\r\n", "HTTP/1.0", "illegal_argument_exception",
         "invalid version format: /X HTTP/1.1"),
        (b"GARBAGE\r\n\r\n", "HTTP/1.0", "illegal_argument_exception",
         "text is empty (possibly HTTP/0.9)"),
        (b"GET / HTTP/1.1 \r\n\r\n", "HTTP/1.0", "illegal_argument_exception",
         "Illegal character in request line: 0x20"),
        (get(b"/", b"no colon here\r\n"), "HTTP/1.1", "illegal_argument_exception",
         "No colon found"),
        (get(b"/", b"X Foo: 1\r\n"), "HTTP/1.1", "illegal_argument_exception",
         "a header name can only contain \"token\" characters, but found invalid character 0x20 "
         "at index 1 of header 'X Foo'."),
        (get(b"/", b"X-Foo: a\x01b\r\n"), "HTTP/1.1", "illegal_argument_exception",
         "a header value contains prohibited character 0x1 at index 1."),
        (get(b"/", b"Content-Length: abc\r\n"), "HTTP/1.1", "illegal_argument_exception",
         "Content-Length value is not a number: abc"),
        (get(b"/", b"Content-Length: 1\r\nContent-Length: 2\r\n"), "HTTP/1.1",
         "illegal_argument_exception", "Multiple Content-Length values found: [1, 2]"),
    ],
    ids=["5 KB line", "17 KB header", "space in path", "garbage", "trailing space", "no colon",
         "bad name", "bad value", "bad length", "two lengths"],
)  # fmt: skip
def test_a_request_the_decoder_refuses_gets_es_json(
    server: FakeTasksServer, raw: bytes, version: str, kind: str, reason: str
) -> None:
    answer = Answer(exchange(server, raw))  # the connection is closed after the answer
    assert answer.status_line == f"{version} 400 Bad Request"
    assert answer.headers["x-elastic-product"] == "Elasticsearch"
    assert answer.json() == {
        "error": {"root_cause": [{"type": kind, "reason": reason}], "type": kind, "reason": reason},
        "status": 400,
    }


def test_limits_are_the_servers_not_python_ones(server: FakeTasksServer) -> None:
    with connect(server) as connection:
        connection.sendall(get(b"/_tasks?filter_path=" + b"x" * 4000))  # a 4 KB line fits
        assert read_answer(connection).status == 200
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(150))  # no limit on the count
        connection.sendall(get(b"/", many))
        assert read_answer(connection).status == 200


def test_http_2_is_answered_in_its_version_then_closed(server: FakeTasksServer) -> None:
    # HttpVersion.valueOf accepts any PROTOCOL/x.y; DefaultRestChannel closes what is not 1.x
    answer = Answer(exchange(server, get(b"/_tasks", version=b"HTTP/2.0")))
    assert answer.status_line == "HTTP/2.0 200 OK"


def test_an_unknown_method_is_a_405(server: FakeTasksServer) -> None:
    raw = b"FOO /_tasks HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"
    answer = Answer(exchange(server, raw))
    assert (answer.status, answer.json()) == (
        405,
        {"error": "Unexpected http method: FOO, allowed: [GET]", "status": 405},
    )
    assert answer.headers["allow"] == "GET"


def test_an_absolute_target_is_routed_as_a_whole(server: FakeTasksServer) -> None:
    answer = Answer(exchange(server, get(b"http://x/_tasks", b"Connection: close\r\n")))
    assert (answer.status, answer.json()) == (
        400,
        {"error": "no handler found for uri [http://x/_tasks] and method [GET]"},
    )


def test_a_body_over_100_mb_is_refused_before_it_is_sent(server: FakeTasksServer) -> None:
    raw = b"POST /_tasks/_cancel HTTP/1.1\r\n" + HOST + b"Content-Length: 104857601\r\n\r\n"
    answer = Answer(exchange(server, raw))
    assert answer.status_line == "HTTP/1.1 413 Request Entity Too Large"
    assert answer.headers == {"content-length": "0", "connection": "close"}


def test_an_unknown_expectation_is_a_417(server: FakeTasksServer) -> None:
    answer = Answer(exchange(server, get(b"/", b"Expect: teapot\r\nContent-Length: 2\r\n")))
    assert (answer.status, answer.headers["connection"]) == (417, "close")


def test_100_continue_is_answered_before_the_body(server: FakeTasksServer) -> None:
    with connect(server) as connection:
        connection.sendall(
            b"POST /_tasks/_cancel HTTP/1.1\r\n" + HOST + b"Content-Type: application/json\r\n"
            b"Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        )
        assert connection.recv(25) == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(b"{}")
        assert read_answer(connection).status == 400


def test_a_compatible_with_past_a_byte_closes_without_an_answer(server: FakeTasksServer) -> None:
    # Byte.parseByte throws outside the REST layer's catch: the server closes the channel
    accept = b"Accept: application/vnd.elasticsearch+json; compatible-with=" + b"9" * 5000
    assert exchange(server, get(b"/", accept + b"\r\n")) == b""
    assert exchange(server, get(b"/", accept[:-4997] + b"\r\n")) == b""  # 999
    assert (
        Answer(exchange(server, get(b"/", accept[:-4998] + b"\r\nConnection: close\r\n"))).status
        == 400
    )


# -- 13: keep-alive --------------------------------------------------------------------------


def test_connections_stay_open_between_requests(server: FakeTasksServer) -> None:
    before = server.connections.accepted
    with connect(server) as connection:
        for target in (b"/", b"/_tasks", b"/_nodes", b"/_tasks/nope", b"/_tasks?pretty"):
            answer = read_answer_after(connection, get(target))
            assert "connection" not in answer.headers
        connection.sendall(b"HEAD / HTTP/1.1\r\n" + HOST + b"\r\n")
        head = read_answer(connection, head_only=True)
        assert int(head.headers["content-length"]) > 0
        assert read_answer_after(connection, get(b"/")).status == 200
    assert server.connections.accepted == before + 1


def read_answer_after(connection: socket.socket, raw: bytes) -> Answer:
    connection.sendall(raw)
    return read_answer(connection)


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (get(b"/", b"Connection: close\r\n"), False),
        (get(b"/", b"Connection: CLOSE\r\n"), False),
        (get(b"/", version=b"HTTP/1.0"), False),
        (get(b"/", b"Connection: keep-alive\r\n", version=b"HTTP/1.0"), True),
        (get(b"/", b"Connection: close, upgrade\r\n"), True),  # only the whole value counts
    ],
)
def test_who_closes_the_connection(server: FakeTasksServer, raw: bytes, kept: bool) -> None:
    with connect(server) as connection:
        answer = read_answer_after(connection, raw)
        assert answer.status == 200
        assert "connection" not in answer.headers  # ES closes without saying so
        if kept:
            assert read_answer_after(connection, get(b"/")).status == 200
        else:
            assert closed(connection)


def test_an_idle_connection_is_closed_after_the_bound() -> None:
    with FakeTasksServer(FakeTasks(Settings(tasks=0)), standalone=True) as running:
        running.connections.idle_timeout_s = 0.05
        with connect(running) as connection:
            assert read_answer_after(connection, get(b"/")).status == 200
            assert closed(connection)  # no request within the idle bound: the server hangs up


def test_the_official_client_reuses_one_connection(server: FakeTasksServer) -> None:
    from elasticsearch import Elasticsearch

    before = server.connections.accepted
    with Elasticsearch(server.url) as client:
        for _ in range(20):
            client.tasks.list()
    assert server.connections.accepted == before + 1


# -- 8: a stop lets released waiters finish their answers ------------------------------------


@pytest.mark.parametrize("standalone", [False, True], ids=["httpserver-host", "werkzeug-host"])
def test_stop_returns_after_every_released_waiter_wrote_its_503(standalone: bool) -> None:
    from fake_tasks import RealtimeClock

    waiters = 40
    fake = FakeTasks(Settings(tasks=0), clock=RealtimeClock())
    running = FakeTasksServer(fake, standalone=standalone).start()
    tasks = [fake.add_task("indices:data/write/reindex") for _ in range(waiters)]
    sockets = [connect(running) for _ in tasks]
    for connection, task in zip(sockets, tasks, strict=True):
        target = f"/_tasks/{task.task_id}?wait_for_completion=true&timeout=10m".encode()
        connection.sendall(get(target))
    registry = running.connections
    for _ in range(2000):  # until every request is read (bounded: 2000 short sleeps)
        if registry.busy_count == waiters:
            break
        threading.Event().wait(0.005)
    assert registry.busy_count == waiters
    running.stop()
    for connection in sockets:  # everything is there already: stop waited for the writes
        connection.setblocking(False)
        data = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
        answer = Answer(data)
        assert answer.status == 503
        assert len(answer.body) == int(answer.headers["content-length"])
        assert answer.json()["error"]["type"] == "node_closed_exception"
        connection.close()
    assert len(registry) == 0


def test_pipelined_requests_are_answered_in_order(server: FakeTasksServer) -> None:
    raw = get(b"/_tasks/nope") + get(b"/") + get(b"/_nodes", b"Connection: close\r\n")
    received = exchange(server, raw)  # three answers back to back, then the close
    statuses = []
    while received:
        head, _, rest = received.partition(b"\r\n\r\n")
        answer = Answer(head + b"\r\n\r\n")
        length = int(answer.headers["content-length"])
        statuses.append(answer.status)
        received = rest[length:]
    assert statuses == [400, 200, 200]
