"""A rollup job's configuration, refused as the `RollupJobConfig` family of constructors refuses it.

Each `make_*` function takes the values a body gave (absent ones None) and raises the
`IllegalArgumentError` Elasticsearch's constructor raises; `to_dict` renders a config with its
defaults filled in, in the server's field order.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fake_tasks.cluster.javaorder import hash_order
from fake_tasks.cluster.patterns import simple_match
from fake_tasks.cluster.timevalue import parse_time_value
from fake_tasks.errors import EsError, IllegalArgumentError

__all__ = [
    "CALENDAR_UNITS",
    "DATE_TYPES",
    "NUMERIC_TYPES",
    "SUPPORTED_METRICS",
    "DateHistogram",
    "Groups",
    "Histogram",
    "Metric",
    "RollupJobConfig",
    "Terms",
    "make_config",
    "make_date_histogram",
    "make_histogram",
    "make_metric",
    "make_terms",
    "string_rep",
]

DATE_TYPES = ("date", "date_nanos")
NUMERIC_TYPES = (
    "half_float", "float", "double", "byte", "short", "integer", "long", "scaled_float",
)  # fmt: skip
# `RollupField.SUPPORTED_METRICS`: a HashSet of the numeric then the date metrics.
SUPPORTED_METRICS = hash_order(["max", "min", "sum", "avg", "value_count"])
CALENDAR_UNITS = frozenset(
    {
        "year", "1y", "quarter", "1q", "month", "1M", "week", "1w", "day", "1d", "hour", "1h",
        "minute", "1m", "second", "1s",
    }
)  # fmt: skip
_SHORT_IDS = frozenset(
    {
        "ACT", "AET", "AGT", "ART", "AST", "BET", "BST", "CAT", "CNT", "CST", "CTT", "EAT", "ECT",
        "IET", "IST", "JST", "MIT", "NET", "NST", "PLT", "PNT", "PRT", "PST", "SST", "VST", "EST",
        "MST", "HST",
    }
)  # fmt: skip
_OFFSET = re.compile(r"(Z|[+-]\d{1,2}(:?\d{2}(:?\d{2})?)?|(UTC|GMT|UT)([+-]\d{1,2}(:?\d{2})?)?)")


def string_rep(value: str) -> str:
    """`TimeValue.getStringRep()` of a value as parsed: number and unit (`120s` stays `120s`)."""
    normalized = value.lower().strip()
    for suffix in ("nanos", "micros", "ms", "s"):
        if normalized.endswith(suffix):
            return f"{int(normalized[: -len(suffix)])}{suffix}"
    if value.strip().endswith("m"):
        return f"{int(normalized[:-1])}m"
    for suffix in ("h", "d"):
        if normalized.endswith(suffix):
            return f"{int(normalized[:-1])}{suffix}"
    return "-1" if normalized.startswith("-") else "0ms"


@dataclass(frozen=True)
class DateHistogram:
    field: str
    interval: str
    interval_type: str  # "calendar_interval" or "fixed_interval"
    delay: str | None = None
    time_zone: str = "UTC"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {self.interval_type: self.interval, "field": self.field}
        if self.delay is not None:
            out["delay"] = self.delay
        out["time_zone"] = self.time_zone
        return out


@dataclass(frozen=True)
class Histogram:
    interval: int
    fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"interval": self.interval, "fields": list(self.fields)}


@dataclass(frozen=True)
class Terms:
    fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"fields": list(self.fields)}


@dataclass(frozen=True)
class Groups:
    date_histogram: DateHistogram
    histogram: Histogram | None = None
    terms: Terms | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"date_histogram": self.date_histogram.to_dict()}
        if self.histogram is not None:
            out["histogram"] = self.histogram.to_dict()
        if self.terms is not None:
            out["terms"] = self.terms.to_dict()
        return out


@dataclass(frozen=True)
class Metric:
    field: str
    metrics: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "metrics": list(self.metrics)}


@dataclass(frozen=True)
class RollupJobConfig:
    id: str
    index_pattern: str
    rollup_index: str
    cron: str
    page_size: int
    groups: Groups | None = None
    metrics: tuple[Metric, ...] = ()
    timeout: str = "20s"

    @property
    def indices(self) -> list[str]:
        """`config.indices()`: the comma-separated index pattern (8.2+)."""
        return [p.strip() for p in self.index_pattern.split(",") if p.strip()]

    def all_fields(self) -> list[str]:
        fields: list[str] = []
        if self.groups is not None:
            fields.append(self.groups.date_histogram.field)
            for group in (self.groups.histogram, self.groups.terms):
                if group is not None:
                    fields.extend(group.fields)
        fields.extend(m.field for m in self.metrics)
        return list(dict.fromkeys(fields))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "index_pattern": self.index_pattern,
            "rollup_index": self.rollup_index,
            "cron": self.cron,
        }
        if self.groups is not None:
            out["groups"] = self.groups.to_dict()
        out["metrics"] = [m.to_dict() for m in self.metrics]
        out["timeout"] = self.timeout
        out["page_size"] = self.page_size
        return out


def make_date_histogram(
    field: str | None,
    interval: str | None,
    calendar: str | None,
    fixed: str | None,
    delay: str | None,
    time_zone: str | None,
) -> DateHistogram:
    """`DateHistogramGroupConfig`'s parser lambda and constructors, in their order."""
    if interval is not None:
        if calendar is not None or fixed is not None:
            raise IllegalArgumentError(
                "Cannot use [interval] with [fixed_interval] or [calendar_interval] "
                "configuration options."
            )
        kind = "calendar_interval" if interval in CALENDAR_UNITS else "fixed_interval"
        value = interval
    elif calendar is not None and fixed is None:
        kind, value = "calendar_interval", calendar
    elif calendar is None and fixed is not None:
        kind, value = "fixed_interval", fixed
    elif calendar is not None and fixed is not None:
        raise IllegalArgumentError(
            "Cannot set both [fixed_interval] and [calendar_interval] at the same time"
        )
    else:
        raise IllegalArgumentError(
            "An interval is required.  Use [fixed_interval] or [calendar_interval]."
        )
    if not field:
        raise IllegalArgumentError("Field must be a non-null, non-empty string")
    zone = time_zone if time_zone else "UTC"
    if value not in CALENDAR_UNITS:
        parse_time_value(value, "createRounding")
    _check_zone(zone)
    if delay is not None:
        parse_time_value(delay, "delay")
    if kind == "fixed_interval":
        parse_time_value(value, "date_histogram.FixedInterval")
    elif value not in CALENDAR_UNITS:
        raise IllegalArgumentError(
            f"The supplied interval [{value}] could not be parsed as a calendar interval."
        )
    return DateHistogram(field, value, kind, delay, zone)


