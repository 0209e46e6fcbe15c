"""A reset restores the cluster as generated: byte for byte, by copying, not at all if unused."""

from __future__ import annotations

import copy
import pickle
import threading
import types
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import Cluster, FakeTasks, RealtimeClock, Settings, VirtualClock
from fake_tasks.cluster import generate
from fake_tasks.rest.app import App
from fake_tasks.scripting import fake as fake_module
from fake_tasks.scripting import pristine

SETTINGS = [
    Settings(),
    Settings(seed=7, nodes=5, tasks=200, tick="250ms"),
    Settings(seed=3, nodes=1, tasks=12, version="8.8.0", tick=0),
]


def transcript(fake: FakeTasks) -> list[bytes]:
    """Scripted changes and requests that touch every part of the state, and what they answer."""
    client = Client(App(fake))
    out = []

    def send(method: str, path: str) -> None:
        response = client.open(path, method=method, headers={"X-Opaque-Id": "reset"})
        out.append(f"{method} {path} {response.status_code}\n".encode() + response.get_data())

    send("GET", "/_tasks?detailed&group_by=parents")
    first = fake.tasks()[0]
    send("GET", f"/_tasks/{first.task_id}")
    send("POST", "/_tasks/_cancel?actions=*search*")
    added = fake.add_reindex(docs=5000, duration="20s", slices=2, cancel_delay="3s")
    fake.add_task("cluster:admin/scripted", description="scripted", headers={"a": "b"})
    send("POST", f"/_tasks/{added.task_id}/_cancel")
    fake.advance("1m")
    send("GET", f"/_tasks/{added.task_id}")
    send("GET", "/_tasks?detailed&actions=*reindex*,cluster:*")
    send("GET", "/_tasks?wait_for_completion&timeout=1h")
    assert fake.server_errors == []
    return out


def state(cluster: Cluster) -> dict[str, Any]:
    """Everything a cluster holds, as comparable values (functions by name, cycles cut)."""
    seen: set[int] = set()

    def plain(value: object) -> object:
        if isinstance(value, str | int | float | bool | type(None)):
            return value
        if isinstance(value, types.MethodType | types.FunctionType):  # methods: made per access
            owner = getattr(value, "__self__", None)
            name = getattr(value, "__qualname__", type(value).__qualname__)
            return f"callable {name} of {type(owner).__name__}"
        if id(value) in seen:
            return f"again {type(value).__name__}"
        seen.add(id(value))
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            items = [plain(v) for v in value]
            return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
        fields = dict(getattr(value, "__dict__", {}))
        for slot in getattr(type(value), "__slots__", ()):
            fields[slot] = getattr(value, slot, None)
        return {"type": type(value).__name__, **{k: plain(v) for k, v in fields.items()}}

    skipped = ("lock", "changed", "clock", "task_failures")
    values = {name: plain(value) for name, value in vars(cluster).items() if name not in skipped}
    return {**values, "now": cluster.clock.now_ns(), "clock": type(cluster.clock).__name__}


@pytest.mark.parametrize("settings", SETTINGS, ids=["default", "seed7", "one-node"])
def test_reset_gives_the_cluster_as_freshly_generated(settings: Settings) -> None:
    fresh = FakeTasks(settings)
    expected_state = state(fresh.cluster)
    expected = transcript(fresh)

    used = FakeTasks(settings)
    for _ in range(3):  # the first reset generates and keeps a copy, later ones copy it
        transcript(used)
        used.reset()
        assert state(used.cluster) == expected_state
        assert transcript(used) == expected
        used.reset()


def test_reset_to_other_settings_and_back() -> None:
    fake = FakeTasks()
    default = transcript(fake)
    fake.reset(seed=7, tasks=200)
    other = transcript(fake)
    assert other != default
    fake.reset(Settings())
    assert transcript(fake) == default
    fake.reset(seed=7, tasks=200)
    assert transcript(fake) == other
    assert transcript(FakeTasks(Settings(seed=7, tasks=200))) == other


