"""Requests as faults and the journal see them (`Incoming`), and selectors over them (`Match`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from fake_tasks.cluster.matching import simple_match
from fake_tasks.errors import FakeTasksError
from fake_tasks.spec import APIS

__all__ = ["Incoming", "Match", "non_default_fields"]


@dataclass(frozen=True)
class Incoming:
    """One request as faults and the journal see it: plain values, no HTTP objects.

    `params` holds the query parameters (the last value wins, as in ES) and the path parameters;
    `api` and `route` are the fake's route for the request (None: no route matched), and `near`
    the closest routes (`METHOD /template`) when none matched.
    """

    method: str
    path: str
    query: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    api: str | None = None
    route: str | None = None
    near: tuple[str, ...] = ()

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def task_id(self) -> str | None:
        """The `{task_id}` path parameter, if the route has one."""
        if self.route is None or "{task_id}" not in self.route:
            return None
        return self.params.get("task_id")

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f"?{self.query}" if self.query else "")


@dataclass(frozen=True)
class Match:
    """Which requests a fault or a journal query is about; unset fields match anything.

    `api` is an ES API name (`"tasks.get"`, `"tasks.*"`); `path` is a literal path, a `*` glob
    (`"/_tasks/*"`) or a route template (`"/_tasks/{task_id}"`, `{x}` matching one segment);
    `params` and `headers` values may use `*`; header names are case-insensitive.
    """

    method: str | None = None
    api: str | None = None
    path: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    opaque_id: str | None = None

    def __post_init__(self) -> None:
        known = sorted(APIS)
        if self.api is not None and not any(simple_match(self.api, api) for api in known):
            raise FakeTasksError(f"no API matches {self.api!r}; the fake serves {known}")

    def matches(self, request: Incoming) -> bool:
        if self.method is not None and self.method.upper() != request.method.upper():
            return False
        if self.api is not None and (
            request.api is None or not simple_match(self.api, request.api)
        ):
            return False
        if self.path is not None and not _path_matches(self.path, request):
            return False
        for name, pattern in self.params.items():
            value = request.params.get(name)
            if value is None or not simple_match(pattern, value):
                return False
        wanted = dict(self.headers)
        if self.opaque_id is not None:
            wanted["X-Opaque-Id"] = self.opaque_id
        for name, pattern in wanted.items():
            value = request.header(name)
            if value is None or not simple_match(pattern, value):
                return False
        return True

    def __repr__(self) -> str:
        return f"Match({non_default_fields(self)})"


def _path_matches(pattern: str, request: Incoming) -> bool:
    if "{" in pattern:
        if pattern == request.route:
            return True
        want = [s for s in pattern.split("/") if s]
        have = [s for s in request.path.split("/") if s]
        pairs = zip(want, have, strict=False)
        return len(want) == len(have) and all(w == h or w.startswith("{") for w, h in pairs)
    return simple_match(pattern, request.path)


def non_default_fields(value: Any) -> str:
    """`name=value` for the dataclass fields that differ from their defaults."""
    parts = []
    for f in fields(value):
        current = getattr(value, f.name)
        default = f.default_factory() if callable(f.default_factory) else f.default
        if current != default:
            parts.append(f"{f.name}={current!r}")
    return ", ".join(parts)
