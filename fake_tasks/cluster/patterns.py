"""`Regex.simpleMatch`, the wildcard matching ES uses for actions, node and index names."""

from __future__ import annotations

__all__ = ["simple_match"]


def simple_match(pattern: str, value: str) -> bool:
    """`Regex.simpleMatch`: only `*` is special, matching any run of characters; case-sensitive.

    Greedy matching that backtracks only to the last `*`: O(len(pattern) * len(value)) at worst,
    so hostile patterns (thousands of `*`) cannot stall a request.
    """
    if "*" not in pattern:
        return pattern == value
    p = v = 0
    star, resume = -1, 0
    while v < len(value):
        if p < len(pattern) and pattern[p] == "*":
            star, resume = p, v
            p += 1
        elif p < len(pattern) and pattern[p] == value[v]:
            p += 1
            v += 1
        elif star >= 0:
            p, resume = star + 1, resume + 1
            v = resume
        else:
            return False
    return all(c == "*" for c in pattern[p:])
