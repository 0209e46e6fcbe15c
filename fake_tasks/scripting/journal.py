"""The request journal: every exchange the fake had, queries over it, and assertions."""

from __future__ import annotations

import dataclasses
import json
import threading
import warnings
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fake_tasks.scripting.faults import Fault, Rule
from fake_tasks.scripting.requests import Incoming, Match
from fake_tasks.scripting.stubs import Stub
from fake_tasks.spec import APIS

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# What an exchange holds besides its text and bodies (the objects themselves), roughly.
ENTRY_OVERHEAD = 600


@dataclass(frozen=True)
class Ticket:
    """Which journal entry a request in progress will complete."""

    generation: int
    seq: int


@dataclass(frozen=True)
class Exchange:
    """One request and what the fake did with it.

    Recorded on arrival: `answered` stays False until the fake has answered (a delayed request
    is visible while it waits). The request's side is `request` (and `request_headers`,
    `request_body`); the answer's is `status`, `response_headers` and `response_body`. `status`
    is None when no HTTP response was sent (the connection was reset or closed, or no answer
    yet); `response_body` is the bytes the client was sent (cut short for a truncated body).
    Times are cluster-clock nanoseconds; `fault` is the scripted fault applied.
    `body_dropped` is True when the exchange alone was larger than the journal's byte bound:
    it is kept without its request and response bodies (`response_body` is then empty).
    """

    seq: int
    request: Incoming
    status: int | None
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes
    started_ns: int
    finished_ns: int
    fault: Fault | None = None
    rule: Rule | None = None
    answered: bool = True
    body_dropped: bool = False
    stub: Stub | None = None

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
    def request_headers(self) -> tuple[tuple[str, str], ...]:
        """The request's header lines as sent (`request.header(name)` reads one by name)."""
        return self.request.headers

    @property
    def request_body(self) -> bytes:
        return self.request.body

    def request_header(self, name: str) -> str | None:
        """The first value of a request header, by case-insensitive name."""
        return self.request.header(name)

    def response_header(self, name: str) -> str | None:
        """The first value of a response header, by case-insensitive name."""
        wanted = name.lower()
        return next((v for k, v in self.response_headers if k.lower() == wanted), None)

    @property
    def headers(self) -> tuple[tuple[str, str], ...]:
        """Deprecated: the *response* headers; say `response_headers` (or `request_headers`)."""
        _deprecated("headers", "response_headers")
        return self.response_headers

    @property
    def body(self) -> bytes:
        """Deprecated: the *response* body; say `response_body` (or `request_body`)."""
        _deprecated("body", "response_body")
        return self.response_body

    @property
    def duration_ns(self) -> int:
        return self.finished_ns - self.started_ns

    @property
    def unexpected(self) -> bool:
        """No route of the fake matched and no fault or stub answered instead (OPTIONS always
        answers)."""
        return (
            self.request.route is None
            and self.fault is None
            and self.stub is None
            and self.method != "OPTIONS"
        )

    def json(self) -> Any:
        """The response body parsed as JSON (None if empty or not JSON)."""
        try:
            return json.loads(self.response_body) if self.response_body else None
        except ValueError:
            return None

    def __str__(self) -> str:
        if not self.answered:
            answer = "(not answered yet)"
        else:
            answer = "no response" if self.status is None else str(self.status)
        fault = f"  [fault {self.fault!r}]" if self.fault is not None else ""
        stub = f"  [stub #{self.stub.id}]" if self.stub is not None else ""
        return f"{self.request} -> {answer}{fault}{stub}"


def exchange_size(exchange: Exchange) -> int:
    """About how many bytes of memory an exchange holds: its bodies, texts and objects."""
    request = exchange.request
    size = ENTRY_OVERHEAD + len(request.path) + len(request.query)
    size += len(request.body) + len(exchange.response_body)
    size += sum(len(k) + len(v) for k, v in request.params.items())
    size += sum(len(k) + len(v) for k, v in request.headers)
    return size + sum(len(k) + len(v) for k, v in exchange.response_headers)


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"Exchange.{old} is deprecated: it is the response's; use Exchange.{new} "
        f"(or Exchange.request_{old} for the request's)",
        DeprecationWarning,
        stacklevel=3,
    )


