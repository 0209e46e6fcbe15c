"""The cluster's time: its clock, its lock, the schedule of transitions, and blocking waits."""

from __future__ import annotations

import threading
from collections.abc import Callable

from fake_tasks.cluster.clock import Clock, VirtualClock
from fake_tasks.cluster.events import Schedule, Scheduled
from fake_tasks.errors import FakeTasksError

__all__ = ["ClusterClosed", "Timeline"]


class ClusterClosed(FakeTasksError):
    """The cluster was closed while a request waited on it."""


class Timeline:
    """Time as the cluster lives it; `Cluster` builds its state and transitions on it.

    Everything that happens with time is an event of the schedule. Every observation first runs
    the events that have come due (`settle`), in time order, each at its own instant, so reading
    never depends on a thread and costs nothing when nothing is due.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock if clock is not None else VirtualClock()
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._closed = False
        self._schedule = Schedule()

    def now_ns(self) -> int:
        return self.clock.now_ns()

    def schedule(self, at_ns: int, callback: Callable[[int], None]) -> Scheduled:
        """Run `callback(at_ns)` under the lock once the clock has reached `at_ns`.

        Due events run at the next observation, in time order (ties: in scheduling order), so a
        callback sees the state as it was at its instant. For the state to survive a deepcopy,
        `callback` must be a bound method (or a `functools.partial` of one) of an object the
        cluster holds; a closure would act on the original. `unschedule` withdraws it.
        """
        with self.lock:
            entry = self._schedule.at(at_ns, callback)
            self.changed.notify_all()
            return entry

    def unschedule(self, entry: Scheduled | None) -> None:
        """Withdraw a scheduled event that has not run yet (anything else is ignored)."""
        with self.lock:
            self._schedule.withdraw(entry)

    def next_event_ns(self) -> int | None:
        """When the next scheduled event is due; None if nothing is scheduled."""
        with self.lock:
            return self._schedule.next_ns()

    def settle(self) -> None:
        """Run every event whose time has come, in time order: O(1) when none is due."""
        with self.lock:
            now = self.clock.now_ns()
            ran = False
            while (entry := self._schedule.pop_due(now)) is not None:
                entry.run()
                ran = True
            if ran:
                self.changed.notify_all()

    def close(self) -> None:
        """Release every waiting request; later waits fail at once."""
        with self.lock:
            self._closed = True
            self.changed.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed
