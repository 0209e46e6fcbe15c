"""Java's number parsing as the server runs it (`Long.parseLong`, `Double.parseDouble` syntax),
in time linear in the text and without Python's limit on the digits `int()` converts."""

from __future__ import annotations

import re

__all__ = ["JAVA_TRIM", "LONG_MAX", "LONG_MIN", "is_java_double", "java_int_in_range"]

LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1
JAVA_TRIM = "".join(map(chr, range(0x21)))  # what `String.trim()` removes: every char <= space

# Each alternative is unambiguous (the digits before and after a dot cannot trade places), so a
# failed match backtracks in linear time: a pattern like `[0-9]+\.?[0-9]*` is quadratic.
_DOUBLE = re.compile(
    r"[+-]?(?:NaN|Infinity"
    r"|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?"
    r"|0[xX](?:[0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+[fFdD]?)"
)


def java_int_in_range(text: str, low: int = LONG_MIN, high: int = LONG_MAX) -> int | None:
    """`Long.parseLong(text)` (or `Byte.parseByte` with its bounds): the value, or None where
    Java throws `NumberFormatException` (a sign, then ASCII digits only; within the bounds).

    The digit count is checked before converting, so ten thousand digits cost no more than a
    scan: Python's `int()` refuses over 4,300 digits and is quadratic below that.
    """
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    significant = body.lstrip("0")
    if len(significant) > max(len(str(low)), len(str(high))):
        return None
    value = int(text[0] + significant) if text[0] == "-" and significant else int(significant or 0)
    return value if low <= value <= high else None


def is_java_double(text: str) -> bool:
    """Whether `Double.parseDouble(text)` accepts it (after Java's `trim()`)."""
    return _DOUBLE.fullmatch(text.strip(JAVA_TRIM)) is not None
