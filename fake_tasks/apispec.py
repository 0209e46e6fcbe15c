"""The documented request parameters of each API the fake serves, as one declarative table.

The handlers in `routes.py` read their parameters by hand, in the order Elasticsearch reads them
(that order decides which error a request with several bad values gets). This table says the same
thing declaratively (names, types, enum values, in read order) so tests can hold the handlers,
the rest-api-spec files and this table to each other, and so `problems` can tell ahead of time
which values the server refuses. Known differences between the server and its documentation
are listed in `DEVIATIONS`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "APIS",
    "COMMON",
    "DEVIATIONS",
    "ApiParams",
    "Deviation",
    "Param",
    "ParamType",
    "problem",
    "problems",
]

ParamType = Literal["boolean", "time", "list", "string", "enum", "task_id"]
"""How the server parses a value. `task_id` is a string parsed as `node:id` (`TaskId`)."""


@dataclass(frozen=True)
class Param:
    """One request parameter: its name, how it is parsed, and where it comes from."""

    name: str
    type: ParamType
    options: tuple[str, ...] = ()  # enum values
    default: str | None = None
    in_path: bool = False


@dataclass(frozen=True)
class ApiParams:
    """The parameters one API reads, in the server's read order (path parts included)."""

    api: str
    params: tuple[Param, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(param.name for param in self.params)

    @property
    def query(self) -> tuple[Param, ...]:
        return tuple(param for param in self.params if not param.in_path)

    def param(self, name: str) -> Param | None:
        return next((param for param in (*self.params, *COMMON) if param.name == name), None)


COMMON: Final = (
    Param("pretty", "boolean"),
    Param("human", "boolean"),
    Param("format", "string"),
    Param("filter_path", "list"),
    Param("error_trace", "boolean"),
)
"""Accepted by every API (`BaseRestHandler.ALWAYS_SUPPORTED` and `RestResponse.RESPONSE_PARAMS`)."""

_GROUP_BY: Final = Param("group_by", "enum", ("nodes", "parents", "none"), default="nodes")

APIS: Final[Mapping[str, ApiParams]] = {
    "info": ApiParams("info", ()),
    "nodes.info": ApiParams("nodes.info", ()),
    # RestListTasksAction.generateListTasksRequest, then group_by in prepareRequest
    "tasks.list": ApiParams(
        "tasks.list",
        (
            Param("detailed", "boolean", default="false"),
            Param("nodes", "list"),
            Param("actions", "list"),
            Param("parent_task_id", "task_id"),
            Param("wait_for_completion", "boolean", default="false"),
            Param("timeout", "time"),
            _GROUP_BY,
        ),
    ),
    # RestGetTaskAction
    "tasks.get": ApiParams(
        "tasks.get",
        (
            Param("task_id", "task_id", in_path=True),
            Param("wait_for_completion", "boolean", default="false"),
            Param("timeout", "time"),
        ),
    ),
    # RestCancelTasksAction (task_id only on POST /_tasks/{task_id}/_cancel)
    "tasks.cancel": ApiParams(
        "tasks.cancel",
        (
            Param("nodes", "list"),
            Param("task_id", "task_id", in_path=True),
            Param("actions", "list"),
            Param("parent_task_id", "task_id"),
            _GROUP_BY,
            Param("wait_for_completion", "boolean", default="false"),
        ),
    ),
}


@dataclass(frozen=True)
class Deviation:
    """A place where the server and a document about it disagree; the server is right.

    `kind`: "undocumented" (the server reads it, the document lacks it), "rejected" (documented,
    but the server refuses it as unrecognized) or "value" (a documented value the server refuses).
    """

    api: str
    param: str
    kind: Literal["undocumented", "rejected", "value"]
    source: str  # which document
    what: str


DEVIATIONS: Final = (
    Deviation(
        "tasks.cancel",
        "group_by",
        "undocumented",
        "rest-api-spec tasks.cancel.json, OpenAPI",
        "undocumented, but RestCancelTasksAction reads it (default nodes) and checks it like list",
    ),
    Deviation(
        "tasks.list",
        "master_timeout",
        "rejected",
        "Python client TasksClient.list, reference docs 8.9 (seeds)",
        "documented, but no tasks handler reads it: the server answers 400 unrecognized parameter",
    ),
    Deviation(
        "tasks.list",
        "parent_task_id",
        "value",
        "rest-api-spec tasks.list.json, OpenAPI",
        "'set to -1 to return all', but -1 has no ':' and the server answers 400 malformed task id;"
        " 'unset' or no value returns all",
    ),
    Deviation(
        "tasks.cancel",
        "parent_task_id",
        "value",
        "rest-api-spec tasks.cancel.json",
        "'set to -1 to cancel all': same as list, -1 is a malformed task id (400)",
    ),
    Deviation(
        "tasks.get",
        "follow_relocations",
        "rejected",
        "Python client 9.x TasksClient.get, specification repo",
        "private 9.5+ parameter; the 9.1 server the fake models rejects it (400 unrecognized)",
    ),
    Deviation(
        "nodes.info",
        "*",
        "rejected",
        "fake only",
        "the fake serves GET /_nodes without parameters (ES reads flat_settings, timeout, ...):"
        " any parameter is refused as unrecognized",
    ),
)

_BOOLEAN_ERROR = "Failed to parse value [{value}] as only [true] or [false] are allowed."
_LONG = re.compile(r"[+-]?[0-9]+")
_LONG_RANGE = range(-(2**63), 2**63)


def problem(param: Param, value: str) -> str | None:
    """Why the server refuses `value` for `param` (in short), or None if it accepts it.

    Booleans: empty is true, whitespace is the default, else only `true`/`false`. Times: `-1`,
    `0`, or a whole number (not negative, except -1) with a unit `nanos`, `micros`, `ms`, `s`,
    `m`, `h`, `d` (any case but `m`). Enums: one of the options. Task ids: `node:<long>`, or
    `unset`/empty for none. Lists and strings: anything.
    """
    if param.type == "boolean":
        if value in ("", "true", "false") or not value.strip():
            return None
        return _BOOLEAN_ERROR.format(value=value)
    if param.type == "time":
        return None if _is_time(value) else f"[{param.name}] is no time value: [{value}]"
    if param.type == "enum":
        if value in param.options:
            return None
        return f"[{param.name}] must be one of {list(param.options)}, not [{value}]"
    if param.type == "task_id":
        if value in ("", "unset"):
            return None
        _, sep, number = value.partition(":")
        if sep and number.isascii() and _LONG.fullmatch(number) and int(number) in _LONG_RANGE:
            return None
        return f"malformed task id {value}"
    return None


def _is_time(value: str) -> bool:
    """`TimeValue.parseTimeValue` accepts it (units matched lower-cased, except `m`)."""
    normalized = value.lower().strip()
    suffix = next((s for s in ("nanos", "micros", "ms", "s") if normalized.endswith(s)), None)
    if suffix is None and value.endswith("m"):
        suffix = "m"
    if suffix is None and normalized.endswith(("h", "d")):
        suffix = normalized[-1]
    if suffix is None:
        return re.fullmatch(r"-0*1|0+", normalized) is not None
    number = normalized[: -len(suffix)].strip()
    if not number.isascii() or _LONG.fullmatch(number) is None:
        return False
    amount = int(number)
    return amount in _LONG_RANGE and (amount >= 0 or amount == -1)


def problems(api: str, values: Mapping[str, str]) -> list[str]:
    """Every reason the server refuses these query and path values for `api`.

    Unknown names, values the parameter's type refuses, and the request checks that follow
    (a get needs a task id; a cancel takes a task id or node ids, not both). Not the server's
    exact messages, and not only the first: use it to tell valid requests from invalid ones.
    """
    spec = APIS[api]
    out = []
    for name, value in values.items():
        param = spec.param(name)
        if param is None:
            out.append(f"unrecognized parameter [{name}]")
            continue
        reason = problem(param, value)
        if reason is not None:
            out.append(reason)
    if out:
        return out
    task_id = values.get("task_id", "")
    unset = task_id in ("", "unset") or task_id.endswith(":-1")
    if api == "tasks.get" and unset:
        out.append("task id is required")
    if api == "tasks.cancel" and not unset and values.get("nodes"):
        out.append("task id cannot be used together with node ids")
    return out
