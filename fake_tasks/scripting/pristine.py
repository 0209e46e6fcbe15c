"""Generated clusters kept aside, one per settings, so a reset copies instead of regenerating."""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fake_tasks.cluster.model import Cluster

__all__ = ["Pristine"]


class Pristine:
    """Clusters as generated, never served: each `copy` is a deep copy of one of them.

    Generating draws every name and id through faker; a deep copy only copies objects, several
    times faster. At most `entries` settings are kept, holding at most `tasks` tasks in all;
    the least recently used goes first.
    """

    def __init__(self, *, entries: int = 8, tasks: int = 250_000) -> None:
        self.entries = entries
        self.tasks = tasks
        self._kept: OrderedDict[Hashable, tuple[Cluster, int]] = OrderedDict()
        self._lock = threading.Lock()
        self.generated = 0  # how many clusters `build` made (for tests)

    def copy(self, key: Hashable, size: int, build: Callable[[], Cluster]) -> Cluster:
        """A fresh cluster for `key`: a copy of the kept one, else `build()` (kept if it fits)."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return copy.deepcopy(kept[0])
        original = build()
        self.generated += 1
        if size > self.tasks:
            return original
        with self._lock:
            self._kept[key] = (original, size)
            while len(self._kept) > self.entries or self._held() > self.tasks:
                self._kept.popitem(last=False)
        return copy.deepcopy(original)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def _held(self) -> int:
        return sum(size for _, size in self._kept.values())
