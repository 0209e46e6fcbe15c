"""The request journal: every exchange the fake had, selectors for requests, and assertions."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from fake_tasks.errors import FakeTasksError
from fake_tasks.matching import simple_match
from fake_tasks.params import similarity
from fake_tasks.routes import ROUTES

if TYPE_CHECKING:
    from fake_tasks.faults import Fault, Rule

DEFAULT_MAX_ENTRIES = 10_000
_NEAR_MISS_MIN = 0.5
_NEAR_MISS_SPREAD = 0.1  # a second suggestion must be about as close as the best


@dataclass(frozen=True)
class Incoming:
    """One request as faults and the journal see it: plain values, no HTTP objects.

    `params` holds the query parameters (the last value wins, as in ES) and the path parameters;
    `api` and `route` are the fake's route for the request (None: no route matched).
    """

    method: str
    path: str
    query: str = ""
    params: Mapping[str, str] = field(default_factory=dict)
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    api: str | None = None
    route: str | None = None

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
        known = sorted({route.api for route in ROUTES})
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


@dataclass(frozen=True)
class Ticket:
    """Which journal entry a request in progress will complete."""

    generation: int
    seq: int


@dataclass(frozen=True)
class Exchange:
    """One request and what the fake did with it.

    Recorded on arrival: `answered` stays False until the fake has answered (a delayed request
    is visible while it waits). `status` is None when no HTTP response was sent (the connection
    was reset or closed, or no answer yet); `body` is the bytes the client was sent (cut short for
    a truncated body). Times are cluster-clock nanoseconds; `fault` is the scripted fault applied.
    """

    seq: int
    request: Incoming
    status: int | None
    headers: tuple[tuple[str, str], ...]
    body: bytes
    started_ns: int
    finished_ns: int
    fault: Fault | None = None
    rule: Rule | None = None
    answered: bool = True

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def api(self) -> str | None:
        return self.request.api

    @property
    def params(self) -> Mapping[str, str]:
        return self.request.params

    @property
    def duration_ns(self) -> int:
        return self.finished_ns - self.started_ns

    @property
    def unexpected(self) -> bool:
        """No route of the fake matched and no fault answered instead (OPTIONS always answers)."""
        return self.request.route is None and self.fault is None and self.method != "OPTIONS"

    def json(self) -> Any:
        """The response body parsed as JSON (None if empty or not JSON)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def __str__(self) -> str:
        if not self.answered:
            answer = "(not answered yet)"
        else:
            answer = "no response" if self.status is None else str(self.status)
        fault = f"  [fault {self.fault!r}]" if self.fault is not None else ""
        return f"{self.request} -> {answer}{fault}"


