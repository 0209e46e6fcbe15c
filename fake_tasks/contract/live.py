"""Contract-check a live Elasticsearch cluster's task API against the fake's JSON Schemas.

`check_cluster(url)` sends a fixed set of read-only requests (lists in every grouping, a detailed
list, a get of a listed task, gets of missing ids, and a cancel whose action pattern matches no
task, so nothing is cancelled) and validates every answer with `contract.check_response`. Only
the standard library speaks HTTP here, so the checker needs nothing beyond this package.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import quote

from fake_tasks.contract.schemas import Violation, check_response, schema_for

__all__ = [
    "CheckReport",
    "Probe",
    "ProbeResult",
    "basic_auth",
    "check_cluster",
    "error_reason",
    "request_headers",
    "urllib_sender",
]

NOTHING_MATCHES: Final = "fake-tasks:nothing/matches"
"""The cancel probe's `actions` pattern: no real action has a `fake-tasks:` prefix."""

MISSING_TASK_ID: Final = "nonexistent:1"
"""A task id on a node that is not part of any cluster."""

MADE_UP_ID: Final = 2_147_483_647
"""The task number of the made-up id asked of a real node (far beyond what a node reaches)."""

OPAQUE_ID: Final = "fake-tasks-check"
"""Sent as `X-Opaque-Id`, so the checker's own tasks are recognisable in the cluster."""

_LIST_ACTIONS: Final = "cluster:monitor/tasks/lists"


@dataclass(frozen=True)
class Probe:
    """One request the checker sends: which API answers it and the statuses it may answer."""

    name: str
    method: str
    path: str
    api: str
    statuses: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class ProbeResult:
    """What one probe got: the status, the schema it was checked against and what broke.

    `problem` is set when the answer could not be checked or was not an answer the probe allows
    (connection failure, a body that is not JSON, an unexpected status).
    """

    probe: Probe
    status: int | None
    schema: str | None = None
    violations: tuple[Violation, ...] = ()
    problem: str | None = None
    body: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.violations

    def lines(self) -> list[str]:
        """A verdict line, then one indented line per problem or violation."""
        status = "no response" if self.status is None else str(self.status)
        against = f" ({self.schema})" if self.schema else ""
        verdict = "valid  " if self.ok else "INVALID"
        out = [f"{verdict} {self.probe.name}: {self.probe} -> {status}{against}"]
        if self.problem is not None:
            out.append(f"    {self.problem}")
        out += [f"    {violation}" for violation in self.violations]
        return out


@dataclass(frozen=True)
class CheckReport:
    """Every probe's result, in the order sent; `ok` when every answer matched its contract."""

    url: str
    results: tuple[ProbeResult, ...]

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.results)

    def lines(self) -> list[str]:
        out = [line for result in self.results for line in result.lines()]
        bad = sum(not result.ok for result in self.results)
        total = len(self.results)
        summary = (
            f"{total} response(s) from {self.url} match their contract"
            if bad == 0
            else f"{bad} of {total} response(s) from {self.url} do not match their contract"
        )
        return [*out, summary]


# (method, url, headers) -> (status, body bytes); raises OSError when there is no answer
Send = Callable[[str, str, Mapping[str, str]], tuple[int, bytes]]