def _check_zone(zone: str) -> None:
    """`ZoneId.of(zone, SHORT_IDS)`: offsets, short ids and region ids of the tz database."""
    if zone in _SHORT_IDS or _OFFSET.fullmatch(zone):
        return
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9~/._+-]+", zone):
        raise EsError.custom(
            "date_time_exception", f"Invalid ID for region-based ZoneId, invalid format: {zone}"
        )
    if zone not in zoneinfo.available_timezones():
        raise EsError.custom("zone_rules_exception", f"Unknown time-zone ID: {zone}")


def make_histogram(interval: int, fields: Sequence[str] | None) -> Histogram:
    if interval <= 0:
        raise IllegalArgumentError("Interval must be a positive long")
    if not fields:
        raise IllegalArgumentError("Fields must have at least one value")
    return Histogram(interval, tuple(fields))


def make_terms(fields: Sequence[str] | None) -> Terms:
    if not fields:
        raise IllegalArgumentError("Fields must have at least one value")
    return Terms(tuple(fields))


def make_metric(field: str | None, metrics: Sequence[str] | None) -> Metric:
    if not field:
        raise IllegalArgumentError("Field must be a non-null, non-empty string")
    if not metrics:
        raise IllegalArgumentError("Metrics must be a non-null, non-empty array of strings")
    for metric in metrics:
        if metric not in SUPPORTED_METRICS:
            raise IllegalArgumentError(
                f"Unsupported metric [{metric}]. Supported metrics include: "
                f"[{', '.join(SUPPORTED_METRICS)}]"
            )
    return Metric(field, tuple(metrics))


def make_config(
    id: str | None,
    index_pattern: str | None,
    rollup_index: str | None,
    cron: str | None,
    page_size: int,
    groups: Groups | None,
    metrics: Sequence[Metric] | None,
    timeout: str | None,
) -> RollupJobConfig:
    """`RollupJobConfig`'s constructor checks, in its order (8.2+: each comma part)."""
    if not id:
        raise IllegalArgumentError("Id must be a non-null, non-empty string")
    if not index_pattern:
        raise IllegalArgumentError("Index pattern must be a non-null, non-empty string")
    for index in index_pattern.split(","):
        if index == "*":
            raise IllegalArgumentError(
                "Index pattern must not match all indices (as it would match it's own rollup index"
            )
        if "*" in index and rollup_index is not None and simple_match(index, rollup_index):
            raise IllegalArgumentError(
                "Index pattern would match rollup index name which is not allowed"
            )
        if index == rollup_index:
            raise IllegalArgumentError("Rollup index may not be the same as the index pattern")
    if not rollup_index:
        raise IllegalArgumentError("Rollup index must be a non-null, non-empty string")
    if not cron:
        raise IllegalArgumentError("Cron schedule must be a non-null, non-empty string")
    if page_size <= 0:
        raise IllegalArgumentError("Page size is mandatory and  must be a positive long")
    if groups is None and not metrics:
        raise IllegalArgumentError("At least one grouping or metric must be configured")
    return RollupJobConfig(
        id=id,
        index_pattern=index_pattern,
        rollup_index=rollup_index,
        cron=cron,
        page_size=page_size,
        groups=groups,
        metrics=tuple(metrics or ()),
        timeout=string_rep(timeout) if timeout is not None else "20s",
    )