class Journal:
    """Every exchange, oldest first (the oldest are dropped past `max_entries`), and assertions.

    Query methods take a `Match` or the same criteria as keywords (`api="tasks.get"`,
    `method=`, `path=`, `params=`, `headers=`, `opaque_id=`) plus `status=`.
    """

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._entries: deque[Exchange] = deque(maxlen=max_entries)
        self._lock = threading.Lock()
        self._generation = 0
        self._seq = 0

    # -- recording -----------------------------------------------------------------------------

    def begin(
        self,
        request: Incoming,
        started_ns: int,
        *,
        fault: Fault | None = None,
        rule: Rule | None = None,
    ) -> Ticket:
        """Record a request as it arrives (answer pending); `finish` completes the entry."""
        with self._lock:
            self._seq += 1
            pending = Exchange(
                self._seq, request, None, (), b"", started_ns, started_ns, fault, rule, False
            )
            self._entries.append(pending)
            return Ticket(self._generation, self._seq)

    def finish(
        self,
        ticket: Ticket,
        *,
        status: int | None,
        headers: tuple[tuple[str, str], ...],
        body: bytes,
        finished_ns: int,
    ) -> Exchange | None:
        """Complete the entry `begin` made; None if the journal was cleared (or it was dropped)."""
        with self._lock:
            if ticket.generation != self._generation:
                return None  # a request from before the last reset, finishing late
            for index in range(len(self._entries) - 1, -1, -1):
                pending = self._entries[index]
                if pending.seq == ticket.seq:
                    done = dataclasses.replace(
                        pending,
                        status=status,
                        headers=headers,
                        body=body,
                        finished_ns=finished_ns,
                        answered=True,
                    )
                    self._entries[index] = done
                    return done
                if pending.seq < ticket.seq:
                    break
            return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
            self._seq = 0

    # -- queries -------------------------------------------------------------------------------

    @property
    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._entries)

    def __iter__(self) -> Iterator[Exchange]:
        return iter(self.exchanges)

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index: int) -> Exchange:
        return self.exchanges[index]

    def find(
        self, match: Match | None = None, /, *, status: int | None = None, **criteria: Any
    ) -> list[Exchange]:
        """The exchanges whose request matches (and whose response has `status`, if given)."""
        selector = _selector(match, criteria)
        return [
            e
            for e in self.exchanges
            if selector.matches(e.request) and (status is None or e.status == status)
        ]

    def count(self, match: Match | None = None, /, **criteria: Any) -> int:
        return len(self.find(match, **criteria))

    def last(self, match: Match | None = None, /, **criteria: Any) -> Exchange | None:
        found = self.find(match, **criteria)
        return found[-1] if found else None

    def unexpected(self) -> list[Exchange]:
        """Requests no route matched (ES answered `no handler found` 400 or 405)."""
        return [e for e in self.exchanges if e.unexpected]

    # -- assertions ----------------------------------------------------------------------------

    def assert_called(
        self,
        match: Match | None = None,
        /,
        *,
        times: int | None = None,
        status: int | None = None,
        **criteria: Any,
    ) -> list[Exchange]:
        """Assert matching requests were made: at least once, or exactly `times` times."""
        __tracebackhide__ = True
        selector = _selector(match, criteria)
        found = self.find(selector, status=status)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = "at least once" if times is None else f"{times} time(s)"
        what = _describe(selector, status)
        raise AssertionError(f"expected {what} {wanted}, got {len(found)}.\n{self._listing(found)}")

    def assert_not_called(
        self, match: Match | None = None, /, *, status: int | None = None, **criteria: Any
    ) -> None:
        __tracebackhide__ = True
        selector = _selector(match, criteria)
        found = self.find(selector, status=status)
        if found:
            what = _describe(selector, status)
            raise AssertionError(
                f"expected no {what}, got {len(found)}:\n"
                + "\n".join(f"  {e.seq}. {e}" for e in found)
            )

    def assert_order(self, *steps: str | Match) -> None:
        """Assert requests matching `steps` (API names or `Match`es) came in this order.

        Other requests may come in between: the steps must be a subsequence of the journal.
        """
        __tracebackhide__ = True
        selectors = [Match(api=s) if isinstance(s, str) else s for s in steps]
        entries = self.exchanges
        position = 0
        for index, selector in enumerate(selectors):
            while position < len(entries) and not selector.matches(entries[position].request):
                position += 1
            if position == len(entries):
                done = ", ".join(_describe(s, None) for s in selectors[:index]) or "nothing"
                raise AssertionError(
                    f"expected {_describe(selector, None)} after [{done}], found none.\n"
                    + self._listing([])
                )
            position += 1

    def unexpected_report(self) -> str | None:
        """A readable report of the unexpected requests, with the nearest routes; None if none."""
        found = self.unexpected()
        if not found:
            return None
        lines = [f"fake-tasks: {len(found)} request(s) matched no route of the fake:"]
        for exchange in found:
            lines.append(f"  {exchange}")
            near = near_misses(exchange.request)
            if near:
                lines.append(f"      did you mean {' or '.join(near)}?")
        known = ", ".join(f"{r.method} {r.path}" for r in ROUTES)
        lines.append(f"The fake serves: {known}.")
        return "\n".join(lines)

    def _listing(self, found: list[Exchange]) -> str:
        entries = self.exchanges
        if not entries:
            return "No requests were made."
        marked = {e.seq for e in found}
        shown = entries[-30:]
        lines = [f"Requests made ({len(entries)}{', last 30' if len(entries) > 30 else ''}):"]
        lines += [f"  {'*' if e.seq in marked else ' '}{e.seq}. {e}" for e in shown]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Journal({len(self)} exchanges)"


def _selector(match: Match | None, criteria: Mapping[str, Any]) -> Match:
    if match is not None and criteria:
        raise TypeError("give either a Match or keyword criteria, not both")
    return match if match is not None else Match(**criteria)


def _describe(selector: Match, status: int | None) -> str:
    text = f"requests {selector!r}"
    return text + (f" answered {status}" if status is not None else "")


def near_misses(request: Incoming, limit: int = 2) -> list[str]:
    """The routes closest to a request, as `METHOD /template`, best first."""
    said = f"{request.method} {request.path}"
    have = [s for s in request.path.split("/") if s]
    scored = []
    for route in ROUTES:
        template = [s for s in route.path.split("/") if s]
        filled = [
            have[i] if s.startswith("{") and i < len(have) else s for i, s in enumerate(template)
        ]
        score = similarity(said, f"{route.method} /{'/'.join(filled)}")
        scored.append((score, f"{route.method} {route.path}"))
    scored.sort(key=lambda sc: -sc[0])
    best = scored[0][0]
    return [
        name
        for score, name in scored[:limit]
        if score >= _NEAR_MISS_MIN and score >= best - _NEAR_MISS_SPREAD
    ]
