"""The control API under `/_fake_tasks`: the scripting calls over HTTP, for any language.

No Elasticsearch route starts with `/_fake_tasks` (and no index can be named so: names must not
start with `_`), so the prefix never hides a real API. Control requests are not journaled, do
not move the clock and are never faulted or stubbed. Requests from other hosts than loopback
are refused unless the app allows remote control.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any, Final

from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from fake_tasks.contract.control import problems
from fake_tasks.errors import EsError, FakeTasksError
from fake_tasks.rest.control.errors import ControlError
from fake_tasks.rest.control.routes import CONTROL_ROUTES, ControlCall, ControlRoute
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.scenario import ScenarioError

__all__ = ["PREFIX", "handle", "is_control"]

PREFIX: Final = "/_fake_tasks"
_QUERY: Final = {
    "/_fake_tasks/tasks": {"action"},
    "/_fake_tasks/indices": {"name"},
    "/_fake_tasks/journal": None,
}


def is_control(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def handle(fake: FakeTasks, request: Request, *, allow_remote: bool = False) -> Response:
    """Answer one control request; never raises."""
    pretty = request.args.get("pretty") in ("", "true")
    try:
        _check_peer(request, allow_remote)
        route, path_params = _find(request.method, request.path)
        status, body = _run(fake, request, route, path_params)
        answer = f"responses.json#/$defs/{route.answer}"
    except ControlError as error:
        status, body, answer = error.status, error.body(), "responses.json#/$defs/error"
        return _respond(fake, status, body, answer, pretty, error.headers)
    except Exception as error:  # the boundary: a bug answers a JSON 500 and fails the test
        fake.record_error(error)
        failed = ControlError(
            500, "control_internal_error", f"fake-tasks internal error: {error!r}"
        )
        return _respond(fake, 500, failed.body(), "responses.json#/$defs/error", pretty, {})
    return _respond(fake, status, body, answer, pretty, {})


def _check_peer(request: Request, allow_remote: bool) -> None:
    peer = request.remote_addr
    if allow_remote or not peer:  # no peer address: called in-process, without a socket
        return
    try:
        loopback = ipaddress.ip_address(peer.split("%")[0]).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ControlError(
            403,
            "remote_control_refused",
            f"the control API answers loopback clients only; [{peer}] is not one "
            "(start the server with --allow-remote-control to allow it)",
        )


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _match(route: ControlRoute, segments: list[str]) -> dict[str, str] | None:
    template = _segments(route.path)
    if len(template) != len(segments):
        return None
    found = {}
    for part, value in zip(template, segments, strict=True):
        if part.startswith("{"):
            found[part[1:-1]] = value
        elif part != value:
            return None
    return found


def _find(method: str, path: str) -> tuple[ControlRoute, dict[str, str]]:
    segments = _segments(path)
    candidates = [(r, p) for r in CONTROL_ROUTES if (p := _match(r, segments)) is not None]
    # a literal segment beats a {param} at the same place (`/faults` before `/faults/{id}`)
    candidates.sort(key=lambda rp: [s.startswith("{") for s in _segments(rp[0].path)])
    for route, params in candidates:
        if route.method == method:
            return route, params
    if candidates:
        allowed = sorted({r.method for r, _ in candidates})
        raise ControlError(
            405,
            "control_method_not_allowed",
            f"{path} takes {', '.join(allowed)}, not {method}",
            headers={"Allow": ",".join(allowed)},
        )
    known = sorted({f"{r.method} {r.path}" for r in CONTROL_ROUTES})
    raise ControlError(
        404,
        "unknown_control_route",
        f"no control route {method} {path}; routes: {'; '.join(known)}",
    )


def _run(
    fake: FakeTasks, request: Request, route: ControlRoute, path_params: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    query = {k: v for k, v in request.args.items() if k != "pretty"}
    allowed = _QUERY.get(route.path, set()) if route.method == "GET" else set()
    if allowed is not None and set(query) - allowed:
        extra = sorted(set(query) - allowed)
        raise ControlError(400, "invalid_control_request", f"unknown query parameter(s) {extra}")
    raw = request.get_data(cache=True)
    body: Any = {}
    if route.body is not None and raw.strip():
        try:
            body = json.loads(raw)
        except RecursionError:
            raise ControlError(
                400, "invalid_control_request", "the body nests too deeply"
            ) from None
        except ValueError as error:
            raise ControlError(
                400, "invalid_control_request", f"the body is not JSON: {error}"
            ) from None
        try:
            found = problems(f"requests.json#/$defs/{route.body}", body)
        except RecursionError:
            raise ControlError(
                400, "invalid_control_request", "the body nests too deeply"
            ) from None
        if found:
            raise ControlError(
                400,
                "invalid_control_request",
                f"the body breaks the {route.body} schema: {found[0]}",
                [{"pointer": p.pointer, "rule": p.rule, "message": p.message} for p in found],
            )
    elif route.body is None and raw.strip() and route.path != "/_fake_tasks/scenario":
        raise ControlError(
            400, "invalid_control_request", f"{route.method} {route.path} takes no body"
        )
    call = ControlCall(fake, path_params, query, body, raw, request.content_type or "")
    try:
        return route.handler(call)
    except ScenarioError as error:
        found_at = [
            {"pointer": p.pointer, "rule": p.rule, "message": p.message, "line": p.line}
            for p in error.problems
        ]
        raise ControlError(400, "invalid_scenario", str(error), found_at) from None
    except EsError as error:
        raise ControlError(400, "invalid_control_request", str(error.reason)) from None
    except (FakeTasksError, ValueError, ArithmeticError) as error:
        raise ControlError(400, "invalid_control_request", str(error)) from None
    except RecursionError:
        raise ControlError(400, "invalid_control_request", "the body nests too deeply") from None


def _respond(
    fake: FakeTasks,
    status: int,
    body: dict[str, Any],
    answer: str,
    pretty: bool,
    headers: dict[str, str],
) -> Response:
    broken = problems(answer, body)
    if broken:
        fake.record_error(FakeTasksError(f"control answer breaks {answer}: {broken[0]}"))
    text = json.dumps(body, indent=2 if pretty else None, separators=None if pretty else (",", ":"))
    out = Headers(headers)
    out.add("content-type", "application/json")
    return Response(text + ("\n" if pretty else ""), status=status, headers=out)
