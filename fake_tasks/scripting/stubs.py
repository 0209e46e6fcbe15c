"""Stubs: canned answers for requests the fake does not model (or deliberately overrides)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.errors import FakeTasksError
from fake_tasks.scripting.requests import Incoming, Match
from fake_tasks.spec import APIS

__all__ = ["Answer", "Stub", "StubHit", "Stubs", "modelled_routes"]

PRODUCT_HEADER = ("X-elastic-product", "Elasticsearch")


@dataclass(frozen=True)
class Answer:
    """One canned response: a JSON value (`json`) or raw bytes (`body`), a status and headers.

    Elasticsearch sends `X-elastic-product: Elasticsearch` with every answer and the official
    clients refuse a 2xx without it, so it is added unless `headers` names it.
    """

    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None

    def __post_init__(self) -> None:
        if not 100 <= self.status <= 599:
            raise FakeTasksError(f"a stub's status must be 100-599, got {self.status}")
        if self.json is not None and self.body is not None:
            raise FakeTasksError("give a stub answer `json` or `body`, not both")
        if self.json is not None:
            json.dumps(self.json)  # refuse what cannot be sent now, not at request time

    def data(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.json is None:
            return b""
        return json.dumps(self.json, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def header_list(self) -> list[tuple[str, str]]:
        out = list(self.headers.items())
        names = {name.lower() for name, _ in out}
        if PRODUCT_HEADER[0].lower() not in names:
            out.insert(0, PRODUCT_HEADER)
        if "content-type" not in names:
            kind = self.content_type
            if kind is None:
                kind = "application/json" if self.body is None else "text/plain; charset=UTF-8"
            out.append(("content-type", kind))
        return out


@dataclass(frozen=True, repr=False)
class Stub:
    """Answers for the requests `match` selects: the i-th matching request gets `answers[i]`.

    `times` None answers forever (a sequence of several answers: once each, or over and over
    with `cycle`). A stub answers requests for routes the fake models only when `override` is
    set; without it, a `*` pattern answers just the requests the model does not serve.
    """

    id: int
    answers: tuple[Answer, ...]
    match: Match
    times: int | None = None
    override: bool = False
    name: str | None = None

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        extra = "" if self.times is None else f", times={self.times}"
        extra += ", override=True" if self.override else ""
        statuses = ", ".join(str(a.status) for a in self.answers)
        return f"Stub(#{self.id}{label} [{statuses}] for {self.match!r}{extra})"


@dataclass(frozen=True)
class StubHit:
    """The answer one request gets, and from which stub."""

    stub: Stub
    answer: Answer


def modelled_routes(method: str | None, path: str) -> list[str]:
    """The modelled routes (`METHOD /template`) a stub's method and path could answer for:
    a route whose template matches the path itself, or whose path (its `{params}` filled in)
    the stub's pattern matches."""
    found: list[str] = []
    literal: dict[str, list[tuple[tuple[bool, ...], str]]] = {}
    wanted = [s for s in path.split("/") if s]
    for api in APIS.values():
        for route_method, template in api.endpoints:
            if method is not None and method.upper() != route_method:
                continue
            parts = [s for s in template.split("/") if s]
            sample = "/" + "/".join("x" if p.startswith("{") else p for p in parts)
            if len(parts) == len(wanted) and all(
                p.startswith("{") or p == w for p, w in zip(parts, wanted, strict=True)
            ):
                rank = tuple(p.startswith("{") for p in parts)  # a literal segment wins
                literal.setdefault(route_method, []).append((rank, template))
            elif Match(path=path).matches(Incoming(route_method, sample, route=template)):
                found.append(f"{route_method} {template}")
    for route_method, matches in literal.items():
        found.append(f"{route_method} {min(matches)[1]}")
    return sorted(set(found))


