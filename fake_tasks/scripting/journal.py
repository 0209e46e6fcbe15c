"""The request journal: every exchange the fake had, queries over it, and assertions."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fake_tasks.scripting.faults import Fault, Rule
from fake_tasks.scripting.requests import Incoming, Match
from fake_tasks.spec import APIS

DEFAULT_MAX_ENTRIES = 10_000


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
            near = exchange.request.near
            if near:
                lines.append(f"      did you mean {' or '.join(near)}?")
        known = ", ".join(
            f"{method} {path}" for api in APIS.values() for method, path in api.endpoints
        )
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