def basic_auth(user: str) -> dict[str, str]:
    """The `Authorization` header for `user:password`."""
    token = base64.b64encode(user.encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {token}"}


def check_cluster(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    verify_tls: bool = True,
    send: Send | None = None,
    ca_certs: str | None = None,
) -> CheckReport:
    """Exercise the task API at `url` without changing the cluster; check each response.

    `headers` go with every request (e.g. `basic_auth("elastic:secret")`); `send` replaces the
    HTTP transport (tests); `ca_certs` is a CA file to trust besides the system's.
    """
    base = url.rstrip("/")
    sender = send or urllib_sender(timeout, verify_tls, ca_certs)
    sent_headers = {"Accept": "application/json", "X-Opaque-Id": OPAQUE_ID, **(headers or {})}
    results: list[ProbeResult] = []
    probes = _probes()
    listed: ProbeResult | None = None
    while True:
        try:
            probe = probes.send(listed)
        except StopIteration:
            break
        result = _run(probe, base, sent_headers, sender)
        results.append(result)
        listed = result
    return CheckReport(base, tuple(results))


def _probes() -> Generator[Probe, ProbeResult | None, None]:
    """The probes in order; the `none` listing is sent back in to pick the ids to get."""
    yield Probe("list (group_by=nodes)", "GET", "/_tasks", "tasks.list", (200,))
    yield Probe("list (group_by=parents)", "GET", "/_tasks?group_by=parents", "tasks.list", (200,))
    flat = yield Probe("list (group_by=none)", "GET", "/_tasks?group_by=none", "tasks.list", (200,))
    yield Probe("list detailed", "GET", "/_tasks?detailed=true", "tasks.list", (200,))
    yield Probe(
        "list detailed, human",
        "GET",
        "/_tasks?detailed=true&human=true&group_by=parents",
        "tasks.list",
        (200,),
    )
    task_id, node = _pick(flat.body if flat is not None else None)
    if task_id is not None:
        # the task may end between the list and the get: then ES answers 404
        path = f"/_tasks/{quote(task_id, safe=':')}"
        yield Probe("get a listed task", "GET", path, "tasks.get", (200, 404))
    yield Probe("get a missing task", "GET", f"/_tasks/{MISSING_TASK_ID}", "tasks.get", (404,))
    if node is not None:
        path = f"/_tasks/{quote(node, safe='')}:{MADE_UP_ID}"
        yield Probe("get a made-up id on a real node", "GET", path, "tasks.get", (404,))
    yield Probe(
        "cancel nothing",
        "POST",
        f"/_tasks/_cancel?actions={quote(NOTHING_MATCHES, safe=':/')}",
        "tasks.cancel",
        (200,),
    )
    yield Probe(
        "cancel nothing (group_by=none)",
        "POST",
        f"/_tasks/_cancel?actions={quote(NOTHING_MATCHES, safe=':/')}&group_by=none",
        "tasks.cancel",
        (200,),
    )
    yield Probe("cat tasks (json)", "GET", "/_cat/tasks?format=json&detailed", "cat.tasks", (200,))
    yield Probe("cluster health", "GET", "/_cluster/health?human", "cluster.health", (200, 408))


def _pick(body: object) -> tuple[str | None, str | None]:
    """From a `group_by=none` listing: a task to get (the longest-running one that is not a
    list request, which ends at once) and a node id."""
    if not isinstance(body, Mapping) or not isinstance(body.get("tasks"), list):
        return None, None
    tasks = [t for t in body["tasks"] if isinstance(t, Mapping) and isinstance(t.get("node"), str)]
    if not tasks:
        return None, None
    others = [t for t in tasks if not str(t.get("action", "")).startswith(_LIST_ACTIONS)]
    chosen = max(others or tasks, key=lambda t: _number(t.get("running_time_in_nanos")))
    task_id = f"{chosen['node']}:{chosen.get('id')}"
    return task_id, str(chosen["node"])


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _run(probe: Probe, base: str, headers: Mapping[str, str], send: Send) -> ProbeResult:
    try:
        status, raw = send(probe.method, base + probe.path, headers)
    except OSError as error:
        return ProbeResult(probe, None, problem=f"no response: {error}")
    try:
        body = json.loads(raw)
    except ValueError as error:
        excerpt = raw[:80].decode("utf-8", "replace")
        return ProbeResult(probe, status, problem=f"body is not JSON ({error}): {excerpt!r}")
    schema = schema_for(probe.api, status, body)
    violations = tuple(check_response(probe.api, status, body))
    problem = None
    if status not in probe.statuses:
        allowed = " or ".join(str(s) for s in probe.statuses)
        problem = f"status {status}, expected {allowed}"
        reason = error_reason(body)
        if reason:
            problem += f": {reason}"
    return ProbeResult(probe, status, schema, violations, problem, body)


def error_reason(body: object) -> str | None:
    """`type: reason` of an Elasticsearch error body (or its plain `error` string), else None."""
    if not isinstance(body, Mapping):
        return None
    error = body.get("error")
    if isinstance(error, str):
        return error
    if isinstance(error, Mapping):
        return f"{error.get('type')}: {error.get('reason')}"
    return None


def urllib_sender(timeout: float, verify_tls: bool, ca_certs: str | None = None) -> Send:
    """A `Send` over urllib: HTTP errors are answers (status and body), not exceptions."""
    context = ssl.create_default_context(cafile=ca_certs)
    if not verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))

    def send(method: str, url: str, headers: Mapping[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(url, method=method, headers=dict(headers))
        try:
            with opener.open(request, timeout=timeout) as response:
                return int(response.status), bytes(response.read())
        except urllib.error.HTTPError as error:  # an answer all the same: 4xx/5xx
            with error:
                return int(error.code), bytes(error.read())

    return send


def parse_header(text: str) -> tuple[str, str]:
    """`"Name: value"` as given to `--header`."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise ValueError(f"a header is 'Name: value', not {text!r}")
    return name.strip(), value.strip()


def request_headers(header: Sequence[str], user: str | None) -> dict[str, str]:
    """The headers `--header` and `--user` give (ValueError for a malformed header)."""
    headers = dict(parse_header(h) for h in header)
    if user is not None:
        headers.update(basic_auth(user))
    return headers


def main_check(
    url: str,
    *,
    header: Sequence[str] = (),
    user: str | None = None,
    timeout: float = 30.0,
    insecure: bool = False,
    ca_certs: str | None = None,
    out: Callable[[str], None] = print,
) -> int:
    """The `fake-tasks check` command: print the report; 0 if every response matched, else 1."""
    headers = request_headers(header, user)
    report = check_cluster(
        url, headers=headers, timeout=timeout, verify_tls=not insecure, ca_certs=ca_certs
    )
    for line in report.lines():
        out(line)
    return 0 if report.ok else 1
