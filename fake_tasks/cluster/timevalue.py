"""Elasticsearch time values: parsing `30s`-style strings and formatting durations the ES way."""

from __future__ import annotations

import re

from fake_tasks.errors import IllegalArgumentError, NumberFormatError

NANOS_PER_UNIT: dict[str, int] = {
    "nanos": 1,
    "micros": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "d": 86_400_000_000_000,
}
_JAVA_LONG = re.compile(r"[+-]?[0-9]+")
_JAVA_DOUBLE = re.compile(
    r"[+-]?(NaN|Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)[fFdD]?"
)
_MAX_DAYS = 106751


def parse_time_value(value: str, setting: str) -> int:
    """Parse an ES time value into nanoseconds; `-1` (no value) parses to -1.

    Mirrors `TimeValue.parseTimeValue`, including its error messages and its quirks: suffixes are
    matched lower-cased except `m`, which must be lower case in the original.
    """
    normalized = value.lower().strip()
    for suffix in ("nanos", "micros", "ms", "s"):
        if normalized.endswith(suffix):
            return _parse_number(value, normalized[: -len(suffix)], suffix, setting)
    if value.endswith("m"):
        return _parse_number(value, normalized[:-1], "m", setting)
    for suffix in ("h", "d"):
        if normalized.endswith(suffix):
            return _parse_number(value, normalized[:-1], suffix, setting)
    if re.fullmatch(r"-0*1", normalized):
        return -1
    if re.fullmatch(r"0+", normalized):
        return 0
    raise IllegalArgumentError(
        f"failed to parse setting [{setting}] with value [{value}] as a time value: "
        "unit is missing or unrecognized"
    )


def _parse_number(original: str, number: str, suffix: str, setting: str) -> int:
    text = number.strip()
    amount = int(text) if _JAVA_LONG.fullmatch(text) else None
    if amount is None or not -(2**63) <= amount < 2**63:
        cause = NumberFormatError(f'For input string: "{text}"')
        if _JAVA_DOUBLE.fullmatch(text):
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
        return -1
    if suffix == "d" and amount > _MAX_DAYS:
        raise IllegalArgumentError("time value cannot store values greater than 106751 days")
    return amount * NANOS_PER_UNIT[suffix]


def seconds_to_nanos(value: float | str, setting: str = "duration") -> int:
    """Accept seconds as a number or an ES time string (`"30s"`, `"1.5"` is seconds too)."""
    if isinstance(value, str):
        try:
            return round(float(value) * 1e9)
        except ValueError:
            return parse_time_value(value, setting)
    if value < 0:
        raise ValueError(f"{setting} must not be negative, got {value!r}")
    return round(value * 1e9)


def human(nanos: int) -> str:
    """`TimeValue.toHumanReadableString(1)`: the largest unit, one decimal cut (not rounded)."""
    if nanos < 0:
        return str(nanos)
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
