"""API definition building blocks: parameters, their types, and the values the server refuses."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from fake_tasks.spec.javanum import JAVA_TRIM, java_int_in_range

__all__ = [
    "COMMON",
    "ApiSpec",
    "Deviation",
    "Endpoint",
    "Param",
    "ParamType",
    "RequestCheck",
    "problem",
]

ParamType = Literal["boolean", "time", "list", "string", "enum", "task_id", "int"]
"""How the server parses a value. `task_id` is a string parsed as `node:id` (`TaskId`)."""


@dataclass(frozen=True)
class Param:
    """One request parameter: its name, how it is parsed, and where it comes from."""

    name: str
    type: ParamType
    options: tuple[str, ...] = ()  # enum values
    default: str | None = None
    in_path: bool = False


Endpoint = tuple[str, str]
"""A method and a path template (`{name}` matches one segment): `("GET", "/_tasks/{task_id}")`."""

RequestCheck = Callable[[Mapping[str, str]], "str | None"]
"""A check on the raw query and path values that follows the parameter types (None: passes)."""


@dataclass(frozen=True)
class ApiSpec:
    """One API: its name, the endpoints that serve it, and the parameters it reads in read order.

    The handlers read their parameters through this table (`rest.params.Params.read`), so the
    table is what validates a request and what feeds the handler, in the server's order (which
    decides the error a request with several bad values gets). `checks` state, in short, the
    request validations that follow (used by `problems`). `body`: whether the API reads a
    request body; one sent to an API that reads none is refused, as the server does.
    """

    name: str
    endpoints: tuple[Endpoint, ...]
    params: tuple[Param, ...] = ()
    checks: tuple[RequestCheck, ...] = ()
    body: Literal["none", "optional", "required"] = "none"

    @property
    def api(self) -> str:
        return self.name

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


_BOOLEAN_ERROR = "Failed to parse value [{value}] as only [true] or [false] are allowed."


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
    if param.type == "int":
        if java_int_in_range(value, -(2**31), 2**31 - 1) is not None:
            return None
        return f"Failed to parse int parameter [{param.name}] with value [{value}]"
    if param.type == "task_id":
        if value in ("", "unset"):
            return None
        _, sep, number = value.partition(":")
        if sep and java_int_in_range(number) is not None:
            return None
        return f"malformed task id {value}"
    return None


def _is_time(value: str) -> bool:
    """`TimeValue.parseTimeValue` accepts it (units matched lower-cased, except `m`)."""
    normalized = value.lower().strip(JAVA_TRIM)
    suffix = next((s for s in ("nanos", "micros", "ms", "s") if normalized.endswith(s)), None)
    if suffix is None and value.endswith("m"):
        suffix = "m"
    if suffix is None and normalized.endswith(("h", "d")):
        suffix = normalized[-1]
    if suffix is None:
        return re.fullmatch(r"-0*1|0+", normalized) is not None
    amount = java_int_in_range(normalized[: -len(suffix)].strip(JAVA_TRIM))
    return amount is not None and amount >= -1 and not (suffix == "d" and amount > 106751)
