"""Generated clusters kept aside, one per settings, so a reset copies instead of regenerating."""

from __future__ import annotations

import copy
import gc
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from fake_tasks.cluster.model import Cluster

__all__ = ["Pristine"]


class Pristine:
    """Clusters as generated, never served: each `copy` is an independent copy of one of them.

    Generating draws every name and id from seeded random sources; unpickling the generated
    cluster makes the same objects several times faster (a cluster that does not pickle is
    deep-copied instead). At most `entries` settings are kept, holding at most `tasks` tasks in
    all; the least recently used goes first.
    """

    def __init__(self, *, entries: int = 8, tasks: int = 250_000) -> None:
        self.entries = entries
        self.tasks = tasks
        self._kept: OrderedDict[Hashable, tuple[bytes | Cluster, int]] = OrderedDict()
        self._lock = threading.Lock()

    def copy(self, key: Hashable, size: int, build: Callable[[], Cluster]) -> Cluster:
        """A fresh cluster for `key`: a copy of the kept one, else `build()` (kept if it fits)."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                return _thaw(kept[0])
        original = build()
        if size > self.tasks:
            return original
        frozen = _freeze(original)
        with self._lock:
            self._kept[key] = (frozen, size)
            while len(self._kept) > self.entries or self._held() > self.tasks:
                self._kept.popitem(last=False)
        return original if isinstance(frozen, bytes) else _thaw(frozen)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def _held(self) -> int:
        return sum(size for _, size in self._kept.values())


def _freeze(cluster: Cluster) -> bytes | Cluster:
    import pickle  # on the first reset: a server that is never reset need not load it

    try:
        return pickle.dumps(cluster, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):  # a closure somewhere in the state
        return copy.deepcopy(cluster)


def _thaw(frozen: bytes | Cluster) -> Cluster:
    if not isinstance(frozen, bytes):
        return copy.deepcopy(frozen)
    import pickle

    enabled = gc.isenabled()
    gc.disable()  # the objects come out whole: no cycle to collect while they are made
    try:
        cluster: Cluster = pickle.loads(frozen)
    finally:
        if enabled:
            gc.enable()
    return cluster
