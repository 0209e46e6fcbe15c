"""Elasticsearch time values: parsing `30s`-style strings and formatting durations the ES way."""

from __future__ import annotations

import math
import re

from fake_tasks.errors import IllegalArgumentError, NumberFormatError
from fake_tasks.spec.javanum import JAVA_TRIM, is_java_double, java_int_in_range

NANOS_PER_UNIT: dict[str, int] = {
    "nanos": 1,
    "micros": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "d": 86_400_000_000_000,
}
_MAX_DAYS = 106751


def parse_time_value(value: str, setting: str) -> int:
    """Parse an ES time value into nanoseconds.

    Mirrors `TimeValue.parseTimeValue`, including its error messages and its quirks: suffixes are
    matched lower-cased except `m`, which must be lower case in the original. `-1` of a unit (the
    only negative value accepted) is minus one of that unit: `-1s` is -10^9, and `-1` alone is
    minus one millisecond (`TimeValue.MINUS_ONE`), as `timed out after [-1/-1000ms]` shows.
    """
    normalized = value.lower().strip(JAVA_TRIM)
    for suffix in ("nanos", "micros", "ms", "s"):
        if normalized.endswith(suffix):
            return _parse_number(value, normalized[: -len(suffix)], suffix, setting)
    if value.endswith("m"):
        return _parse_number(value, normalized[:-1], "m", setting)
    for suffix in ("h", "d"):
        if normalized.endswith(suffix):
            return _parse_number(value, normalized[:-1], suffix, setting)
    if re.fullmatch(r"-0*1", normalized):
        return -NANOS_PER_UNIT["ms"]
    if re.fullmatch(r"0+", normalized):
        return 0
    raise IllegalArgumentError(
        f"failed to parse setting [{setting}] with value [{value}] as a time value: "
        "unit is missing or unrecognized"
    )


def _parse_number(original: str, number: str, suffix: str, setting: str) -> int:
    text = number.strip(JAVA_TRIM)
    amount = java_int_in_range(text)
    if amount is None:
        cause = NumberFormatError(f'For input string: "{text}"')
        if is_java_double(text):
            raise IllegalArgumentError(
                f"failed to parse [{original}], fractional time values are not supported",
                caused_by=cause,
            )
        raise IllegalArgumentError(f"failed to parse [{original}]", caused_by=cause)
    if amount < -1:
        raise IllegalArgumentError(
            f"failed to parse setting [{setting}] with value [{original}] as a time value: "
            "negative durations are not supported"
        )
    if amount == -1:
        return -NANOS_PER_UNIT[suffix]
    if suffix == "d" and amount > _MAX_DAYS:
        raise IllegalArgumentError("time value cannot store values greater than 106751 days")
    return amount * NANOS_PER_UNIT[suffix]


def seconds_to_nanos(value: float | str, setting: str = "duration") -> int:
    """Accept seconds as a number or an ES time string (`"30s"`, `"1.5"` is seconds too)."""
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            try:
                return parse_time_value(value, setting)
            except IllegalArgumentError as error:  # a scripting mistake, not an ES answer
                raise ValueError(error.reason) from error
        value = number
    if not math.isfinite(value):
        raise ValueError(f"{setting} must be a finite number of seconds, got {value!r}")
    if value < 0:
        raise ValueError(f"{setting} must not be negative, got {value!r}")
    return round(value * 1e9)


def millis(nanos: int) -> int:
    """`TimeValue.millis()`: whole milliseconds, truncated toward zero (`-1nanos` is 0 ms)."""
    return nanos // 1_000_000 if nanos >= 0 else -(-nanos // 1_000_000)


def human(nanos: int) -> str:
    """`TimeValue.toHumanReadableString(1)`: the largest unit, one decimal cut (not rounded).

    A negative value can only be minus one of its unit (see `parse_time_value`), which Java
    prints as its duration: `-1`.
    """
    if nanos < 0:
        return "-1"
    if nanos == 0:
        return "0s"
    for unit in ("d", "h", "m", "s", "ms", "micros"):
        if nanos >= NANOS_PER_UNIT[unit]:
            return _one_decimal(nanos / NANOS_PER_UNIT[unit]) + unit
    return _one_decimal(float(nanos)) + "nanos"


def _one_decimal(value: float) -> str:
    """`TimeValue.formatDecimal(value, 1)`: cut the decimal text of the double after one digit.

    Done on the text, as ES does: arithmetic (`int(value * 10)`) turns 2.3 into 2.2.
    """
    whole, _, fraction = repr(value).partition(".")
    digit = fraction[:1]
    return whole if digit in ("", "0") else f"{whole}.{digit}"


class HumanTime(int):
    """Nanoseconds shown only with `?human` (`humanReadableField`): rendered by `human`."""

    def __str__(self) -> str:
        return human(int(self))
