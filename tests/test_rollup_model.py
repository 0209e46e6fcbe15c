"""The rollup model without HTTP: cron schedules, config refusals, the indexer state machine on
the cluster's event queue, and snapshots."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from fake_tasks import FakeTasks, Settings
from fake_tasks.cluster.cron import Cron
from fake_tasks.cluster.rollup_config import (
    Groups,
    make_config,
    make_date_histogram,
    make_histogram,
    make_metric,
    string_rep,
)
from fake_tasks.errors import EsError, IllegalArgumentError

EPOCH = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()) * 1_000_000_000
NS = 1_000_000_000


def at(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).timestamp()) * NS


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("*/30 * * * * ?", "2026-01-01T00:00:00", "2026-01-01T00:00:30"),
        ("*/30 * * * * ?", "2026-01-01T00:00:30", "2026-01-01T00:01:00"),
        ("0 0 12 ? * MON", "2026-01-01T00:00:00", "2026-01-05T12:00:00"),
        ("0 15 10 1 JAN ? 2027", "2026-01-01T00:00:00", "2027-01-01T10:15:00"),
        ("0 0/20 8-9 * * ?", "2026-01-01T09:41:00", "2026-01-02T08:00:00"),
    ],
)
def test_cron_next_firing(expression: str, after: str, expected: str) -> None:
    assert Cron.parse(expression).next_after(at(after)) == at(expected)


@pytest.mark.parametrize("expression", ["*/30 * * * * ? 2017", "0 0 0 L * ?", "nonsense"])
def test_cron_that_never_fires(expression: str) -> None:
    assert Cron.parse(expression).next_after(EPOCH) is None


@pytest.mark.parametrize(
    ("value", "rep"), [("120s", "120s"), ("2m", "2m"), ("010S", "10s"), ("1000ms", "1000ms")]
)
def test_time_values_keep_their_unit(value: str, rep: str) -> None:
    assert string_rep(value) == rep


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("t", None, "1h", "1h", None, None), "Cannot set both [fixed_interval] and"),
        (("t", None, None, None, None, None), "An interval is required.  Use [fixed_interval]"),
        (("t", "1h", "1h", None, None, None), "Cannot use [interval] with [fixed_interval]"),
        (("t", None, "2h", None, None, None), "The supplied interval [2h] could not be parsed"),
        (("t", None, None, "1M", None, None), "[date_histogram.FixedInterval] with value [1M]"),
        (("t", None, None, "1h", "x", None), "failed to parse setting [delay] with value [x]"),
        (("", None, None, "1h", None, None), "Field must be a non-null, non-empty string"),
    ],
)
def test_date_histogram_refusals(args: tuple[str | None, ...], reason: str) -> None:
    with pytest.raises(IllegalArgumentError) as caught:
        make_date_histogram(*args)
    assert reason in str(caught.value.reason)


def test_time_zones() -> None:
    assert make_date_histogram("t", None, "1d", None, None, "Europe/Paris").time_zone == (
        "Europe/Paris"
    )
    assert make_date_histogram("t", None, "1d", None, None, "+01:00").time_zone == "+01:00"
    with pytest.raises(EsError) as caught:
        make_date_histogram("t", None, "1d", None, None, "Mars/Olympus")
    assert (caught.value.es_type, caught.value.reason) == (
        "zone_rules_exception",
        "Unknown time-zone ID: Mars/Olympus",
    )


def test_config_refusals_in_order() -> None:
    histo = make_date_histogram("t", None, "1h", None, None, None)
    groups = Groups(histo)

    def refused(**changes: object) -> str:
        args: dict[str, object] = {
            "id": "j",
            "index_pattern": "logs-*",
            "rollup_index": "rollup",
            "cron": "* * * * * ?",
            "page_size": 10,
            "groups": groups,
            "metrics": None,
            "timeout": None,
        }
        args.update(changes)
        with pytest.raises(IllegalArgumentError) as caught:
            make_config(**args)  # type: ignore[arg-type]
        return str(caught.value.reason)

    assert refused(id="") == "Id must be a non-null, non-empty string"
    assert refused(index_pattern="a,*").startswith("Index pattern must not match all indices")
    assert refused(index_pattern="a,logs-*", rollup_index="logs-r") == (
        "Index pattern would match rollup index name which is not allowed"
    )
    assert refused(index_pattern="a,b", rollup_index="b") == (
        "Rollup index may not be the same as the index pattern"
    )
    assert refused(rollup_index="") == "Rollup index must be a non-null, non-empty string"
    assert refused(cron="") == "Cron schedule must be a non-null, non-empty string"
    assert refused(page_size=0) == "Page size is mandatory and  must be a positive long"
    assert refused(groups=None) == "At least one grouping or metric must be configured"
    with pytest.raises(IllegalArgumentError, match="Interval must be a positive long"):
        make_histogram(0, ["a"])
    with pytest.raises(IllegalArgumentError, match=r"Metrics must be a non-null, non-empty array"):
        make_metric("a", [])


def test_the_job_moves_on_the_event_queue_without_being_read() -> None:
    fake = FakeTasks(Settings(tasks=0, tick=0))
    job = fake.add_rollup_job("sensor", docs=5_000, page_size=100, state="started")
    cluster = fake.cluster
    assert cluster.next_event_ns() == job.next_trigger_ns
    fake.advance("30s")
    assert job.state == "INDEXING"  # the firing ran as an event: nothing read the job
    fake.advance("10s")
    assert (job.state, job.stats.documents_processed) == ("STARTED", 5_000)
    assert cluster.next_event_ns() == job.next_trigger_ns


def test_a_snapshot_is_an_independent_cluster() -> None:
    fake = FakeTasks(Settings(tasks=0, tick=0))
    fake.add_rollup_job("sensor", docs=5_000, page_size=100, state="started")
    twin = copy.deepcopy(fake.cluster)
    fake.advance("40s")
    original, copied = fake.cluster.rollup.jobs["sensor"], twin.rollup.jobs["sensor"]
    assert original.stats.documents_processed == 5_000
    assert (copied.state, copied.stats.trigger_count) == ("STARTED", 0)
    assert copied.catalog is twin.indices
    twin.clock.advance("40s")  # type: ignore[attr-defined]
    twin.settle()
    assert copied.stats.documents_processed == 5_000
    assert original.stats.trigger_count == 1
