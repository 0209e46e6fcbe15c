"""Bulk-by-scroll workers on the clock: batches, throttling, rethrottle, conflicts and stops.

A worker (an unsliced reindex, update or delete by query, or one slice of a sliced one) scrolls
its documents in batches of `batch_size`. Each batch takes `batch_ns` of work; with a finite
`requests_per_second` the next batch may start no sooner than `batch_size / rps` seconds after
the previous one started (`WorkerBulkByScrollTaskState.throttleWaitTime`), so the worker sleeps
`max(0, batch_size / rps - batch_ns)` between batches. A rethrottle that speeds the worker up
shortens the current sleep in proportion; one that slows it down applies from the next batch.
A cancel is honoured at the end of the batch being worked on, or at once while sleeping.

The timeline is a list of segments of constant speed, so any moment is computed in closed form:
no per-batch loop, whatever the number of documents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["Moment", "Worker", "split_evenly"]

_INF = math.inf


@dataclass(frozen=True)
class _Segment:
    """From `start_ns`, batch `first` onwards runs at `rps`; `throttled_ns` were slept before.

    `wait_from_ns` is when the sleep that ends at `start_ns` began (a sleep cut by a rethrottle
    belongs to the segment it leads into); equal to `start_ns` when there is none.
    """

    start_ns: int
    first: int
    rps: float
    throttled_ns: int
    wait_from_ns: int


@dataclass(frozen=True)
class Moment:
    """A worker at one instant: what `BulkByScrollTask.Status` reports of it."""

    batches: int
    docs: int  # documents whose bulk request completed (conflicts and noops included)
    throttled_ns: int  # sleeps already over
    throttled_until_ns: int  # what is left of the current sleep (0: not sleeping)
    rps: float
    done: bool


@dataclass
class Worker:
    """One worker's plan and the changes made to it while it runs."""

    total: int
    batch_size: int
    batch_ns: int
    start_ns: int
    rps: float = _INF
    segments: list[_Segment] = field(default_factory=list)
    last_batch: int | None = None  # set when a stop or an abort cuts the work short
    stopped_ns: int | None = None

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")
        if self.batch_ns < 1:
            raise ValueError(f"batch_ns must be at least 1, got {self.batch_ns}")
        if not self.segments:
            self.segments.append(_Segment(self.start_ns, 0, self.rps, 0, self.start_ns))

    # -- the plan ---------------------------------------------------------------------------

    @property
    def batches(self) -> int:
        """How many batches the whole work takes (0 for nothing to do)."""
        return -(-self.total // self.batch_size)

    def _final_batch(self) -> int:
        last = self.batches - 1
        return last if self.last_batch is None else min(last, self.last_batch)

    def _period(self, rps: float) -> int:
        if rps == _INF:
            return self.batch_ns
        return max(self.batch_ns, round(self.batch_size / rps * 1e9))

    def _segment_at(self, now_ns: int) -> _Segment:
        found = self.segments[0]
        for segment in self.segments:
            if segment.wait_from_ns <= now_ns:
                found = segment
        return found

    def _batch_start(self, segment: _Segment, batch: int) -> int:
        return segment.start_ns + (batch - segment.first) * self._period(segment.rps)

    def end_ns(self) -> int:
        """When the last batch completes (or the stop, if one came first)."""
        if self.stopped_ns is not None:
            return self.stopped_ns
        final = self._final_batch()
        if final < 0:
            return self.start_ns
        segment = self.segments[-1]
        return self._batch_start(segment, max(final, segment.first)) + self.batch_ns

    # -- reading ----------------------------------------------------------------------------

    def at(self, now_ns: int) -> Moment:
        """The worker at `now_ns` (frozen at its end once finished)."""
        end = self.end_ns()
        done = now_ns >= end
        now = min(now_ns, end)
        final = self._final_batch()
        if final < 0 or now < self.start_ns:
            return Moment(0, 0, 0, 0, self.segments[0].rps, done or final < 0)
        segment = self._segment_at(now)
        if now < segment.start_ns:  # sleeping before the segment's first batch
            already = segment.throttled_ns - (segment.start_ns - segment.wait_from_ns)
            docs = min(self.total, segment.first * self.batch_size)
            until = 0 if done else segment.start_ns - now
            return Moment(segment.first, docs, already, until, segment.rps, done)
        period = self._period(segment.rps)
        current = min(segment.first + (now - segment.start_ns) // period, final)
        started = self._batch_start(segment, current)
        gap = period - self.batch_ns
        throttled = segment.throttled_ns + (current - segment.first) * gap
        if now - started < self.batch_ns:
            docs = min(self.total, current * self.batch_size)
            return Moment(current + 1, docs, throttled, 0, segment.rps, done)
        docs = min(self.total, (current + 1) * self.batch_size)
        sleeping = 0 if current >= final or done else max(0, started + period - now)
        return Moment(current + 1, docs, throttled, sleeping, segment.rps, done)

    # -- changes ----------------------------------------------------------------------------

    def rethrottle(self, now_ns: int, rps: float) -> None:
        """Change the pace at `now_ns` as `WorkerBulkByScrollTaskState.rethrottle` does."""
        if now_ns >= self.end_ns():
            self.rps = rps
            return
        now = max(now_ns, self.start_ns)
        segment = self._segment_at(now)
        self.segments = [s for s in self.segments if s.wait_from_ns <= now]
        if now < segment.start_ns:  # sleeping before this segment's first batch
            remaining = segment.start_ns - now
            if rps > segment.rps:
                remaining = round(remaining * segment.rps / rps)
            start = now + remaining
            throttled = segment.throttled_ns - (segment.start_ns - start)
            self.segments[-1] = _Segment(start, segment.first, rps, throttled, segment.wait_from_ns)
        else:
            period = self._period(segment.rps)
            current = segment.first + (now - segment.start_ns) // period
            started = self._batch_start(segment, current)
            throttled = segment.throttled_ns + (current - segment.first) * (period - self.batch_ns)
            if now - started < self.batch_ns:  # working: the next sleep uses the new pace
                self.segments.append(_Segment(started, current, rps, throttled, started))
            else:  # sleeping after batch `current`
                wait_from = started + self.batch_ns
                remaining = started + period - now
                if rps > segment.rps:
                    remaining = round(remaining * segment.rps / rps)
                start = now + remaining
                self.segments.append(
                    _Segment(start, current + 1, rps, throttled + start - wait_from, wait_from)
                )
        self.rps = rps

    def stop(self, now_ns: int, *, at_batch_end: bool = True) -> int:
        """Stop at the end of the batch being worked on (or at once if sleeping, or if not
        `at_batch_end`: the batch in progress then never completes); when it ends."""
        if now_ns >= self.end_ns():
            return self.end_ns()
        now = max(now_ns, self.start_ns)
        moment = self.at(now)
        self.last_batch = moment.batches - 1
        sleeping = moment.throttled_until_ns > 0 or moment.batches == 0
        self.stopped_ns = now if sleeping or not at_batch_end else None
        if self.stopped_ns is None:
            self.stopped_ns = self.end_ns()
        return self.stopped_ns

    def cut_after(self, batch: int) -> None:
        """End the work after `batch` (an abort on a failure found in that batch)."""
        self.last_batch = batch if self.last_batch is None else min(self.last_batch, batch)


def split_evenly(total: int, parts: int) -> list[int]:
    """Documents per slice: the first `total % parts` slices take one more."""
    share, extra = divmod(total, parts)
    return [share + (1 if i < extra else 0) for i in range(parts)]
