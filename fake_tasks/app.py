"""The HTTP app: a plain werkzeug `Request -> Response` callable doing what ES's REST layer does."""

from __future__ import annotations

import os
import re
import socket
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from fake_tasks import contract, filterpath, render
from fake_tasks.actions import TasksResult
from fake_tasks.errors import EsError, FailedNodeError, IllegalArgumentError, SimpleError
from fake_tasks.fake import FakeTasks
from fake_tasks.faults import (
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
from fake_tasks.journal import Incoming
from fake_tasks.model import Cluster, ClusterClosed
from fake_tasks.params import Params
from fake_tasks.routes import Call, Reply, find_route

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PRODUCT_HEADER = ("X-elastic-product", "Elasticsearch")
RAW_HEADERS = "fake_tasks.raw_headers"  # environ key: header lines as received (see server.py)
_COMPAT = re.compile(r"application/vnd\.elasticsearch\+(\w+)\s*;\s*compatible-with\s*=\s*(\d+)")
_BODY_TYPES = re.compile(
    r"application/(json|x-ndjson|yaml|cbor|smile|vnd\.elasticsearch\+(json|x-ndjson|yaml|cbor|smile))"
)

ResponseHook = Callable[[Request, Response], Response]


class App:
    """Serves one `FakeTasks`. Each request: headers, routing, params, action, render."""

    def __init__(self, fake: FakeTasks) -> None:
        self.fake = fake

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one request; never raises: unexpected errors become an ES-shaped 500.

        The fault `fake.faults` picks for the request (if any) is applied to the answer, and the
        exchange is recorded in `fake.journal`.
        """
        fake = self.fake
        clock = fake.cluster.clock
        started = clock.now_ns()
        incoming = describe(request)
        decision = None
        try:
            decision = fake.faults.decide(incoming)
        except Exception as error:  # a broken rule must not take the server down
            fake.record_error(error)
        ticket = fake.journal.begin(
            incoming,
            started,
            fault=decision.fault if decision is not None else None,
            rule=decision.rule if decision is not None else None,
        )
        try:
            sent = _deliver(self, request, incoming, decision)
        except Exception as error:  # the WSGI boundary: record it for the test, answer like ES
            fake.record_error(error)
            internal = EsError(f"fake-tasks internal error: {error!r}")
            sent = _Sent.of(self._respond(request, 500, internal.body(), None))
        fake.journal.finish(
            ticket,
            status=sent.status,
            headers=sent.headers,
            body=sent.body,
            finished_ns=clock.now_ns(),
        )
        return sent.response

    # -- the flow ------------------------------------------------------------------------------

    def _dispatch(self, request: Request) -> Response:
        values = _query_values(request)
        try:
            compat = _compatible_with(
                request.headers.get("Accept"), self.fake.cluster.major_version
            )
        except EsError as error:  # the media type itself is wrong: answer plain JSON
            self._note_rejected(request, error.http_status(), error.reason)
            return self._respond(request, error.http_status(), error.body(), None)
        pretty: bool | None = None
        try:
            # The HTTP layer checks headers and creates the channel (pretty, human) before
            # RestController validates error_trace.
            _check_opaque_id(request)
            pretty = _response_flag(values, "pretty")
            human = _response_flag(values, "human")
            stack_trace = _response_flag(values, "error_trace", simple=True)
        except SimpleError as error:
            self._note_rejected(request, error.status, error.message)
            return self._respond(request, error.status, error.body(), compat, pretty=pretty)
        except EsError as error:
            self._note_rejected(request, error.http_status(), error.reason)
            return self._respond(request, error.http_status(), error.body(), compat, pretty=pretty)
        try:
            reply = self._route(request, values, human=bool(human), stack_trace=bool(stack_trace))
        except SimpleError as error:
            return self._respond(
                request, error.status, error.body(), compat, pretty=pretty, headers=error.headers
            )
        except EsError as error:
            if error.es_type in _VALIDATION_ERRORS:
                self._note_rejected(request, error.http_status(), error.reason)
            body = error.body(stack_trace=bool(stack_trace))
            return self._respond(request, error.http_status(), body, compat, pretty=pretty)
        except ClusterClosed as error:
            body = EsError.custom("node_closed_exception", str(error), 503).body()
            return self._respond(request, 503, body, compat)
        if pretty is None:
            pretty = reply.pretty_by_default
        return self._respond(
            request,
            reply.status,
            reply.body,
            compat,
            pretty=pretty,
            headers=reply.headers,
            filter_path=values.get("filter_path"),
        )

    def _route(
        self, request: Request, values: dict[str, str], *, human: bool, stack_trace: bool
    ) -> Reply:
        path = request.path
        match = find_route(request.method, path)
        if request.method == "OPTIONS":
            allow = {"Allow": ",".join(match.allowed)} if match.allowed else {}
            return Reply(200, None, headers=allow)
        if match.route is None:
            if match.allowed:
                uri = _uri(request)
                raise SimpleError(
                    405,
                    f"Incorrect HTTP method for uri [{uri}] and method [{request.method}], "
                    f"allowed: [{', '.join(match.allowed)}]",
                    headers={"Allow": ",".join(match.allowed)},
                )
            raise SimpleError(
                400,
                f"no handler found for uri [{_uri(request)}] and method [{request.method}]",
                with_status=False,
            )
        has_body = bool(request.content_length) or bool(request.get_data(cache=True))
        if has_body:
            _check_content_type(request)
        cluster = self.fake.cluster
        cluster.clock.on_request()
        call = Call(
            cluster=cluster,
            method=request.method,
            path=path,
            params=Params(path, {**values, **match.path_params}),
            task_headers=task_headers(request),
            human=human,
            stack_trace=stack_trace,
        )
        run = match.route.prepare(call)
        call.params.check_unrecognized()
        if has_body:
            raise IllegalArgumentError(
                f"request [{request.method} {path}] does not support having a body"
            )
        return run()

    def _respond(
        self,
        request: Request,
        status: int,
        body: Any,
        compat: str | None,
        *,
        pretty: bool | None = None,
        headers: Mapping[str, str] | None = None,
        filter_path: str | None = None,
    ) -> Response:
        """The HTTP response for a JSON-ready `body` (None: no body).

        The body is checked against its contract (`fake.contract`) first, then `filter_path`
        is applied: a filtered body is no documented shape. In strict mode a body that breaks
        its contract is replaced by an ES-shaped 500.
        """
        found = self._check_contract(request, status, body, filter_path)
        sent_status = status
        if found is not None and self.fake.contract.strict:
            sent_status, body, filter_path = 500, contract.strict_error(found), None
        if filter_path is not None and body is not None:
            body = filterpath.apply(body, filter_path)
        out = Headers()
        out.add(*PRODUCT_HEADER)
        opaque = opaque_ids(request)
        if opaque:
            out.add("X-Opaque-Id", opaque[0])
        for name, value in (headers or {}).items():
            out.add(name, value)
        if body is None:
            out.add("content-type", "text/plain; charset=UTF-8")
            return Response(b"", status=sent_status, headers=out)
        out.add("content-type", compat or "application/json")
        data = render.to_json(body, pretty=bool(pretty))
        if found is None:
            return Response(data, status=sent_status, headers=out)
        return _CheckedResponse(data, sent_status, out, self.fake.contract, found, status)

    def _check_contract(
        self, request: Request, status: int, body: Any, filter_path: str | None
    ) -> contract.ResponseViolation | None:
        """Check a body about to be sent; None if it conforms or cannot be checked.

        A caller that filters the body itself (passing no `filter_path` while the request has
        one) hands over a filtered success body, which no schema describes: not checked.
        """
        if filter_path is None and status < 400 and "filter_path" in request.args:
            return None
        api = find_route(request.method, request.path).route
        return self.fake.contract.check(
            f"{request.method} {_uri(request)}", api.api if api else None, status, body
        )

    def _note_rejected(self, request: Request, status: int, reason: str | None) -> None:
        if status == 400:
            self.fake.contract.reject(f"{request.method} {_uri(request)}", status, str(reason))


# ES exceptions the fake raises for a request it refuses as invalid (a parameter, header or id).
_VALIDATION_ERRORS = frozenset(
    {"illegal_argument_exception", "action_request_validation_exception"}
)


class _CheckedResponse(Response):
    """A response whose body broke its contract (`violation`, recorded in `log`).

    If the bytes are replaced afterwards (`set_data`, e.g. `Fault.malformed` sending deliberately
    broken bytes), the checked body is not what goes out: the violation is withdrawn and a
    strict-mode 500 gets its original status back. Raw bytes are exempt from the contract.
    """

    _log: contract.ContractLog | None = None

    def __init__(
        self,
        data: bytes,
        status: int,
        headers: Headers,
        log: contract.ContractLog,
        violation: contract.ResponseViolation,
        original_status: int,
    ) -> None:
        super().__init__(data, status=status, headers=headers)
        self._log = log
        self.violation = violation
        self.original_status = original_status

    def set_data(self, value: bytes | str) -> None:
        super().set_data(value)
        if self._log is not None:
            self._log.withdraw(self.violation)
            self._log = None
            self.status_code = self.original_status

    data = property(Response.get_data, set_data)


# -- request-level checks ------------------------------------------------------------------------


def _uri(request: Request) -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def _query_values(request: Request) -> dict[str, str]:
    """Query parameters, the last value winning as in `RestUtils.decodeQueryString`."""
    return {key: values[-1] for key, values in request.args.lists()}


def _response_flag(values: Mapping[str, str], name: str, *, simple: bool = False) -> bool | None:
    """`pretty`, `human`, `error_trace`: None when absent; strict booleans otherwise."""
    if name not in values:
        return None
    value = values[name]
    if value in ("", "true"):
        return True
    if value == "false" or not value.strip():
        return False
    message = f"Failed to parse value [{value}] as only [true] or [false] are allowed."
    if simple:
        raise SimpleError(400, message)
    raise IllegalArgumentError(message)


def _check_opaque_id(request: Request) -> None:
    if len(set(opaque_ids(request))) > 1:
        raise IllegalArgumentError("multiple values for single-valued header [X-Opaque-Id].")


def _compatible_with(accept: str | None, major: int) -> str | None:
    """The response content type for a `compatible-with` Accept header (validated)."""
    if not accept:
        return None
    found = _COMPAT.search(accept)
    if found is None:
        return None
    version = int(found.group(2))
    if version not in (major, major - 1):
        raise EsError.custom(
            "media_type_header_exception",
            "Invalid media-type value on headers [Accept, Content-Type]",
            400,
            caused_by=EsError.custom(
                "status_exception",
                f"Accept version must be either version {major} or {major - 1}, but found "
                f"{version}. Accept={accept}",
                400,
            ),
        )
    return f"application/vnd.elasticsearch+{found.group(1)};compatible-with={version}"


def _check_content_type(request: Request) -> None:
    content_types = request.headers.getlist("Content-Type")
    if not content_types:
        raise SimpleError(406, "Content-Type header is missing")
    if not _BODY_TYPES.match(content_types[0].strip().lower()):
        raise SimpleError(406, f"Content-Type header [{','.join(content_types)}] is not supported")


def opaque_ids(request: Request) -> list[str]:
    """Every `X-Opaque-Id` header line, as received when the host kept them (WSGI joins them)."""
    raw = request.environ.get(RAW_HEADERS)
    if raw is None:
        return request.headers.getlist("X-Opaque-Id")
    return [value for name, value in raw if name.lower() == "x-opaque-id"]


def task_headers(request: Request) -> dict[str, str]:
    """The request headers ES copies into the tasks it starts (`Task.HEADERS_TO_COPY`)."""
    headers = request.headers
    out: dict[str, str] = {}
    opaque = opaque_ids(request)
    if opaque:
        out["X-Opaque-Id"] = opaque[0]
    traceparent = headers.get("traceparent")
    if traceparent is not None and len(traceparent) >= 55:
        out["trace.id"] = traceparent[3:35]
    origin = headers.get("X-elastic-product-origin")
    if origin is not None:
        out["X-elastic-product-origin"] = origin
    return out


def make_wsgi(fake: FakeTasks) -> App:
    return App(fake)


# -- faults and the journal ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Sent:
    """A response and what the journal records of it (`status` None: no response at all)."""

    response: Response
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, response: Response, body: bytes | None = None) -> _Sent:
        data = response.get_data() if body is None else body
        return cls(response, response.status_code, tuple(response.headers.items()), data)


def describe(request: Request) -> Incoming:
    """A request as faults and the journal see it, with the route it matches (if any)."""
    found = find_route(request.method, request.path)
    route = found.route
    try:
        body = request.get_data(cache=True)
    except Exception:  # e.g. the client went away mid-body: the dispatch reports it
        body = b""
    return Incoming(
        method=request.method,
        path=request.path,
        query=request.query_string.decode("latin-1"),
        params={**_query_values(request), **found.path_params},
        headers=tuple(request.headers.items()),
        body=body,
        api=route.api if route is not None else None,
        route=route.path if route is not None else None,
    )


def _deliver(app: App, request: Request, incoming: Incoming, decision: Decision | None) -> _Sent:
    """The answer to one request with its scripted fault (if any) applied."""
    fault = decision.fault if decision is not None else None
    cluster = app.fake.cluster
    if isinstance(fault, ErrorReply | Rejected):
        headers = dict(fault.headers) if isinstance(fault, ErrorReply) else {}
        return _Sent.of(_error_response(app, request, fault.es_error(cluster), headers))
    if isinstance(fault, NotFound):
        return _Sent.of(_not_found_response(app, request, incoming, fault))
    if isinstance(fault, Malformed):
        response = app._respond(request, fault.status, {}, None)
        response.set_data(fault.body)
        return _Sent.of(response)
    if isinstance(fault, Delay):
        fault.wait(cluster)
    if isinstance(fault, Reset | Disconnect):
        if fault.processed:
            _answer(app, request, incoming)
        return _Sent(_Dropped(reset=isinstance(fault, Reset)), None, (), b"")
    response = _answer(app, request, incoming)
    if isinstance(fault, Truncated):
        full = response.get_data()
        cut = fault.cut(full)
        streamed = _Streamed(response, [cut], len(full), pause_s=0.0, cut=True, cluster=cluster)
        return _Sent(streamed, response.status_code, tuple(response.headers.items()), cut)
    if isinstance(fault, SlowBody):
        full = response.get_data()
        pieces = fault.pieces(full)
        pause = fault.seconds / max(len(pieces) - 1, 1)
        streamed = _Streamed(response, pieces, len(full), pause_s=pause, cut=False, cluster=cluster)
        return _Sent(streamed, response.status_code, tuple(response.headers.items()), full)
    return _Sent.of(response)


def _answer(app: App, request: Request, incoming: Incoming) -> Response:
    """The normal answer (failed nodes and task failures are cluster state the actions read)."""
    return app._dispatch(request)


def _flag(incoming: Incoming, name: str) -> bool:
    """A response flag read leniently (the request was not validated: a fault answered it)."""
    return incoming.params.get(name) in ("", "true")


def _compat_or_none(app: App, request: Request) -> str | None:
    try:
        return _compatible_with(request.headers.get("Accept"), app.fake.cluster.major_version)
    except EsError:
        return None


def _error_response(
    app: App, request: Request, error: EsError, headers: Mapping[str, str] | None = None
) -> Response:
    """An ES error answer; headers the exception carries go out as HTTP headers, as in ES."""
    incoming_flags = _query_values(request)
    stack_trace = incoming_flags.get("error_trace") in ("", "true")
    pretty = incoming_flags.get("pretty") in ("", "true")
    out = {name: ",".join(values) for name, values in error.headers.items()}
    out.update(headers or {})
    return app._respond(
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
    return app._respond(
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
        stack_trace=_flag(incoming, "error_trace"),
    )
    return _json_response(app, request, incoming, 200, body)


def _drop_connection(environ: WSGIEnvironment, *, reset: bool) -> None:
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


class _Dropped(Response):
    """No answer: the connection is reset or closed when the server would send the response."""

    def __init__(self, *, reset: bool) -> None:
        super().__init__(b"", status=500)
        self.reset = reset

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        _drop_connection(environ, reset=self.reset)
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
            _drop_connection(environ, reset=False)
            raise ConnectionAbortedError("fake-tasks: response body cut short (scripted fault)")
