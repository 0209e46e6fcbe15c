"""ES time values (reference 7): parsing, its error messages, and the two ways of printing them."""

from __future__ import annotations

import pytest

from fake_tasks.cluster.timevalue import human, parse_time_value, seconds_to_nanos
from fake_tasks.errors import EsError, IllegalArgumentError

S = 1_000_000_000


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        ("30s", 30 * S),
        ("30S", 30 * S),  # lower-cased first...
        ("5m", 300 * S),  # ...except minutes
        ("2h", 7200 * S),
        ("2H", 7200 * S),
        ("1d", 86400 * S),
        ("1500ms", 1500 * 10**6),
        ("7micros", 7000),
        ("12nanos", 12),
        (" 10s ", 10 * S),
        ("10 s", 10 * S),
        ("-1", -(10**6)),  # TimeValue.MINUS_ONE: minus one millisecond
        ("-01", -(10**6)),
        ("0", 0),
        ("000", 0),
        ("0s", 0),
        ("+5s", 5 * S),
        ("106751d", 106751 * 86400 * S),
    ],
)
def test_parse(text: str, nanos: int) -> None:
    assert parse_time_value(text, "timeout") == nanos


def test_minus_one_second_is_allowed() -> None:
    assert parse_time_value("-1s", "timeout") < 0  # only values below -1 are refused


def _unit(value: str, setting: str = "timeout") -> str:
    return (
        f"failed to parse setting [{setting}] with value [{value}] as a time value: "
        "unit is missing or unrecognized"
    )


@pytest.mark.parametrize(
    ("text", "reason", "cause"),
    [
        ("10x", _unit("10x"), None),
        ("10", _unit("10"), None),
        ("abc", _unit("abc"), None),
        ("", _unit(""), None),
        ("1M", _unit("1M"), None),  # `M` is not minutes
        (
            "-5s",
            "failed to parse setting [timeout] with value [-5s] as a time value: "
            "negative durations are not supported",
            None,
        ),
        (
            "1.5s",
            "failed to parse [1.5s], fractional time values are not supported",
            'For input string: "1.5"',
        ),
        ("xs", "failed to parse [xs]", 'For input string: "x"'),
        ("106752d", "time value cannot store values greater than 106751 days", None),
    ],
)
def test_parse_errors(text: str, reason: str, cause: str | None) -> None:
    with pytest.raises(IllegalArgumentError) as caught:
        parse_time_value(text, "timeout")
    error = caught.value
    assert error.reason == reason
    assert error.http_status() == 400
    if cause is None:
        assert error.caused_by is None
    else:
        assert error.caused_by is not None
        assert (error.caused_by.es_type, error.caused_by.reason) == (
            "number_format_exception",
            cause,
        )


def test_setting_name_is_in_the_message() -> None:
    with pytest.raises(EsError) as caught:
        parse_time_value("1y", "master_timeout")
    assert caught.value.reason == _unit("1y", "master_timeout")


@pytest.mark.parametrize(
    ("nanos", "text"),
    [
        (0, "0s"),
        (1, "1nanos"),
        (999, "999nanos"),
        (1000, "1micros"),
        (293_100, "293.1micros"),
        (293_199, "293.1micros"),  # one decimal, truncated
        (1_000_000, "1ms"),
        (1_234_567, "1.2ms"),
        (1_999_999, "1.9ms"),
        (15_300_000_000, "15.3s"),
        (60 * S, "1m"),
        (90 * S, "1.5m"),
        (3600 * S, "1h"),
        (86400 * S, "1d"),
        (36 * 3600 * S, "1.5d"),
    ],
)
def test_human(nanos: int, text: str) -> None:
    assert human(nanos) == text


@pytest.mark.parametrize(
    ("value", "nanos"), [(1.5, 1_500_000_000), ("2.5", 2_500_000_000), ("30s", 30 * S), (0, 0)]
)
def test_seconds_to_nanos(value: float | str, nanos: int) -> None:
    assert seconds_to_nanos(value) == nanos


@pytest.mark.parametrize("value", [-1, "-1", "-0.5"])
def test_seconds_to_nanos_rejects_negative_numbers(value: float | str) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        seconds_to_nanos(value)


def test_seconds_to_nanos_says_what_is_wrong_with_a_time_value() -> None:
    with pytest.raises(ValueError, match=r"failed to parse \[1.5s\], fractional time values"):
        seconds_to_nanos("1.5s")
    with pytest.raises(ValueError, match="unit is missing or unrecognized"):
        seconds_to_nanos("5x", "advance")


@pytest.mark.parametrize("value", ["nan", "inf", float("inf")])
def test_seconds_to_nanos_rejects_what_is_not_a_duration(value: float | str) -> None:
    with pytest.raises(ValueError, match="must be a finite number of seconds"):
        seconds_to_nanos(value)


@pytest.mark.parametrize(
    ("nanos", "text"),
    [
        (2_300_000_000, "2.3s"),  # 2.3 * 10 == 22.999..., so arithmetic would print 2.2s
        (4_350_000_000, "4.3s"),  # cut, not rounded
        (1_999_999_999, "1.9s"),
        (90_000_000_000, "1.5m"),
        (-(10**9), "-1"),  # only minus one of a unit parses: Java prints the duration
    ],
)
def test_human_cuts_the_decimal_text_like_es(nanos: int, text: str) -> None:
    assert human(nanos) == text
