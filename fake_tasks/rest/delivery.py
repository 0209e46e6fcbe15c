"""Scripted faults applied to answers: errors, 404s, delays, resets, cut and slow bodies."""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Request, Response

from fake_tasks.actions.tasks import TasksResult
from fake_tasks.cluster.model import Cluster
from fake_tasks.errors import EsError, FailedNodeError
from fake_tasks.rest import render
from fake_tasks.rest.checks import compatible_with, query_values, raw_path
from fake_tasks.rest.handlers import ROUTES, route_for
from fake_tasks.rest.routing import Match, near_misses
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.faults import (
    Decision,
    Delay,
    Disconnect,
    ErrorReply,
    Malformed,
    NotFound,
    Rejected,
    Reset,
    SlowBody,
    Truncated,
    wait_real,
)
from fake_tasks.scripting.requests import Incoming

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


class App(Protocol):
    """What delivery needs of the app (`fake_tasks.rest.app.App`): its fake, dispatch, respond."""

    @property
    def fake(self) -> FakeTasks: ...

    def dispatch(self, request: Request) -> Response: ...

    def respond(
        self,
        request: Request,
        status: int,
        body: Any,
        compat: str | None,
        *,
        pretty: bool | None = None,
        headers: Mapping[str, str] | None = None,
        filter_path: str | None = None,
    ) -> Response: ...


@dataclass(frozen=True)
class Sent:
    """A response and what the journal records of it (`status` None: no response at all)."""

    response: Response
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, response: Response, body: bytes | None = None) -> Sent:
        data = response.get_data() if body is None else body
        return cls(response, response.status_code, tuple(response.headers.items()), data)


_MATCH_KEY = "fake_tasks.match"


def matched(request: Request) -> Match:
    """The route `request` matches (`route_for`), found once per request and kept in its
    environ: describing, routing and checking the answer all ask."""
    found = request.environ.get(_MATCH_KEY)
    if not isinstance(found, Match):
        found = request.environ[_MATCH_KEY] = route_for(request.method, raw_path(request))
    return found


def describe(request: Request) -> Incoming:
    """A request as faults and the journal see it, with the route it matches (if any)."""
    found = matched(request)
    route = found.route
    try:
        body = request.get_data(cache=True)
    except Exception:  # e.g. the client went away mid-body: the dispatch reports it
        body = b""
    return Incoming(
        method=request.method,
        path=request.path,
        query=request.query_string.decode("latin-1"),
        params={**query_values(request), **found.path_params},
        headers=tuple(request.headers.items()),
        body=body,
        api=route.api if route is not None else None,
        route=route.path if route is not None else None,
        near=near_misses(request.method, request.path, ROUTES) if route is None else (),
    )


def deliver(app: App, request: Request, incoming: Incoming, decision: Decision | None) -> Sent:
    """The answer to one request with its scripted fault (if any) applied."""
    fault = decision.fault if decision is not None else None
    cluster = app.fake.cluster
    if isinstance(fault, ErrorReply | Rejected):
        headers = dict(fault.headers) if isinstance(fault, ErrorReply) else {}
        return Sent.of(_error_response(app, request, fault.es_error(cluster), headers))
    if isinstance(fault, NotFound):
        return Sent.of(_not_found_response(app, request, incoming, fault))
    if isinstance(fault, Malformed):
        response = app.respond(request, fault.status, {}, None)
        response.set_data(fault.body)
        return Sent.of(response)
    if isinstance(fault, Delay):
        fault.wait(cluster)
    if isinstance(fault, Reset | Disconnect):
        if fault.processed:
            _answer(app, request, incoming)
        return Sent(Dropped(reset=isinstance(fault, Reset)), None, (), b"")
    response = _answer(app, request, incoming)
    if isinstance(response, Dropped):  # the server closes without answering
        return Sent(response, None, (), b"")
    if isinstance(fault, Truncated):
        full = response.get_data()
        cut = fault.cut(full)
        streamed = _Streamed(response, [cut], len(full), pause_s=0.0, cut=True, cluster=cluster)
        return Sent(streamed, response.status_code, tuple(response.headers.items()), cut)
    if isinstance(fault, SlowBody):
        full = response.get_data()
        pieces = fault.pieces(full)
        pause = fault.seconds / max(len(pieces) - 1, 1)
        streamed = _Streamed(response, pieces, len(full), pause_s=pause, cut=False, cluster=cluster)
        return Sent(streamed, response.status_code, tuple(response.headers.items()), full)
    return Sent.of(response)


def _answer(app: App, request: Request, incoming: Incoming) -> Response:
    """The normal answer (failed nodes and task failures are cluster state the actions read)."""
    return app.dispatch(request)


