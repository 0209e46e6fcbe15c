"""Pausing Python's cyclic garbage collector around work that makes many objects and no cycles."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic collection inside; the collector is enabled again after, if it was before.

    Building a large cluster or answering a list of 100,000 tasks allocates hundreds of
    thousands of short-lived containers, and each collection pass they trigger walks the whole
    long-lived cluster again: half the time of the work. Reference counting still frees them.
    The switch is process-wide; nested and concurrent pauses end with the collector as it was.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
