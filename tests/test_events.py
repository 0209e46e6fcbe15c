"""Time as events: the schedule, the cluster's generic events, endings, copies and generation."""

from __future__ import annotations

import copy
import functools

import pytest

from fake_tasks import Cluster, FakeTasks, Node, RealtimeClock, Settings, VirtualClock
from fake_tasks.cluster.events import Schedule
from fake_tasks.cluster.generate import generate_cluster

NODES = [Node("node00000000000000000a", "es-1", "10.0.0.1", "10.0.0.1")]


def cluster_at_zero() -> tuple[Cluster, VirtualClock]:
    clock = VirtualClock(0, tick=0)
    return Cluster(NODES, clock=clock), clock


# -- the schedule ----------------------------------------------------------------------------------


def test_the_schedule_runs_in_time_order_then_scheduling_order() -> None:
    schedule, ran = Schedule(), []
    for at, label in ((30, "c"), (10, "a"), (30, "d"), (20, "b")):
        schedule.at(at, functools.partial(lambda label, at: ran.append((at, label)), label))
    while (entry := schedule.pop_due(25)) is not None:
        entry.callback(entry.at_ns)
    assert ran == [(10, "a"), (20, "b")]
    assert schedule.next_ns() == 30
    while (entry := schedule.pop_due(30)) is not None:
        entry.callback(entry.at_ns)
    assert ran[2:] == [(30, "c"), (30, "d")]
    assert len(schedule) == 0
    assert schedule.next_ns() is None


def test_a_withdrawn_entry_never_runs_and_the_heap_sheds_them() -> None:
    schedule = Schedule()
    entries = [schedule.at(i, lambda at: None) for i in range(1000)]
    for entry in entries[:900]:
        schedule.withdraw(entry)
    schedule.withdraw(entries[0])  # twice: ignored
    assert len(schedule) == 100
    assert len(schedule._heap) < 300  # rebuilt once withdrawn entries outnumbered live ones
    assert schedule.next_ns() == 900
    popped = schedule.pop_due(2000)
    assert popped is entries[900]
    schedule.withdraw(popped)  # already ran: ignored
    assert len(schedule) == 99


# -- the cluster's events --------------------------------------------------------------------------


class Job:
    """A stand-in for another family's state: a job that stops at a scheduled instant."""

    def __init__(self, cluster: Cluster, stop_at: int) -> None:
        self.stopped_at: int | None = None
        self.event = cluster.schedule(stop_at, self.stop)

    def stop(self, at_ns: int) -> None:
        self.stopped_at = at_ns


def test_a_scheduled_event_runs_once_at_its_instant_on_the_next_observation() -> None:
    cluster, clock = cluster_at_zero()
    job = Job(cluster, 5_000)
    assert cluster.next_event_ns() == 5_000
    clock.advance_to(4_999)
    cluster.settle()
    assert job.stopped_at is None
    clock.advance_to(9_000)
    cluster.tasks()
    assert job.stopped_at == 5_000  # its own instant, not the observation's
    job.stopped_at = None
    cluster.settle()
    assert job.stopped_at is None


def test_an_unscheduled_event_does_not_run() -> None:
    cluster, clock = cluster_at_zero()
    job = Job(cluster, 5)
    cluster.unschedule(job.event)
    clock.advance_to(10)
    cluster.settle()
    assert job.stopped_at is None
    assert cluster.next_event_ns() is None


def test_a_parent_ends_with_its_last_child_not_before() -> None:
    cluster, clock = cluster_at_zero()
    parent = cluster.start_task("test:parent", duration=10, store_result=True)
    child = cluster.start_task("test:child", parent=parent, duration=30)
    clock.advance("20s")
    assert parent.running  # its own time is up, but a child still runs
    clock.advance("15s")
    cluster.settle()
    assert (parent.finished_ns, child.finished_ns) == (30 * 10**9, 30 * 10**9)
    stored = cluster.stored_result(parent.task_id)
    assert stored is not None
    assert stored.task.running_time_ns == 30 * 10**9


def test_a_parent_waiting_for_a_scripted_child_ends_when_it_is_finished() -> None:
    cluster, clock = cluster_at_zero()
    parent = cluster.start_task("test:parent", duration=10)
    child = cluster.start_task("test:child", parent=parent)  # no foreseeable end
    clock.advance("1m")
    assert parent.running
    cluster.finish(child)
    assert parent.finished_ns == child.finished_ns == 60 * 10**9


def test_a_cancel_honoured_after_its_delay_is_an_event() -> None:
    cluster, clock = cluster_at_zero()
    task = cluster.start_task("test:slow", duration="1h", cancel_delay="5s")
    cluster.cancel(task)
    assert cluster.next_event_ns() == 5 * 10**9
    clock.advance("4s")
    assert cluster.find(task.task_id) is task
    clock.advance("1s")
    assert cluster.find(task.task_id) is None
    assert task.finished_ns == 5 * 10**9


