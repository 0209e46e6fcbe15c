"""Cost pinned as counts, not seconds: Python function calls per request at 1k and 100k tasks.

A request that reads one task (get by id, cancel of a scripted action, a parent's children) must
cost the same whatever the cluster's size; generation must grow linearly. Each request moves
the clock by a nanosecond (`tick`), so time passes but no generated task ends meanwhile.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import Clock, FakeTasks, RealtimeClock, Settings, Task, VirtualClock
from fake_tasks.cluster.generate import generate_cluster
from fake_tasks.rest.app import App

SMALL, LARGE = 1_000, 100_000
SCRIPTED = "test:scripted/action"


def calls(action: Callable[[], object]) -> int:
    """How many Python functions run during `action()`."""
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return count


class Sized:
    """A fake of `size` tasks, with a scripted parent and three children to look up."""

    def __init__(self, size: int) -> None:
        self.fake = FakeTasks(Settings(seed=3, nodes=3, tasks=size, tick="1nanos"))
        self.client = Client(App(self.fake))
        self.parent = self.fake.add_task(SCRIPTED, cancel_delay=None)
        self.children = [
            self.fake.add_task(SCRIPTED + "[n]", parent=self.parent, cancel_delay=None)
            for _ in range(3)
        ]
        self.any_task: Task = self.fake.tasks()[size // 2]

    def get(self, path: str, method: str = "GET") -> int:
        def send() -> None:
            response = self.client.open(path, method=method)
            assert response.status_code == 200, response.get_data()

        send()  # warm: caches, lazy imports
        return calls(send)


@pytest.fixture(scope="module")
def sizes() -> tuple[Sized, Sized]:
    return Sized(SMALL), Sized(LARGE)


def same_cost(small: int, large: int) -> None:
    assert large <= small * 1.1 + 50, f"{small} calls at {SMALL} tasks, {large} at {LARGE}"


def test_get_by_id_costs_the_same_at_100k_tasks(sizes: tuple[Sized, Sized]) -> None:
    small, large = sizes
    same_cost(
        small.get(f"/_tasks/{small.any_task.task_id}"),
        large.get(f"/_tasks/{large.any_task.task_id}"),
    )


def test_a_parents_children_are_read_from_the_parent_index(sizes: tuple[Sized, Sized]) -> None:
    small, large = sizes
    same_cost(
        small.get(f"/_tasks?parent_task_id={small.parent.task_id}&detailed"),
        large.get(f"/_tasks?parent_task_id={large.parent.task_id}&detailed"),
    )


def test_actions_are_read_from_the_action_index(sizes: tuple[Sized, Sized]) -> None:
    small, large = sizes
    path = f"/_tasks?actions={SCRIPTED}*"
    same_cost(small.get(path), large.get(path))


def test_cancel_by_action_touches_only_the_matching_tasks(sizes: tuple[Sized, Sized]) -> None:
    small, large = sizes
    path = f"/_tasks/_cancel?actions={SCRIPTED}*"
    same_cost(small.get(path, "POST"), large.get(path, "POST"))
    assert all(t.cancelled for t in large.children)  # ignoring the cancel, still running


def test_moving_the_clock_runs_only_the_due_events() -> None:
    def settle_after_one_ending(size: int) -> int:
        fake = FakeTasks(Settings(seed=3, tasks=size, tick=0))
        task = fake.add_task("test:short", duration="1s")
        fake.cluster.settle()
        assert isinstance(fake.clock, VirtualClock)
        fake.clock.advance("2s")  # every generated task runs for minutes more
        count = calls(fake.cluster.settle)
        assert not task.running
        assert len(fake.tasks()) == size
        return count

    small, large = settle_after_one_ending(SMALL), settle_after_one_ending(LARGE // 10)
    assert small == large


@pytest.mark.parametrize("clock", [VirtualClock, RealtimeClock])
def test_generation_grows_linearly(clock: Callable[[], Clock]) -> None:
    small = calls(lambda: generate_cluster(5, tasks=SMALL, clock=clock()))
    large = calls(lambda: generate_cluster(5, tasks=10 * SMALL, clock=clock()))
    assert large <= small * 10 * 1.1


def test_a_list_builds_no_status_unless_detailed() -> None:
    fake = FakeTasks(Settings(tasks=0, tick=0))
    seen: list[int] = []
    fake.add_task("test:status", status=lambda task, now: seen.append(now) or {"n": 1})
    client = Client(App(fake))
    client.get("/_tasks")
    client.post("/_tasks/_cancel?actions=nothing")
    assert seen == []
    client.get("/_tasks?detailed")
    assert len(seen) == 1
