"""The iteration order of Java's `HashMap`/`HashSet` for string keys, which ES output follows.

Several Elasticsearch responses and messages list keys in `HashMap` order (nested settings,
`HashSet.toString()` in error texts). That order is deterministic: the bucket of each key's
`String.hashCode()` (spread as `HashMap.hash` does) in a table grown by powers of two, keys of
one bucket in insertion order.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["hash_order", "java_string_hash"]

_LOAD_FACTOR = 0.75


def java_string_hash(text: str) -> int:
    """`String.hashCode()` as an unsigned 32-bit value (UTF-16 code units)."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h


def _table_size(count: int, initial: int) -> int:
    size = initial
    while count > size * _LOAD_FACTOR:
        size *= 2
    return size


def hash_order(keys: Iterable[str], *, initial_capacity: int = 16) -> list[str]:
    """`keys` (distinct, in insertion order) as a `HashMap` of that capacity iterates them."""
    ordered = list(dict.fromkeys(keys))
    mask = _table_size(len(ordered), initial_capacity) - 1

    def bucket(key: str) -> int:
        h = java_string_hash(key)
        return (h ^ (h >> 16)) & mask

    position = {key: i for i, key in enumerate(ordered)}
    return sorted(ordered, key=lambda k: (bucket(k), position[k]))
