"""Scheduled transitions: a priority queue of callbacks keyed by the instant they become due."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

__all__ = ["Schedule", "Scheduled"]

Callback = Callable[[int], None]
SubjectCallback = Callable[[Any, int], None]

_COMPACT_MIN = 64  # below this many entries, withdrawn ones are simply left to pop


class Scheduled:
    """One transition due at `at_ns`; `Schedule.withdraw` cancels it (it will then never run).

    `run()` calls `callback(at_ns)`, or `callback(subject, at_ns)` when it has a subject: one
    shared callback for many subjects (every task's end) costs no object per subject.
    """

    __slots__ = ("at_ns", "callback", "done", "seq", "subject")  # done: ran or was withdrawn

    def __init__(
        self, at_ns: int, seq: int, callback: Callable[..., None], subject: object = None
    ) -> None:
        self.at_ns = at_ns
        self.seq = seq
        self.callback = callback
        self.subject = subject
        self.done = False

    def run(self) -> None:
        if self.subject is None:
            self.callback(self.at_ns)
        else:
            self.callback(self.subject, self.at_ns)

    def __repr__(self) -> str:
        state = " done" if self.done else ""
        return f"Scheduled(at_ns={self.at_ns}, seq={self.seq}{state})"


class Schedule:
    """Transitions in time order; ties run in the order they were scheduled.

    Callbacks receive their due instant. Withdrawn entries stay in the heap until they reach its
    head or until they outnumber the live ones, when the heap is rebuilt without them.
    """

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Scheduled]] = []
        self._seq = 0
        self._withdrawn = 0

    def at(self, at_ns: int, callback: Callback) -> Scheduled:
        """Schedule `callback(at_ns)` for when time reaches `at_ns`."""
        return self._push(at_ns, callback, None)

    def at_for(self, at_ns: int, callback: SubjectCallback, subject: object) -> Scheduled:
        """Schedule `callback(subject, at_ns)` for when time reaches `at_ns` (subject: no None)."""
        return self._push(at_ns, callback, subject)

    def _push(self, at_ns: int, callback: Callable[..., None], subject: object) -> Scheduled:
        self._seq += 1
        entry = Scheduled(at_ns, self._seq, callback, subject)
        heapq.heappush(self._heap, (at_ns, entry.seq, entry))
        return entry

    def copy(self) -> tuple[Schedule, dict[int, Scheduled]]:
        """The live entries again, as new entries (same callbacks and subjects, for the caller
        to rebind), and the new entry by the `id` of the old one."""
        twin = Schedule()
        twin._seq = self._seq
        entries: dict[int, Scheduled] = {}
        for at_ns, seq, entry in self._heap:
            if not entry.done:
                entries[id(entry)] = Scheduled(at_ns, seq, entry.callback, entry.subject)
                twin._heap.append((at_ns, seq, entries[id(entry)]))
        heapq.heapify(twin._heap)
        return twin, entries

    def withdraw(self, entry: Scheduled | None) -> None:
        """Cancel an entry of this schedule (None and already-withdrawn entries are ignored)."""
        if entry is None or entry.done:
            return
        entry.done = True
        self._withdrawn += 1
        if self._withdrawn > _COMPACT_MIN and self._withdrawn * 2 > len(self._heap):
            self._heap = [e for e in self._heap if not e[2].done]
            heapq.heapify(self._heap)
            self._withdrawn = 0

    def next_ns(self) -> int | None:
        """When the next live transition is due; None if nothing is scheduled."""
        self._drop_withdrawn_head()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now_ns: int) -> Scheduled | None:
        """The earliest live entry due at or before `now_ns`, removed; None if none is due."""
        self._drop_withdrawn_head()
        if not self._heap or self._heap[0][0] > now_ns:
            return None
        entry = heapq.heappop(self._heap)[2]
        entry.done = True  # it has run: a later withdraw is a no-op
        return entry

    def __len__(self) -> int:
        """Live entries (withdrawn ones not counted)."""
        return len(self._heap) - self._withdrawn

    def _drop_withdrawn_head(self) -> None:
        heap = self._heap
        while heap and heap[0][2].done:
            heapq.heappop(heap)
            self._withdrawn -= 1
