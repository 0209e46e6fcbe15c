"""The body of `PUT /_rollup/job/<id>`, parsed as `RollupJobConfig.PARSER` parses it."""

from __future__ import annotations

from typing import Any

from fake_tasks.cluster.rollup_config import (
    Groups,
    RollupJobConfig,
    make_config,
    make_date_histogram,
    make_histogram,
    make_metric,
    make_terms,
)
from fake_tasks.cluster.timevalue import parse_time_value
from fake_tasks.rest.xcontent import Field, Fields, Parser

__all__ = ["parse_config"]


def _time(value: Any) -> Any:
    if value is not None:
        parse_time_value(value, "timeout")
    return value


_DATE_HISTOGRAM = Fields(
    "date_histogram",
    (
        Field("field", "string", required=True),
        Field("interval", "string"),
        Field("calendar_interval", "string"),
        Field("fixed_interval", "string"),
        Field("delay", "string"),
        Field("time_zone", "string"),
    ),
    lambda v: make_date_histogram(
        v.get("field"),
        v.get("interval"),
        v.get("calendar_interval"),
        v.get("fixed_interval"),
        v.get("delay"),
        v.get("time_zone"),
    ),
)
_HISTOGRAM = Fields(
    "histogram",
    (Field("interval", "long", required=True), Field("fields", "string_array", required=True)),
    lambda v: make_histogram(v["interval"], v["fields"]),
)
_TERMS = Fields(
    "terms",
    (Field("fields", "string_array", required=True),),
    lambda v: make_terms(v["fields"]),
)


def _groups(values: dict[str, Any]) -> Groups:
    return Groups(values["date_histogram"], values.get("histogram"), values.get("terms"))


_GROUPS = Fields(
    "groups",
    (
        Field("date_histogram", "object", required=True, sub=_DATE_HISTOGRAM),
        Field("histogram", "object", sub=_HISTOGRAM),
        Field("terms", "object", sub=_TERMS),
    ),
    _groups,
)
_METRIC = Fields(
    "metrics",
    (Field("field", "string", required=True), Field("metrics", "string_array", required=True)),
    lambda v: make_metric(v["field"], v["metrics"]),
)


def parse_config(body: bytes, path_id: str) -> RollupJobConfig:
    """The job's config; the body's `id`, if any, wins over the path's (the parser's context)."""
    fields = Fields(
        "xpack/rollup/jobconfig",
        (
            Field("id", "string"),
            Field("index_pattern", "string", required=True),
            Field("rollup_index", "string", required=True),
            Field("groups", "object", sub=_GROUPS),
            Field("metrics", "object_array", sub=_METRIC),
            Field("timeout", "string_or_null", convert=_time),
            Field("cron", "string", required=True),
            Field("page_size", "int", required=True),
        ),
        lambda v: make_config(
            v.get("id") if v.get("id") is not None else path_id,
            v["index_pattern"],
            v["rollup_index"],
            v["cron"],
            v["page_size"],
            v.get("groups"),
            v.get("metrics"),
            v.get("timeout"),
        ),
    )
    config: RollupJobConfig = fields.parse(Parser(body))
    return config