def _flag(incoming: Incoming, name: str) -> bool:
    """A response flag read leniently (the request was not validated: a fault answered it)."""
    return incoming.params.get(name) in ("", "true")


def _compat_or_none(app: App, request: Request) -> str | None:
    try:
        return compatible_with(request.headers.get("Accept"), app.fake.cluster.major_version)
    except EsError:
        return None


def _error_response(
    app: App, request: Request, error: EsError, headers: Mapping[str, str] | None = None
) -> Response:
    """An ES error answer; headers the exception carries go out as HTTP headers, as in ES."""
    incoming_flags = query_values(request)
    stack_trace = incoming_flags.get("error_trace") in ("", "true")
    pretty = incoming_flags.get("pretty") in ("", "true")
    out = {name: ",".join(values) for name, values in error.headers.items()}
    out.update(headers or {})
    return app.respond(
        request,
        error.http_status(),
        error.body(stack_trace=stack_trace),
        _compat_or_none(app, request),
        pretty=pretty,
        headers=out,
    )


def _json_response(
    app: App, request: Request, incoming: Incoming, status: int, body: Any
) -> Response:
    return app.respond(
        request,
        status,
        body,
        _compat_or_none(app, request),
        pretty=_flag(incoming, "pretty"),
        filter_path=incoming.params.get("filter_path"),
    )


def _not_found_response(
    app: App, request: Request, incoming: Incoming, fault: NotFound
) -> Response:
    """Get: ES's 404 for the task id. Cancel: a 200 whose `node_failures` says why."""
    task_id = incoming.task_id
    assert task_id is not None  # NotFound.applies_to guarantees it
    cluster = app.fake.cluster
    if incoming.api != "tasks.cancel":
        return _error_response(app, request, fault.get_error(cluster, task_id))
    node, cause = fault.cancel_cause(task_id)
    group_by = incoming.params.get("group_by", "nodes")
    result = TasksResult(tasks=[], node_failures=[FailedNodeError(node, cause)])
    body = render.tasks_response(
        result,
        cluster,
        group_by if group_by in render.GROUP_BY else "nodes",
    )
    return _json_response(app, request, incoming, 200, body)


def drop_connection(environ: WSGIEnvironment, *, reset: bool) -> None:
    """End the client's TCP connection now: RST (`reset`) or FIN, without an HTTP response.

    Works with werkzeug's server (both hosts) through `environ["werkzeug.socket"]`: the
    connection's descriptor is swapped for a dead socket pair with `dup2`, which closes the
    connection at once (abortively with `SO_LINGER` 0) while the server's own socket object
    stays valid and simply reads EOF. Without a socket (an in-process test client) it does
    nothing; the caller raises instead.
    """
    sock = environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket) or sock.fileno() < 0:
        return
    spare, peer = socket.socketpair()
    peer.close()
    try:
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    os.dup2(spare.fileno(), sock.fileno())
    spare.close()


def body_complete(request: Request) -> bool:
    """Read the body; False when the client sent less than its `Content-Length` and stopped.

    Elasticsearch never sees such a request whole, so it never answers it: the caller closes.
    """
    try:
        request.get_data(cache=True)
    except ClientDisconnected:
        return False
    return True


class Dropped(Response):
    """No answer: the connection is reset or closed when the server would send the response."""

    def __init__(self, *, reset: bool) -> None:
        super().__init__(b"", status=500)
        self.reset = reset

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        drop_connection(environ, reset=self.reset)
        if self.reset:
            raise ConnectionResetError("fake-tasks: connection reset (scripted fault)")
        raise ConnectionAbortedError("fake-tasks: connection closed without a response (fault)")


class _Streamed(Response):
    """A response sent piece by piece with real pauses, optionally cut off after the last."""

    def __init__(
        self,
        base: Response,
        pieces: list[bytes],
        full_length: int,
        *,
        pause_s: float,
        cut: bool,
        cluster: Cluster,
    ) -> None:
        super().__init__(b"".join(pieces), status=base.status_code)
        self.base = base
        self.pieces = pieces
        self.full_length = full_length
        self.pause_s = pause_s
        self.cut = cut
        self.cluster = cluster

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        headers = [(k, v) for k, v in self.base.headers.items() if k.lower() != "content-length"]
        start_response(self.base.status, [*headers, ("Content-Length", str(self.full_length))])
        return self._send(environ)

    def _send(self, environ: WSGIEnvironment) -> Iterator[bytes]:
        for index, piece in enumerate(self.pieces):
            if index and self.pause_s > 0:
                wait_real(self.cluster, self.pause_s)
            yield piece
        if self.cut:
            drop_connection(environ, reset=False)
            raise ConnectionAbortedError("fake-tasks: response body cut short (scripted fault)")
