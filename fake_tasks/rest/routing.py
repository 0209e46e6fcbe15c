"""Routes as values: a method and a path template bound to a handler; finding one for a request."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from fake_tasks.cluster.model import Cluster
from fake_tasks.rest.params import Params, similarity
from fake_tasks.scripting.security import Subject


@dataclass
class Call:
    """One request as a handler sees it: no HTTP objects, just what ES reads from it."""

    cluster: Cluster
    method: str
    path: str
    params: Params
    task_headers: Mapping[str, str] = field(default_factory=dict)
    human: bool = False
    stack_trace: bool = False
    body: bytes = b""
    accept: str | None = None
    subject: Subject | None = None  # who the request authenticated as (security on)


class PlainText(str):
    """A `text/plain` answer (`_cat` tables, hot threads): sent as is, outside the contracts."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    pretty_by_default: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)


Run = Callable[[], Reply]
Prepare = Callable[[Call], Run]


@dataclass(frozen=True)
class Route:
    """A method and path template (`{name}` matches one segment) with its handler."""

    method: str
    path: str
    api: str
    prepare: Prepare

    @functools.cached_property
    def template(self) -> tuple[str, ...]:
        """The path's segments (`{name}` for a placeholder), split once."""
        return tuple(s for s in self.path.split("/") if s)

    def match(self, segments: list[str]) -> dict[str, str] | None:
        """The `{param}` values (decoded) if the raw `segments` fit this template."""
        template = self.template
        if len(template) != len(segments):
            return None
        found: dict[str, str] = {}
        for part, value in zip(template, segments, strict=True):
            if part.startswith("{") and part.endswith("}"):
                decoded = unquote(value, errors="replace")
                if part == "{index}" and decoded.startswith("_") and decoded != "_all":
                    return None  # an API name the fake lacks: "no handler found", not an index
                found[part[1:-1]] = decoded
            elif part != value:
                return None
        return found

    @functools.cached_property
    def specificity(self) -> tuple[int, ...]:
        """Static segments win over `{params}` at the same position, as in ES's path trie."""
        return tuple(int(s.startswith("{")) for s in self.template)


_CLOSE_SEGMENT = 0.7  # Levenshtein similarity of a typo'd path word: `_task` for `_tasks`

METHOD_ORDER = ("GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT")


@dataclass(frozen=True)
class Match:
    route: Route | None
    path_params: dict[str, str]
    allowed: tuple[str, ...]


class RouteTable:
    """Routes indexed by segment count and first segment: a path is matched only against the
    routes that can fit it (same length; the same first word, or a `{param}` there)."""

    def __init__(self, routes: tuple[Route, ...]) -> None:
        self.routes = routes
        self._open: dict[int, tuple[Route, ...]] = {}  # by length: routes with `{param}` first
        self._fixed: dict[tuple[int, str], tuple[Route, ...]] = {}  # by length and first word
        keys = {(len(r.template), _first(r)) for r in routes}
        for length, first in keys:
            fits = tuple(
                r for r in routes if len(r.template) == length and _first(r) in (first, "{")
            )
            if first == "{":
                self._open[length] = fits
            else:
                self._fixed[(length, first)] = fits

    def candidates(self, segments: list[str]) -> tuple[Route, ...]:
        """The routes that may fit `segments`, in table order."""
        first = segments[0] if segments else ""
        found = self._fixed.get((len(segments), first))
        return found if found is not None else self._open.get(len(segments), ())


def _first(route: Route) -> str:
    """The route's first word, `{` for a placeholder, "" for the root."""
    first = route.template[0] if route.template else ""
    return "{" if first.startswith("{") else first


def find_route(method: str, path: str, routes: RouteTable) -> Match:
    """The route for a request, or the methods the path allows (empty: no such path)."""
    segments = [s for s in path.split("/") if s]
    candidates = sorted(
        (
            (r, found)
            for r in routes.candidates(segments)
            if (found := r.match(segments)) is not None
        ),
        key=lambda rf: rf[0].specificity,
    )
    allowed = tuple(m for m in METHOD_ORDER if any(r.method == m for r, _ in candidates))
    for route, found in candidates:
        if route.method == method:
            return Match(route, found, allowed)
    return Match(None, {}, allowed)


def _score(a: str, b: str) -> float:
    """`similarity`, skipped (0) where the lengths alone keep it under the threshold: the
    distance is at least the length difference, and the comparison is quadratic."""
    short, long_ = sorted((len(a), len(b)))
    return similarity(a, b) if short >= _CLOSE_SEGMENT * long_ else 0.0


def near_misses(
    method: str, path: str, routes: tuple[Route, ...], limit: int = 2
) -> tuple[str, ...]:
    """Routes a request probably meant, as `METHOD /template`, best first; often none.

    A route is close when it has as many segments as the path and each of its fixed words is the
    path's word or a near typo of it (`/_task/x` for `/_tasks/{task_id}`); a route that only
    differs by method is closest, and a runner-up must score at least half the best.
    `GET /_ingest/pipeline/x` is close to no route the fake has.
    """
    have = [s for s in path.split("/") if s]
    scored: list[tuple[float, int, str]] = []
    for order, route in enumerate(routes):
        template = route.template
        if len(template) != len(have):
            continue
        fixed = [(t, h) for t, h in zip(template, have, strict=True) if not t.startswith("{")]
        if template and not fixed:
            continue  # all placeholders: every path of this length would be "close"
        filled = [h if t.startswith("{") else t for t, h in zip(template, have, strict=True)]
        if route.match(filled) is None:
            continue  # a placeholder refuses the value: `/{index}` never takes an `_api` name
        closeness = [1.0 if t == h else _score(t, h) for t, h in fixed]
        if any(c < _CLOSE_SEGMENT for c in closeness):
            continue
        score = sum(closeness) + (len(closeness) + 1) * (route.method == method)
        scored.append((-score, order, f"{route.method} {route.path}"))
    ranked = sorted(scored)[:limit]
    return tuple(name for score, _, name in ranked if score <= ranked[0][0] / 2)
