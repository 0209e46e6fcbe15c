"""The public API's conventions (docs/architecture.md, "API conventions"), checked mechanically."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from typing import Any

import pytest

import fake_tasks
from fake_tasks import EsError, FakeTasks, FakeTasksError, Fault, Settings, VirtualClock

DURATION_NAMES = {"duration", "delay", "cancel_delay", "started_ago", "timeout", "tick", "max_wait"}


def public_callables() -> list[tuple[str, Any]]:
    found = []
    for name in fake_tasks.__all__:
        value = getattr(fake_tasks, name)
        if inspect.isclass(value):
            found.append((name, value.__init__))
            found += [
                (f"{name}.{attr}", member)
                for attr, member in vars(value).items()
                if not attr.startswith("_")
                and (inspect.isfunction(member) or isinstance(member, staticmethod))
            ]
        elif inspect.isfunction(value):
            found.append((name, value))
    unwrapped = [(n, f.__func__ if isinstance(f, staticmethod) else f) for n, f in found]
    return [(n, f) for n, f in unwrapped if inspect.isfunction(f)]  # not Exception.__init__


CALLABLES = public_callables()


@pytest.mark.parametrize(("name", "function"), CALLABLES, ids=[name for name, _ in CALLABLES])
def test_durations_take_seconds_or_time_strings(name: str, function: Any) -> None:
    hints = getattr(function, "__annotations__", {})  # text (`from __future__ import annotations`)
    for parameter in inspect.signature(function).parameters:
        if parameter in DURATION_NAMES and name != "check_cluster":  # a socket timeout
            accepted = {part.strip() for part in str(hints[parameter]).split("|")}
            assert {"float", "str"} <= accepted, f"{name}({parameter}=...) takes {accepted}"


def test_errors_are_built_type_reason_status() -> None:
    for function in (EsError.custom, Fault.error):
        assert list(inspect.signature(function).parameters)[:3] in (
            ["es_type", "reason", "status"],
            ["error", "reason", "status"],
        )
    built = EsError.custom("cluster_block_exception", "blocked", 503)
    faulted = Fault.error("cluster_block_exception", "blocked", 503)
    assert faulted.exception.body() == built.body()


def test_time_can_be_read_and_moved() -> None:
    fake = FakeTasks(Settings(tasks=0))
    start = fake.now
    assert start == datetime(2026, 1, 1, tzinfo=UTC)
    fake.advance("90s")
    assert (fake.now - start).total_seconds() == 90
    assert fake.clock.now_ns() == 1_767_225_690_000_000_000
    assert isinstance(fake.clock, VirtualClock)
    fake.clock.set_tick(0)
    assert fake.clock.tick_ns == 0


def test_a_task_fails_with_a_reason_or_an_error() -> None:
    fake = FakeTasks(Settings(tasks=0))
    by_reason = fake.add_task("indices:data/write/reindex", store_result=True)
    fake.fail(by_reason, "the index was closed")
    stored = fake.cluster.stored_result(by_reason.task_id)
    assert stored is not None
    assert stored.error is not None
    assert (stored.error.es_type, stored.error.reason) == (
        "illegal_state_exception",
        "the index was closed",
    )
    by_error = fake.add_task("indices:data/write/reindex", store_result=True)
    fake.fail(by_error, EsError.custom("index_closed_exception", "closed", 400))
    stored = fake.cluster.stored_result(by_error.task_id)
    assert stored is not None
    assert stored.error is not None
    assert stored.error.es_type == "index_closed_exception"


@pytest.mark.parametrize("slices", [1, 2])
def test_cancel_delays_apply_to_reindex_family_tasks(slices: int) -> None:
    fake = FakeTasks(Settings(tasks=0))
    slow = fake.add_reindex("a", "b", duration="10m", slices=slices)
    fake.slow_cancel(slow, "20s")
    stubborn = fake.add_update_by_query("c", duration="10m")
    fake.ignore_cancel(stubborn)
    fake.cancel(slow)
    fake.cancel(stubborn)
    fake.advance("19s")
    assert fake.tasks("*reindex") == [slow, *fake.cluster.children(slow)]
    fake.advance("2s")
    assert fake.tasks("*reindex") == []
    fake.advance("1m")
    assert fake.tasks("*byquery") == [stubborn]


def test_a_batch_paced_task_refuses_a_duration() -> None:
    fake = FakeTasks(Settings(tasks=0))
    task = fake.add_reindex("a", "b")
    with pytest.raises(FakeTasksError, match="runs batch by batch; pace it with rethrottle"):
        fake.set_duration(task, "1m")
    plain = fake.add_task("indices:data/read/search")
    assert fake.set_duration(plain, "1m") is plain
