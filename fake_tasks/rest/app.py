"""The HTTP app: a plain werkzeug `Request -> Response` callable doing what ES's REST layer does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from fake_tasks.cluster.gcpause import gc_paused
from fake_tasks.cluster.model import ClusterClosed
from fake_tasks.contract import schemas as contract
from fake_tasks.errors import EsError, IllegalArgumentError, SimpleError
from fake_tasks.rest import authz, filterpath, render
from fake_tasks.rest.checks import (
    BAD_REQUEST,
    Unanswered,
    check_content_type,
    check_opaque_id,
    compatible_with,
    opaque_ids,
    query_values,
    request_uri,
    response_flag,
    task_headers,
)
from fake_tasks.rest.control import dispatch as control
from fake_tasks.rest.delivery import Dropped, Sent, body_complete, deliver, describe, matched
from fake_tasks.rest.params import Params
from fake_tasks.rest.render_stream import StreamedList
from fake_tasks.rest.routing import METHOD_ORDER, Call, PlainText, Reply
from fake_tasks.rest.stubbing import STUB_KEY, stub_response
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.journal import Exchange
from fake_tasks.scripting.security import Subject
from fake_tasks.scripting.stubs import StubHit
from fake_tasks.spec import APIS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PRODUCT_HEADER = ("X-elastic-product", "Elasticsearch")


class App:
    """Serves one `FakeTasks`. Each request: headers, routing, params, action, render."""

    def __init__(self, fake: FakeTasks, *, allow_remote_control: bool = False) -> None:
        self.fake = fake
        self.allow_remote_control = allow_remote_control
        self.on_exchange: Callable[[Exchange | None, Request, int | None], None] | None = None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self.handle(Request(environ))(environ, start_response)

    def handle(self, request: Request) -> Response:
        """Answer one request; never raises: unexpected errors become an ES-shaped 500.

        The fault `fake.faults` picks for the request (if any) is applied to the answer, and the
        exchange is recorded in `fake.journal`.
        """
        fake = self.fake
        if not body_complete(request):
            return Dropped(reset=False)
        if control.is_control(request.path):
            answer = control.handle(fake, request, allow_remote=self.allow_remote_control)
            if self.on_exchange is not None:
                self.on_exchange(None, request, answer.status_code)
            return answer
        clock = fake.cluster.clock
        started = clock.now_ns()
        incoming = describe(request)
        hit = fake.stubs.decide(incoming)
        if hit is not None:
            request.environ[STUB_KEY] = hit
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
            stub=hit.stub if hit is not None else None,
        )
        try:
            with gc_paused():  # a large answer's objects would trigger collection passes
                sent = deliver(self, request, incoming, decision)
        except Exception as error:  # the WSGI boundary: record it for the test, answer like ES
            fake.record_error(error)
            internal = EsError(f"fake-tasks internal error: {error!r}")
            sent = Sent.of(self.respond(request, 500, internal.body(), None))
        exchange = fake.journal.finish(
            ticket,
            status=sent.status,
            headers=sent.headers,
            body=sent.body,
            finished_ns=clock.now_ns(),
        )
        if self.on_exchange is not None:
            self.on_exchange(exchange, request, sent.status)
        return sent.response

    # -- the flow ------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        values = query_values(request)
        bad = request.environ.get(BAD_REQUEST)
        if isinstance(bad, EsError):  # the decoder failed: 400 with its exception, no routing
            lenient = values.get("pretty") in ("", "true")
            return self.respond(request, 400, bad.body(), None, pretty=lenient)
        try:
            # With security on, 8.8+ authenticates in the HTTP layer, before anything is read.
            subject = (
                self._authenticate(request)
                if self.fake.cluster.has("http_layer_authentication")
                else None
            )
        except EsError as error:
            return self.respond(
                request, error.http_status(), error.body(), None, headers=error_headers(error)
            )
        hit = request.environ.get(STUB_KEY)
        if isinstance(hit, StubHit):
            if hit.stub.override and hit.answer.json is not None:
                # an override of a modelled API keeps that API's contract
                self._check_contract(request, hit.answer.status, hit.answer.json, None)
            return stub_response(hit)
        try:
            compat = compatible_with(request.headers.get("Accept"), self.fake.cluster.major_version)
        except Unanswered:
            return Dropped(reset=False)
        except EsError as error:  # the media type itself is wrong: answer plain JSON
            self._note_rejected(request, error.http_status(), error.reason)
            return self.respond(request, error.http_status(), error.body(), None)
        pretty: bool | None = None
        try:
            # The HTTP layer checks headers and creates the channel (pretty, human) before
            # RestController validates error_trace.
            check_opaque_id(request, full_error=self.fake.cluster.has("opaque_id_full_error"))
            pretty = response_flag(values, "pretty")
            human = response_flag(values, "human")
            stack_trace = response_flag(values, "error_trace", simple=True)
        except SimpleError as error:
            self._note_rejected(request, error.status, error.message)
            return self.respond(request, error.status, error.body(), compat, pretty=pretty)
        except EsError as error:
            self._note_rejected(request, error.http_status(), error.reason)
            return self.respond(request, error.http_status(), error.body(), compat, pretty=pretty)
        try:
            reply = self._route(
                request, values, human=bool(human), stack_trace=bool(stack_trace), subject=subject
            )
        except SimpleError as error:
            return self.respond(
                request, error.status, error.body(), compat, pretty=pretty, headers=error.headers
            )
        except EsError as error:
            if error.es_type in _VALIDATION_ERRORS:
                self._note_rejected(request, error.http_status(), error.reason)
            body = error.body(stack_trace=bool(stack_trace) and error.http_status() != 401)
            return self.respond(
                request,
                error.http_status(),
                body,
                compat,
                pretty=pretty,
                headers={**error_headers(error), **error.response_headers},
            )
        except ClusterClosed as error:
            body = EsError.custom("node_closed_exception", str(error), 503).body()
            return self.respond(request, 503, body, compat)
        if pretty is None:
            pretty = reply.pretty_by_default
        return self.respond(
            request,
            reply.status,
            reply.body,
            compat,
            pretty=pretty,
            headers=reply.headers,
            filter_path=values.get("filter_path"),
        )

    def _route(
        self,
        request: Request,
        values: dict[str, str],
        *,
        human: bool,
        stack_trace: bool,
        subject: Subject | None = None,
    ) -> Reply:
        path = request.path
        match = matched(request)
        if request.method not in METHOD_ORDER:  # `translateRequestMethod` refuses it
            allowed = f", allowed: [{', '.join(match.allowed)}]" if match.allowed else ""
            raise SimpleError(
                405,
                f"Unexpected http method: {request.method}{allowed}",
                headers={"Allow": ",".join(match.allowed)} if match.allowed else {},
            )
        if request.method == "OPTIONS":
            allow = {"Allow": ",".join(match.allowed)} if match.allowed else {}
            return Reply(200, None, headers=allow)
        if match.route is None:
            if match.allowed:
                raise SimpleError(
                    405,
                    f"Incorrect HTTP method for uri [{request_uri(request)}] and method "
                    f"[{request.method}], allowed: [{', '.join(match.allowed)}]",
                    headers={"Allow": ",".join(match.allowed)},
                )
            raise SimpleError(
                400,
                f"no handler found for uri [{request_uri(request)}] and method [{request.method}]",
                with_status=False,
            )
        api = APIS[match.route.api]
        body = request.get_data(cache=True)
        has_body = bool(request.content_length) or bool(body)
        if has_body:
            check_content_type(request)
        if not self.fake.cluster.has("http_layer_authentication"):
            subject = self._authenticate(request)  # `SecurityRestFilter` wraps the handler
        cluster = self.fake.cluster
        cluster.clock.on_request()
        call = Call(
            cluster=cluster,
            method=request.method,
            path=path,
            params=Params(path, {**values, **match.path_params}, api),
            task_headers=task_headers(request),
            human=human,
            stack_trace=stack_trace,
            body=body,
            accept=request.headers.get("Accept"),
            subject=subject,
        )
        run = match.route.prepare(call)
        call.params.check_unrecognized()
        if has_body and api.body == "none":
            raise IllegalArgumentError(
                f"request [{request.method} {path}] does not support having a body"
            )
        # the transport action is authorized, on the indices it names
        authz.authorize(self.fake, subject, api.name, match.path_params.get("index"))
        return run()

    def _authenticate(self, request: Request) -> Subject | None:
        return authz.authenticate(
            self.fake, request.headers.get("Authorization"), request_uri(request), request.method
        )

    def respond(
        self,
        request: Request,
        status: int,
        body: Any,
        compat: str | None,
        *,
        pretty: bool | None = None,
        headers: Mapping[str, str | Sequence[str]] | None = None,
        filter_path: str | None = None,
    ) -> Response:
        """The HTTP response for a JSON-ready `body` (None: no body).

        The body is checked against its contract (`fake.contract`) first, then `filter_path`
        is applied: a filtered body is no documented shape. In strict mode a body that breaks
        its contract is replaced by an ES-shaped 500.
        """
        if isinstance(body, PlainText):
            return self._plain(request, status, body, headers)
        data: bytes | None = None
        if isinstance(body, StreamedList):  # a large list: encoded as it is checked
            if filter_path is None and not pretty:
                data, found = self._streamed(request, status, body)
            else:
                body = body.whole()
        if data is None:
            found = self._check_contract(request, status, body, filter_path)
        sent_status = status
        if found is not None and self.fake.contract.strict:
            sent_status, body, filter_path = 500, contract.strict_error(found), None
            data = None
        if filter_path is not None and body is not None:
            body = filterpath.apply(body, filter_path)
        # `RestResponse.filterHeaders`: no product header on a 401 or 403
        out = _headers(request, headers, product=sent_status not in (401, 403))
        if body is None:
            out.add("content-type", "text/plain; charset=UTF-8")
            return Response(b"", status=sent_status, headers=out)
        json_type = (
            "application/json; charset=UTF-8"
            if self.fake.cluster.has("json_charset")
            else "application/json"
        )
        out.add("content-type", compat or json_type)
        if data is None:
            data = render.to_json(body, pretty=bool(pretty))
        if found is None:
            return Response(data, status=sent_status, headers=out)
        return _CheckedResponse(data, sent_status, out, self.fake.contract, found, status)

    @staticmethod
    def _plain(
        request: Request,
        status: int,
        body: PlainText,
        headers: Mapping[str, str | Sequence[str]] | None,
    ) -> Response:
        """A `text/plain` answer (`_cat` tables, hot threads): no JSON, no filter, no contract."""
        out = _headers(request, headers, product=True)
        out.add("content-type", "text/plain; charset=UTF-8")
        return Response(body.encode(), status=status, headers=out)

    def _streamed(
        self, request: Request, status: int, body: StreamedList
    ) -> tuple[bytes, contract.ResponseViolation | None]:
        """A streamed list's bytes, each piece checked on its way (the first violation)."""
        data, found = body.encode(lambda piece: self._check_contract(request, status, piece, None))
        first = found[0] if found else None
        return data, first if isinstance(first, contract.ResponseViolation) else None

    def _check_contract(
        self, request: Request, status: int, body: Any, filter_path: str | None
    ) -> contract.ResponseViolation | None:
        """Check a body about to be sent; None if it conforms or cannot be checked.

        A caller that filters the body itself (passing no `filter_path` while the request has
        one) hands over a filtered success body, which no schema describes: not checked.
        """
        if filter_path is None and status < 400 and "filter_path" in request.args:
            return None
        api = matched(request).route
        return self.fake.contract.check(
            f"{request.method} {request_uri(request)}", api.api if api else None, status, body
        )

    def _note_rejected(self, request: Request, status: int, reason: str | None) -> None:
        if status == 400:
            self.fake.contract.reject(
                f"{request.method} {request_uri(request)}", status, str(reason)
            )


def error_headers(error: EsError) -> dict[str, list[str]]:
    """The exception's headers go out as response headers too (`RestResponse` copies them)."""
    return {name: list(values) for name, values in error.headers.items()}


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


def _headers(
    request: Request, headers: Mapping[str, str | Sequence[str]] | None, *, product: bool
) -> Headers:
    """The headers every answer starts with: the product header, the echoed `X-Opaque-Id`, then
    the handler's own."""
    out = Headers()
    if product:
        out.add(*PRODUCT_HEADER)
    opaque = opaque_ids(request)
    if opaque:
        out.add("X-Opaque-Id", opaque[0])
    for name, value in (headers or {}).items():
        for each in [value] if isinstance(value, str) else value:
            out.add(name, each)
    return out