class Journal:
    """The latest exchanges, oldest first, and assertions over them.

    Bounded twice: past `max_entries` exchanges or `max_bytes` bytes (`exchange_size`) the
    oldest are dropped (`dropped` counts them); an exchange larger than `max_bytes` alone is
    kept without its bodies (`Exchange.body_dropped`). `limit()` changes the bounds.

    Query methods take a `Match` or the same criteria as keywords (`api="tasks.get"`,
    `method=`, `path=`, `params=`, `headers=`, `opaque_id=`) plus `status=`.
    """

    def __init__(
        self, max_entries: int = DEFAULT_MAX_ENTRIES, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self._entries: deque[Exchange] = deque()
        self._lock = threading.Lock()
        self._generation = 0
        self._seq = 0
        self._bytes = 0
        self.dropped = 0
        self.max_entries = self.max_bytes = 0
        self.limit(max_entries=max_entries, max_bytes=max_bytes)

    def limit(self, *, max_entries: int | None = None, max_bytes: int | None = None) -> None:
        """Change the bounds (None: keep that one); the oldest exchanges past them are dropped."""
        for name, value in (("max_entries", max_entries), ("max_bytes", max_bytes)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        with self._lock:
            if max_entries is not None:
                self.max_entries = max_entries
            if max_bytes is not None:
                self.max_bytes = max_bytes
            self._evict()

    @property
    def size_bytes(self) -> int:
        """About how many bytes the kept exchanges hold (never more than `max_bytes`)."""
        return self._bytes

    # -- recording -----------------------------------------------------------------------------

    def begin(
        self,
        request: Incoming,
        started_ns: int,
        *,
        fault: Fault | None = None,
        rule: Rule | None = None,
        stub: Stub | None = None,
    ) -> Ticket:
        """Record a request as it arrives (answer pending); `finish` completes the entry."""
        with self._lock:
            self._seq += 1
            pending = self._fit(
                Exchange(
                    self._seq,
                    request,
                    None,
                    (),
                    b"",
                    started_ns,
                    started_ns,
                    fault=fault,
                    rule=rule,
                    answered=False,
                    stub=stub,
                )
            )
            if pending is not None:
                self._entries.append(pending)
                self._bytes += exchange_size(pending)
                self._evict()
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
                    done = self._fit(
                        dataclasses.replace(
                            pending,
                            status=status,
                            response_headers=headers,
                            response_body=body,
                            finished_ns=finished_ns,
                            answered=True,
                        )
                    )
                    self._bytes -= exchange_size(pending)
                    if done is None:
                        del self._entries[index]
                        return None
                    self._entries[index] = done
                    self._bytes += exchange_size(done)
                    self._evict()
                    return done
                if pending.seq < ticket.seq:
                    break
            return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
            self._seq = 0
            self._bytes = 0
            self.dropped = 0

    def _fit(self, exchange: Exchange) -> Exchange | None:
        """The exchange as kept: without bodies if it is too large alone; None if even so."""
        if exchange_size(exchange) <= self.max_bytes:
            return exchange
        bare = dataclasses.replace(
            exchange,
            request=dataclasses.replace(exchange.request, body=b""),
            response_body=b"",
            body_dropped=True,
        )
        if exchange_size(bare) <= self.max_bytes:
            return bare
        self.dropped += 1
        return None

    def _evict(self) -> None:
        entries = self._entries
        while entries and (len(entries) > self.max_entries or self._bytes > self.max_bytes):
            self._bytes -= exchange_size(entries.popleft())
            self.dropped += 1

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
            near = exchange.request.near
            if near:
                lines.append(f"      did you mean {' or '.join(near)}?")
        lines.append("The fake serves:")
        families: dict[str, list[str]] = {}
        for api in APIS.values():
            family = families.setdefault(api.name.partition(".")[0], [])
            family.extend(f"{method} {path}" for method, path in api.endpoints)
        lines += [f"  {name}: {', '.join(routes)}" for name, routes in sorted(families.items())]
        return "\n".join(lines)

    def _listing(self, found: list[Exchange]) -> str:
        entries = self.exchanges
        if not entries:
            return "No requests were made."
        marked = {e.seq for e in found}
        shown = entries[-30:]
        lines = [f"Requests made ({len(entries)}{', last 30' if len(entries) > 30 else ''}):"]
        if self.dropped:
            lines.insert(0, f"({self.dropped} older exchange(s) dropped: {self._bounds()})")
        lines += [f"  {'*' if e.seq in marked else ' '}{e.seq}. {e}" for e in shown]
        return "\n".join(lines)

    def _bounds(self) -> str:
        return f"the journal keeps {self.max_entries} exchanges, {self.max_bytes} bytes"

    def __repr__(self) -> str:
        dropped = f", {self.dropped} dropped" if self.dropped else ""
        return f"Journal({len(self)} exchanges{dropped})"


def _selector(match: Match | None, criteria: Mapping[str, Any]) -> Match:
    if match is not None and criteria:
        raise TypeError("give either a Match or keyword criteria, not both")
    return match if match is not None else Match(**criteria)


def _describe(selector: Match, status: int | None) -> str:
    text = f"requests {selector!r}"
    return text + (f" answered {status}" if status is not None else "")