class Counts:
    """How often generation runs, and copies of a kept cluster are made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.generated = self.copied = 0
        real_generate, real_thaw = generate.generate_cluster, pristine._thaw

        def counting_generate(*args: Any, **kwargs: Any) -> Cluster:
            self.generated += 1
            return real_generate(*args, **kwargs)

        def counting_thaw(frozen: bytes | Cluster) -> Cluster:
            self.copied += 1
            return real_thaw(frozen)

        monkeypatch.setattr(fake_module, "generate_cluster", counting_generate)
        monkeypatch.setattr(pristine, "_thaw", counting_thaw)


def test_an_unused_cluster_is_neither_generated_nor_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTasks()
    counts = Counts(monkeypatch)
    for _ in range(100):
        fake.reset()
        fake.journal.clear()
        assert fake.settings == Settings()
    assert (counts.generated, counts.copied) == (0, 0)


def test_a_used_cluster_is_generated_once_then_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTasks()
    counts = Counts(monkeypatch)
    for _ in range(100):
        fake.advance("1s")  # any scripting call or request counts as use
        fake.reset()
    # the first reset serves the cluster it generated and keeps it pickled
    assert (counts.generated, counts.copied) == (1, 99)
    fake.reset(seed=1)
    fake.reset(seed=0)
    assert (counts.generated, counts.copied) == (2, 100)


def test_a_given_clock_is_regenerated_at_its_own_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = VirtualClock()
    fake = FakeTasks(clock=clock)
    counts = Counts(monkeypatch)
    clock.advance("1h")
    fake.reset()
    assert fake.clock is clock
    assert (counts.generated, counts.copied) == (1, 0)
    at_that_time = generate.generate_cluster(0, clock=VirtualClock(clock.now_ns()))
    assert [t.start_ns for t in fake.tasks()] == [t.start_ns for t in at_that_time.tasks()]


def test_realtime_clusters_are_generated_anew() -> None:
    fake = FakeTasks(clock=RealtimeClock())
    before = fake.cluster
    fake.reset()
    assert fake.cluster is not before
    assert isinstance(fake.clock, RealtimeClock)


def test_reset_closes_the_replaced_cluster_only() -> None:
    fake = FakeTasks()
    used = fake.cluster
    fake.reset()
    assert used.closed
    assert not fake.cluster.closed


def test_kept_clusters_are_bounded() -> None:
    kept = pristine.Pristine(entries=2, tasks=100)
    built: list[int] = []

    def build(size: int) -> Cluster:
        built.append(size)
        return generate.generate_cluster(size, tasks=size)

    for key in (10, 20, 30, 10, 30):  # 10 was dropped for 30: two entries at most
        kept.copy(key, key, lambda key=key: build(key))
    assert built == [10, 20, 30, 10]
    kept.copy(90, 90, lambda: build(90))  # 90 + 30 > 100 tasks: 30 goes
    kept.copy(30, 30, lambda: build(30))
    kept.copy(500, 500, lambda: build(500))  # larger than the whole budget: never kept
    kept.copy(500, 500, lambda: build(500))
    assert built == [10, 20, 30, 10, 90, 30, 500, 500]


def test_a_deep_copy_is_an_independent_cluster() -> None:
    original = generate.generate_cluster(5, tasks=40)
    before = state(original)
    clone = copy.deepcopy(original)
    assert state(clone) == before
    assert clone.lock is not original.lock
    assert clone.clock is not original.clock
    assert isinstance(clone.clock, VirtualClock)
    task = clone.tasks()[0]
    task.headers["changed"] = "yes"
    clone.cancel(next(t for t in clone.tasks() if t.cancellable))
    clone.start_task("cluster:admin/new")
    assert isinstance(clone.clock, VirtualClock)
    clone.clock.advance("1d")
    clone.settle()
    assert state(original) == before
    done = threading.Event()
    with clone.lock:  # the copy's lock is its own: the original stays usable meanwhile
        worker = threading.Thread(target=lambda: (original.tasks(), done.set()))
        worker.start()
        assert done.wait(10)
    worker.join(10)


def test_a_cluster_that_does_not_pickle_is_deep_copied() -> None:
    kept = pristine.Pristine()

    def build() -> Cluster:
        cluster = generate.generate_cluster(2, tasks=10)
        cluster.start_task("cluster:admin/closure", status=lambda task, now: {"now": now})
        return cluster

    with pytest.raises(AttributeError, match="local object"):
        pickle.dumps(build())
    first, second = kept.copy("key", 10, build), kept.copy("key", 10, build)
    assert first is not second
    assert state(first) == state(second)


def test_generated_clusters_pickle() -> None:
    for settings in SETTINGS:
        fake = FakeTasks(settings)
        assert state(pickle.loads(pickle.dumps(fake.cluster))) == state(fake.cluster)