class Stubs:
    """The stubs of one fake; the first registered stub that matches a request answers it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stubs: list[Stub] = []
        self._hits: dict[int, int] = {}
        self._next_id = 1

    def add(
        self,
        answers: Answer | Sequence[Answer],
        match: Match,
        *,
        times: int | None = None,
        cycle: bool = False,
        override: bool = False,
        name: str | None = None,
    ) -> Stub:
        steps = (answers,) if isinstance(answers, Answer) else tuple(answers)
        if not steps or not all(isinstance(a, Answer) for a in steps):
            raise FakeTasksError(f"a stub needs an answer or a non-empty list, got {answers!r}")
        if times is not None and times < 1:
            raise FakeTasksError(f"times must be at least 1, got {times}")
        if match.api is not None and not override:
            raise FakeTasksError(
                f"a stub for api={match.api!r} answers a modelled route; pass override=True"
            )
        if match.path is None:
            raise FakeTasksError("a stub needs a path (a literal path, a * glob or a template)")
        shadowed = modelled_routes(match.method, match.path)
        if shadowed and not override and "*" not in match.path:
            raise FakeTasksError(
                f"a stub for {match.method or '*'} {match.path} would never answer: the fake "
                f"models {', '.join(shadowed)}; pass override=True to replace the model's answer"
            )
        if times is None and len(steps) > 1 and not cycle:
            times = len(steps)
        with self._lock:
            stub = Stub(self._next_id, steps, match, times, override, name)
            self._next_id += 1
            self._stubs.append(stub)
            self._hits[stub.id] = 0
            return stub

    def decide(self, request: Incoming) -> StubHit | None:
        """The answer for `request`: the first live stub that matches it (and counts it)."""
        with self._lock:
            for stub in self._stubs:
                used = self._hits[stub.id]
                if stub.times is not None and used >= stub.times:
                    continue
                if request.route is not None and not stub.override:
                    continue
                if not stub.match.matches(request):
                    continue
                self._hits[stub.id] = used + 1
                return StubHit(stub, stub.answers[used % len(stub.answers)])
        return None

    def get(self, stub_id: int) -> Stub:
        with self._lock:
            found = next((s for s in self._stubs if s.id == stub_id), None)
        if found is None:
            raise FakeTasksError(f"no stub #{stub_id}")
        return found

    def remove(self, stub: Stub | int) -> None:
        stub_id = stub if isinstance(stub, int) else stub.id
        with self._lock:
            for index, each in enumerate(self._stubs):
                if each.id == stub_id:
                    del self._stubs[index]
                    return
        raise FakeTasksError(f"no stub #{stub_id}")

    def clear(self) -> None:
        with self._lock:
            self._stubs.clear()
            self._hits.clear()
            self._next_id = 1

    def hits(self, stub: Stub | int) -> int:
        """How many requests a stub has answered."""
        with self._lock:
            return self._hits.get(stub if isinstance(stub, int) else stub.id, 0)

    def unused(self) -> list[Stub]:
        """Stubs no request has reached yet."""
        with self._lock:
            return [s for s in self._stubs if self._hits[s.id] == 0]

    def pending(self) -> list[Stub]:
        """Stubs with a `times` limit that have answers left to give."""
        with self._lock:
            return [s for s in self._stubs if s.times is not None and self._hits[s.id] < s.times]

    def assert_all_used(self) -> None:
        """Fail if a stub was never reached, or a limited one has answers left."""
        __tracebackhide__ = True
        left = {s.id: s for s in [*self.unused(), *self.pending()]}
        if left:
            lines = "\n".join(f"  {s!r}: answered {self.hits(s)}" for s in left.values())
            raise AssertionError(f"{len(left)} stub(s) not used up:\n{lines}")

    @property
    def stubs(self) -> list[Stub]:
        with self._lock:
            return list(self._stubs)

    def __iter__(self) -> Iterator[Stub]:
        return iter(self.stubs)

    def __len__(self) -> int:
        return len(self.stubs)

    def __repr__(self) -> str:
        items = self.stubs
        if not items:
            return "Stubs()"
        return "Stubs(\n" + "".join(f"  {s!r},\n" for s in items) + ")"