def test_changing_a_tasks_timing_reschedules_its_end() -> None:
    cluster, clock = cluster_at_zero()
    task = cluster.start_task("test:task", duration="10s")
    cluster.set_timing(task, duration=None)
    assert cluster.next_event_ns() is None
    cluster.set_timing(task, duration="3s")
    clock.advance("3s")
    cluster.settle()
    assert task.finished_ns == 3 * 10**9


# -- copies ----------------------------------------------------------------------------------------


def test_a_deep_copy_is_an_independent_cluster_in_the_same_state() -> None:
    original, clock = cluster_at_zero()
    task = original.start_task("test:task", duration="10s", store_result=True)
    job = Job(original, 5 * 10**9)
    original.jobs = [job]  # type: ignore[attr-defined]  # state another family would hang on it
    twin = copy.deepcopy(original)
    assert isinstance(twin.clock, VirtualClock)
    twin.clock.advance("20s")
    twin.settle()
    assert twin.find(task.task_id) is None
    assert twin.stored_result(task.task_id) is not None
    assert twin.jobs[0].stopped_at == 5 * 10**9  # type: ignore[attr-defined]
    assert job.stopped_at is None  # the copy's event ran on the copy's job
    assert original.find(task.task_id) is task
    assert original.stored_result(task.task_id) is None
    assert clock.now_ns() == 0
    original.close()
    assert not twin.closed


def test_a_copied_fake_cluster_answers_like_the_original() -> None:
    fake = FakeTasks(Settings(seed=4, tasks=40))
    twin = copy.deepcopy(fake.cluster)
    assert [t.info(0) for t in twin.tasks()] == [t.info(0) for t in fake.cluster.tasks()]


# -- generation ------------------------------------------------------------------------------------


def test_realtime_and_virtual_clocks_generate_the_same_cluster() -> None:
    def shape(cluster: Cluster) -> list[tuple[object, ...]]:
        tasks = list(cluster._index)  # as generated: no settling on the moving clock
        first = tasks[0].start_ns
        return [
            (t.task_id, t.action, t.description, t.start_ns - first, t.duration_ns, t.parent)
            for t in tasks
        ]

    fast = RealtimeClock(speed=10_000)  # reading it while generating would end tasks
    realtime = shape(generate_cluster(11, tasks=10_000, clock=fast))
    virtual = shape(generate_cluster(11, tasks=10_000, clock=VirtualClock()))
    assert len(realtime) == 10_000
    assert realtime == virtual


@pytest.mark.parametrize("size", [10, 1_000])
def test_a_seed_gives_one_cluster(size: int) -> None:
    def infos(cluster: Cluster) -> list[object]:
        return [t.info(cluster.now_ns()) for t in cluster.tasks()]

    assert infos(generate_cluster(8, tasks=size)) == infos(generate_cluster(8, tasks=size))


def test_a_copy_runs_another_familys_scheduled_state_on_the_copy() -> None:
    fake = FakeTasks(Settings(seed=4, tasks=5, tick=0))
    job = fake.add_rollup_job("copied", state="started")
    assert job.event is not None
    twin = copy.deepcopy(fake.cluster)
    twin_job = twin.rollup.jobs["copied"]
    assert twin_job.scheduler is twin
    assert twin_job.event is not None
    assert twin_job.event is not job.event
    assert any(entry is twin_job.event for _, _, entry in twin._schedule._heap)
    assert twin.next_event_ns() == fake.cluster.next_event_ns()
    assert isinstance(twin.clock, VirtualClock)
    twin.clock.advance("1m")  # past the next cron firing: the copy's job starts indexing
    twin.settle()
    assert twin_job.state == "INDEXING"
    assert job.state == "STARTED"


def test_a_copy_has_its_own_index_catalog_on_its_own_clock() -> None:
    fake = FakeTasks(Settings(seed=4, tasks=30))
    twin = copy.deepcopy(fake.cluster)
    names = [index.name for index in fake.cluster.indices]
    assert names
    assert [index.name for index in twin.indices] == names
    assert isinstance(twin.clock, VirtualClock)
    twin.clock.advance("1h")
    created = twin.indices.create("made-in-the-copy", docs=5)
    assert created.settings["index.creation_date"] == str(twin.clock.now_ns() // 1_000_000)
    assert "made-in-the-copy" not in fake.cluster.indices
    first = next(iter(twin.indices))
    first.mappings["changed"] = True
    assert "changed" not in next(iter(fake.cluster.indices)).mappings
