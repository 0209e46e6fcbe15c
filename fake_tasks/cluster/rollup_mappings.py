"""A rollup job's fields against the mappings of its source indices (`validateMappings`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fake_tasks.cluster.javaorder import hash_order
from fake_tasks.cluster.rollup_config import DATE_TYPES, NUMERIC_TYPES, Metric, RollupJobConfig

__all__ = ["FieldCaps", "validate_mappings"]

_DATE_METRICS = ("max", "min", "value_count")

# Field capabilities: per field, the types it has across the matched indices and whether
# each type is aggregatable there (`text` is not, without fielddata).
FieldCaps = Mapping[str, Mapping[str, bool]]


def _types(caps: Mapping[str, bool]) -> str:
    return "[" + ", ".join(hash_order(caps)) + "]"


def validate_mappings(config: RollupJobConfig, caps: FieldCaps) -> list[str]:
    """`PutRollupJobAction.Request.validateMappings`: the problems, in the server's order."""
    if not caps:
        return ["Could not find any fields in the index/index-pattern that were configured in job"]
    out: list[str] = []
    groups = config.groups
    if groups is not None:
        out.extend(_date_histogram_problems(groups.date_histogram.field, caps))
        if groups.histogram is not None:
            for name in groups.histogram.fields:
                out.extend(_typed_problems(name, caps, NUMERIC_TYPES, "histo", "[numeric]"))
        if groups.terms is not None:
            for name in groups.terms.fields:
                allowed = (*NUMERIC_TYPES, "keyword", "text")
                out.extend(
                    _typed_problems(name, caps, allowed, "terms", "[numeric] or [keyword/text]")
                )
    for metric in config.metrics:
        out.extend(_metric_problems(metric, caps))
    return out


def _date_histogram_problems(name: str, caps: FieldCaps) -> list[str]:
    found = caps.get(name)
    dates = ",".join(DATE_TYPES)
    if not found:
        return [
            f"Could not find one of [{dates}] fields with name [{name}] in any of the indices"
            " matching the index pattern."
        ]
    for kind in DATE_TYPES:
        if kind in found and len(found) == 1:
            if found[kind]:
                return []
            return [f"The field [{name}] must be aggregatable across all indices, but is not."]
    return [
        f"The field referenced by a date_histo group must be one of type [{dates}] across all "
        f"indices in the index pattern.  Found: {_types(found)} for field [{name}]"
    ]


def _typed_problems(
    name: str, caps: FieldCaps, allowed: Sequence[str], group: str, wanted: str
) -> list[str]:
    found = caps.get(name)
    if not found:
        return [
            f"Could not find a {wanted} field with name [{name}] in any of the indices matching"
            " the index pattern."
        ]
    out = []
    for kind in hash_order(found):
        if kind in allowed:
            if not found[kind]:
                out.append(
                    f"The field [{name}] must be aggregatable across all indices, but is not."
                )
        else:
            out.append(
                f"The field referenced by a {group} group must be a {wanted} type, but found "
                f"{_types(found)} for field [{name}]"
            )
    return out


def _metric_problems(metric: Metric, caps: FieldCaps) -> list[str]:
    found = caps.get(metric.field)
    dates = ",".join(DATE_TYPES)
    if not found:
        return [
            f"Could not find a [numeric] or [{dates}] field with name [{metric.field}] in any of"
            " the indices matching the index pattern."
        ]
    out = []
    for kind in hash_order(found):
        if not found[kind]:
            out.append(
                f"The field [{metric.field}] must be aggregatable across all indices, but is not."
            )
        if kind in NUMERIC_TYPES:
            continue
        if kind in DATE_TYPES:
            unsupported = [m for m in metric.metrics if m not in _DATE_METRICS]
            if unsupported:
                out.append(
                    f"Only the metrics [{', '.join(_DATE_METRICS)}] are supported for [{kind}] "
                    f"types, but unsupported metrics [{', '.join(unsupported)}] supplied for "
                    f"field [{metric.field}]"
                )
        else:
            out.append(
                f"The field referenced by a metric group must be a [numeric] or [{dates}] type, "
                f"but found {_types(found)} for field [{metric.field}]"
            )
    return out
