"""The HTTP app: a plain werkzeug `Request -> Response` callable doing what ES's REST layer does."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from fake_tasks import filterpath, render
from fake_tasks.errors import EsError, IllegalArgumentError, SimpleError
from fake_tasks.fake import FakeTasks
from fake_tasks.model import ClusterClosed
from fake_tasks.params import Params
from fake_tasks.routes import Call, Reply, find_route

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PRODUCT_HEADER = ("X-elastic-product", "Elasticsearch")
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
        """Answer one request; never raises: unexpected errors become an ES-shaped 500."""
        try:
            return self._dispatch(request)
        except Exception as error:  # the WSGI boundary: record it for the test, answer like ES
            self.fake.record_error(error)
            internal = EsError(f"fake-tasks internal error: {error!r}")
            return self._respond(request, 500, internal.body(), None)

    # -- the flow ------------------------------------------------------------------------------

    def _dispatch(self, request: Request) -> Response:
        accept = request.headers.get("Accept")
        try:
            compat = _compatible_with(accept, self.fake.cluster.major_version)
            _check_opaque_id(request)
            values = _query_values(request)
            stack_trace = _response_flag(values, "error_trace", simple=True)
            pretty = _response_flag(values, "pretty")
            human = _response_flag(values, "human")
        except SimpleError as error:
            return self._respond(request, error.status, error.body(), None)
        except EsError as error:
            return self._respond(request, error.http_status(), error.body(), None)
        try:
            reply = self._route(request, values, human=bool(human), stack_trace=bool(stack_trace))
        except SimpleError as error:
            return self._respond(request, error.status, error.body(), compat, headers=error.headers)
        except EsError as error:
            body = error.body(stack_trace=bool(stack_trace))
            return self._respond(request, error.http_status(), body, compat, pretty=pretty)
        except ClusterClosed as error:
            body = EsError.custom("node_closed_exception", str(error), 503).body()
            return self._respond(request, 503, body, compat)
        body = reply.body
        filter_path = values.get("filter_path")
        if filter_path is not None and body is not None:
            body = filterpath.apply(body, filter_path)
        if pretty is None:
            pretty = reply.pretty_by_default
        return self._respond(
            request, reply.status, body, compat, pretty=pretty, headers=reply.headers
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
            task_headers=task_headers(request.headers),
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
    ) -> Response:
        out = Headers()
        out.add(*PRODUCT_HEADER)
        opaque = request.headers.getlist("X-Opaque-Id")
        if opaque:
            out.add("X-Opaque-Id", opaque[0])
        for name, value in (headers or {}).items():
            out.add(name, value)
        if body is None:
            out.add("content-type", "text/plain; charset=UTF-8")
            return Response(b"", status=status, headers=out)
        out.add("content-type", compat or "application/json")
        return Response(render.to_json(body, pretty=bool(pretty)), status=status, headers=out)


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
    if len(set(request.headers.getlist("X-Opaque-Id"))) > 1:
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


def task_headers(headers: Headers) -> dict[str, str]:
    """The request headers ES copies into the tasks it starts (`Task.HEADERS_TO_COPY`)."""
    out: dict[str, str] = {}
    opaque = headers.get("X-Opaque-Id")
    if opaque is not None:
        out["X-Opaque-Id"] = opaque
    traceparent = headers.get("traceparent")
    if traceparent is not None and len(traceparent) >= 55:
        out["trace.id"] = traceparent[3:35]
    origin = headers.get("X-elastic-product-origin")
    if origin is not None:
        out["X-elastic-product-origin"] = origin
    return out


def make_wsgi(fake: FakeTasks) -> App:
    return App(fake)
