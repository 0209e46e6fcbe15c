"""The only place that reads time: a deterministic virtual clock and a realtime clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from fake_tasks.cluster.timevalue import seconds_to_nanos

DEFAULT_EPOCH_NS = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z
_MAX_REAL_WAIT_SLICE_S = 0.25


class Clock(Protocol):
    """Time as the fake cluster sees it, in nanoseconds since the Unix epoch."""

    @property
    def virtual(self) -> bool: ...

    def now_ns(self) -> int: ...

    def on_request(self) -> None:
        """Called once at the start of every modelled request."""

    def wait(self, condition: threading.Condition, until_ns: int) -> None:
        """Let time pass towards `until_ns`; may return early. `condition` is held by the caller."""


class VirtualClock:
    """Deterministic time: it moves only by `advance`, by `tick` per request, and during waits.

    A blocking wait never sleeps: the clock jumps to the moment the awaited thing happens, or to
    the wait's deadline, whichever is first.
    """

    virtual = True

    def __init__(self, start_ns: int = DEFAULT_EPOCH_NS, *, tick: float | str = "1s") -> None:
        self._now = start_ns
        self._lock = threading.Lock()
        self.tick_ns = seconds_to_nanos(tick, "tick")

    def now_ns(self) -> int:
        return self._now

    def advance(self, duration: float | str) -> None:
        """Move time forward by seconds (`2.5`) or an ES time value (`"30s"`, `"5m"`)."""
        step = seconds_to_nanos(duration, "advance")
        with self._lock:
            self._now += step

    def advance_to(self, epoch_ns: int) -> None:
        """Jump to an instant (never backwards)."""
        with self._lock:
            self._now = max(self._now, epoch_ns)

    def set_tick(self, tick: float | str) -> None:
        """How far every request moves the clock (`0` freezes time between requests)."""
        self.tick_ns = seconds_to_nanos(tick, "tick")

    def on_request(self) -> None:
        with self._lock:
            self._now += self.tick_ns

    def wait(self, condition: threading.Condition, until_ns: int) -> None:
        with self._lock:
            self._now = max(self._now, until_ns)

    def __deepcopy__(self, memo: dict[int, object]) -> VirtualClock:
        twin = VirtualClock(self._now)
        twin.tick_ns = self.tick_ns
        return twin

    def __getstate__(self) -> tuple[int, int]:
        return self._now, self.tick_ns

    def __setstate__(self, state: tuple[int, int]) -> None:
        self._now, self.tick_ns = state
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"VirtualClock(now_ns={self._now}, tick_ns={self.tick_ns})"


def block(condition: threading.Condition, seconds: float, released: Callable[[], bool]) -> None:
    """Wait `seconds` of wall time on `condition`, or until `released()` turns true.

    For waits that are real whatever the clock (scripted real delays, slow bodies).
    """
    deadline = time.monotonic() + seconds
    with condition:
        while not released():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            condition.wait(left)


class RealtimeClock:
    """Wall-clock time, optionally sped up: at `speed=10` a 30 s task takes 3 s."""

    virtual = False

    def __init__(self, *, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError(f"speed must be positive, got {speed!r}")
        self.speed = speed
        self._epoch_ns = time.time_ns()
        self._mono_ns = time.monotonic_ns()

    def now_ns(self) -> int:
        elapsed = time.monotonic_ns() - self._mono_ns
        return self._epoch_ns + int(elapsed * self.speed)

    def on_request(self) -> None:
        return None

    def wait(self, condition: threading.Condition, until_ns: int) -> None:
        remaining_s = (until_ns - self.now_ns()) / self.speed / 1e9
        if remaining_s > 0:
            condition.wait(timeout=min(remaining_s, _MAX_REAL_WAIT_SLICE_S))

    def __repr__(self) -> str:
        return f"RealtimeClock(speed={self.speed})"
