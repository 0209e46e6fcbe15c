"""The hosts' connection handler: keep-alive HTTP/1.1 decoded as Elasticsearch's Netty decodes it.

Werkzeug's development handler closes every connection, answers protocol errors with HTML from
`http.server`, caps header count and line length at its own limits and cannot read a folded or
malformed request safely. This handler owns the bytes: `rest/wire.py` decodes each request as
the server does, the app answers it (a decoder failure as the REST layer's 400), and the
connection stays open for the next request unless the client, HTTP/1.0 or a failure says
otherwise, as `DefaultRestChannel` decides. Idle connections close after `IDLE_TIMEOUT_S` (the
server has no read timeout by default; the fake bounds every wait) and `Connections.close`
lets a stopping server finish the answers it owes before the process exits.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import sys
import threading
from collections.abc import Iterable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from fake_tasks.errors import EsError
from fake_tasks.rest.checks import BAD_REQUEST, RAW_HEADERS
from fake_tasks.rest.wire import BadRequest, Closed, Head, Reader, Refused, read_body, read_head

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["IDLE_TIMEOUT_S", "REQUEST_LOGGER", "Connections", "EsRequestHandler", "connections"]

REQUEST_LOGGER = "fake_tasks.requests"
"""One INFO record per answered request goes to this logger; it is quiet unless a level or
handler is set (`--fake-tasks-log-requests`, pytest's `--log-cli-level=INFO`, `serve`)."""

_requests = logging.getLogger(REQUEST_LOGGER)

IDLE_TIMEOUT_S = 60.0  # how long a kept-alive connection may wait for its next request
_ATTR = "fake_tasks_connections"
_LINGER_S, _LINGER_BYTES = 2.0, 8 * 1024 * 1024  # draining after an undecodable request
_ONE_WRITE = 64 * 1024  # a body past this is written after the head without a copy
_SLICE_S = 0.02
# Netty's answer to a request line it could not decode is about its own placeholder request
_PLACEHOLDER = ("GET", "/bad-request", "HTTP/1.0")


class Connections:
    """A server's open connections: idle ones are closed on stop, busy ones finish first."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._sockets: dict[int, socket.socket] = {}
        self._busy: set[int] = set()
        self.closing = False
        self.idle_timeout_s = IDLE_TIMEOUT_S
        self.accepted = 0  # connections served since the start

    def enter(self, key: int, sock: socket.socket) -> None:
        with self._changed:
            self._sockets[key] = sock
            self.accepted += 1

    def idle(self, key: int) -> bool:
        """Mark a connection idle before it reads a request; False: the server is stopping."""
        with self._changed:
            self._busy.discard(key)
            self._changed.notify_all()
            return not self.closing

    def busy(self, key: int) -> None:
        with self._changed:
            self._busy.add(key)

    def leave(self, key: int) -> None:
        with self._changed:
            self._sockets.pop(key, None)
            self._busy.discard(key)
            self._changed.notify_all()

    def close(self, timeout_s: float = 5.0) -> int:
        """Stop serving: close idle connections now, wait up to `timeout_s` for busy ones to
        finish their answer, then close the rest. Returns how many were still busy."""
        slices = max(1, round(timeout_s / _SLICE_S))
        with self._changed:
            self.closing = True
            for key, sock in list(self._sockets.items()):
                if key not in self._busy:
                    _shut(sock)
            for _ in range(slices):  # waits in slices: the clock is the model's alone to read
                if not self._busy:
                    break
                self._changed.wait(_SLICE_S)
            stuck = len(self._busy)
            for sock in self._sockets.values():
                _shut(sock)
            for _ in range(slices):
                if not self._sockets:
                    break
                self._changed.wait(_SLICE_S)
        return stuck

    def __len__(self) -> int:
        with self._changed:
            return len(self._sockets)

    @property
    def busy_count(self) -> int:
        """Connections between reading a request and finishing its answer."""
        with self._changed:
            return len(self._busy)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer
        sock.shutdown(socket.SHUT_RDWR)


def connections(server: BaseWSGIServer) -> Connections:
    """The registry of `server`'s connections (attached when first asked for)."""
    found = getattr(server, _ATTR, None)
    if not isinstance(found, Connections):
        found = Connections()
        setattr(server, _ATTR, found)
    return found


class EsRequestHandler(WSGIRequestHandler):
    """Serves one connection: requests one after another, each answered by the server's app."""

    def handle(self) -> None:
        registry = connections(self.server)
        key = id(self)
        registry.enter(key, self.connection)
        try:
            while registry.idle(key):
                if not self._serve_one(registry, key):
                    break
        except OSError:  # reset, broken pipe, timeout while writing: the connection is gone
            pass
        finally:
            registry.leave(key)

    def _serve_one(self, registry: Connections, key: int) -> bool:
        """One exchange; whether the connection stays open for another."""
        self.connection.settimeout(registry.idle_timeout_s)
        try:
            head = read_head(self._reader())
        except BadRequest as bad:
            registry.busy(key)
            self._answer(bad.head or Head(*_PLACEHOLDER), b"", bad.error)
            self._linger()
            return False
        except Closed:
            return False
        registry.busy(key)
        try:
            body = read_body(self._reader(), head, on_continue=self._continue)
        except BadRequest as bad:
            self._answer(head, b"", bad.error)
            self._linger()
            return False
        except Refused as refused:
            self._refuse(head, refused.status)
            self._linger()
            return False
        except Closed:
            return False
        keep = self._answer(head, body, None)
        return keep and not registry.closing

    def _reader(self) -> Reader:
        if not isinstance(self.rfile, io.BufferedReader):  # makefile("rb") gives one already
            self.rfile = io.BufferedReader(self.rfile)
        reader: Reader = self.rfile
        return reader

    def _linger(self) -> None:
        """After answering a request it could not decode, Netty discards whatever follows until
        the client goes. The fake says so (FIN after the answer), then drains a bounded amount:
        closing with unread bytes would reset the connection and lose the answer."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_LINGER_S)
            budget = _LINGER_BYTES
            while budget > 0 and (data := self.connection.recv(65536)):
                budget -= len(data)

    def _continue(self) -> None:
        self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _refuse(self, head: Head, status: int) -> None:
        """`Netty4HttpContentSizeHandler`: an empty answer with `Connection: close`."""
        self._note(head)
        self.wfile.write(
            f"HTTP/1.1 {status} {_phrase(status)}\r\n"
            "content-length: 0\r\nconnection: close\r\n\r\n".encode("latin-1")
        )
        self.log_request(status)

    def _answer(self, head: Head, body: bytes, error: EsError | None) -> bool:
        """Run the app on the request and write its answer; whether to keep the connection."""
        environ = self._environ(head, body, error)
        self._note(head)
        started: list[Any] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            started[:] = [status, headers]
            return lambda data: None

        try:
            chunks = self.server.app(environ, start_response)
        except OSError:  # the app dropped the connection on purpose (a scripted fault)
            return False
        try:
            self._write(head, started, chunks)
        except OSError:
            return False
        finally:
            close = getattr(chunks, "close", None)
            if callable(close):
                close()
        return error is None and not _closes(head)

    def _write(self, head: Head, started: list[Any], chunks: Iterable[bytes]) -> None:
        iterator = iter(chunks)
        pending = [next(iterator, b"")]  # calls start_response for lazy apps
        status, headers = started
        code = int(status.split(" ", 1)[0])
        has_length = any(n.lower() == "content-length" for n, _ in headers)
        if not has_length and head.method != "HEAD":
            pending.extend(iterator)
            headers = [*headers, ("content-length", str(sum(map(len, pending))))]
        lines = [f"{head.version} {code} {_phrase(code)}"]
        lines += [
            f"{'content-length' if n.lower() == 'content-length' else n}: {v}" for n, v in headers
        ]
        self.log_request(code)  # before the client has the answer, so a test sees the record
        # one write for head and body: two would wait on the peer's delayed ACK (Nagle). A large
        # body goes in two, the head with its first part, without copying the rest.
        data = pending[0] if len(pending) == 1 else b"".join(pending)
        head_bytes = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if len(data) <= _ONE_WRITE:
            self.wfile.write(head_bytes + data)
        else:
            view = memoryview(data)
            self.wfile.write(head_bytes + view[:_ONE_WRITE])
            self.wfile.write(view[_ONE_WRITE:])
        for piece in iterator:  # a streamed answer (a scripted slow or cut body)
            if piece:
                self.wfile.write(piece)
                self.wfile.flush()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """To `REQUEST_LOGGER`, not werkzeug's logger (which prints every request to stderr)."""
        if _requests.isEnabledFor(logging.INFO):
            _requests.info("%s %s -> %s", self.client_address[0], self.requestline, code)

    def _note(self, head: Head) -> None:
        """What `log_request` prints."""
        self.command, self.path, self.request_version = head.method, head.target, head.version
        self.requestline = f"{head.method} {head.target} {head.version}"

    def _environ(self, head: Head, body: bytes, error: EsError | None) -> WSGIEnvironment:
        path, _, query = head.target.partition("?")
        environ: WSGIEnvironment = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http" if self.server.ssl_context is None else "https",
            "wsgi.input": io.BytesIO(body),
            "wsgi.input_terminated": True,  # read whole: a chunked body is no longer chunked
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "werkzeug.socket": self.connection,
            "SERVER_SOFTWARE": self.server_version,
            "REQUEST_METHOD": head.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path.encode("latin-1")).decode("latin-1"),
            "QUERY_STRING": query,
            "REQUEST_URI": head.target,
            "RAW_URI": head.target,
            "REMOTE_ADDR": self.client_address[0],
            "REMOTE_PORT": self.client_address[1],
            "SERVER_NAME": str(self.server.server_address[0]),
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": head.version,
            "CONTENT_LENGTH": str(len(body)) if body else "",
            RAW_HEADERS: list(head.headers),
        }
        if error is not None:
            environ[BAD_REQUEST] = error
        for name, value in head.headers:
            if "_" in name:  # as werkzeug: `X_Y` would pose as `X-Y`
                continue
            key = name.upper().replace("-", "_")
            if key == "CONTENT_LENGTH":
                continue
            if key != "CONTENT_TYPE":
                key = f"HTTP_{key}"
                if key in environ:
                    value = f"{environ[key]},{value}"
            environ[key] = value
        self.environ = environ
        return environ


def _closes(head: Head) -> bool:
    """`DefaultRestChannel.isCloseConnection`: `Connection: close`, HTTP/1.0 without
    keep-alive, or a version it cannot read (anything but 1.0 and 1.1)."""
    connection = (head.first("Connection") or "").lower()
    if head.version == "HTTP/1.1":
        return connection == "close"
    if head.version == "HTTP/1.0":
        return connection != "keep-alive"
    return True


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"
