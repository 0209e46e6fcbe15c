"""The REST layer's request checks: query values, response flags, media types, task headers."""

from __future__ import annotations

import re
from collections.abc import Mapping

from werkzeug.wrappers import Request

from fake_tasks.errors import EsError, IllegalArgumentError, SimpleError
from fake_tasks.spec.javanum import java_int_in_range

RAW_HEADERS = "fake_tasks.raw_headers"  # environ key: header lines as received (see server.py)
# environ key: the `EsError` the HTTP decoder failed with; such a request goes to
# `RestController.dispatchBadRequest`, a 400 whatever the path (see rest/wire.py)
BAD_REQUEST = "fake_tasks.bad_request"
_COMPAT = re.compile(
    r"application/vnd\.elasticsearch\+(\w+)\s*;\s*compatible-with\s*=\s*(\d+)", re.ASCII
)
_BODY_TYPES = re.compile(
    r"application/(json|x-ndjson|yaml|cbor|smile|vnd\.elasticsearch\+(json|x-ndjson|yaml|cbor|smile))"
)


class Unanswered(Exception):
    """The server closes the connection without a response (an exception escaped its REST layer)."""


def raw_path(request: Request) -> str:
    """The path as sent, still percent-encoded: ES routes on it (`PathTrie` splits the raw path
    at `/` and decodes only the values of `{params}`), so `%2F` in a task id stays in the id."""
    uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not isinstance(uri, str) or not uri:
        return request.path
    return uri.partition("?")[0]  # an absolute form (http://host/x) stays whole, as in ES


def request_uri(request: Request) -> str:
    """`RestRequest.uri()`: the request target as sent (still percent-encoded)."""
    uri = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if isinstance(uri, str) and uri:
        return uri
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def query_values(request: Request) -> dict[str, str]:
    """Query parameters, the last value winning as in `RestUtils.decodeQueryString`."""
    return {key: values[-1] for key, values in request.args.lists()}


def response_flag(values: Mapping[str, str], name: str, *, simple: bool = False) -> bool | None:
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


def check_opaque_id(request: Request, *, full_error: bool = True) -> None:
    """Two different `X-Opaque-Id` values: a full JSON 400 since 8.8, the simple body before."""
    if len(set(opaque_ids(request))) > 1:
        message = "multiple values for single-valued header [X-Opaque-Id]."
        if not full_error:
            raise SimpleError(400, message)
        raise IllegalArgumentError(message)


def compatible_with(accept: str | None, major: int) -> str | None:
    """The response content type for a `compatible-with` Accept header (validated).

    The version is read with `Byte.parseByte`, outside the `try` that turns version errors
    into a 400 (`RestCompatibleVersionHelper`, `RestRequest`): a number beyond 127 escapes the
    REST layer and the HTTP layer closes the connection without answering (`Unanswered`).
    """
    if not accept:
        return None
    found = _COMPAT.search(accept)
    if found is None:
        return None
    version = java_int_in_range(found.group(2), -128, 127)
    if version is None:
        raise Unanswered(f'Value out of range. Value:"{found.group(2)[:40]}" Radix:10')
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


def check_content_type(request: Request) -> None:
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
