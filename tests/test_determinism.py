"""The same seed and the same requests give byte-identical answers; another seed gives others."""

from __future__ import annotations

from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.rest.app import App

HEADERS = {
    "X-Opaque-Id": "determinism",
    "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
}


def _some_task_id(fake: FakeTasks) -> str:
    return str(next(t for t in fake.tasks("indices:data/*") if t.cancellable).task_id)


def transcript(seed: int) -> list[bytes]:
    """Status, headers and body of a fixed sequence of requests on a fresh cluster."""
    fake = FakeTasks(Settings(seed=seed, nodes=4, tasks=40))
    client = Client(App(fake))
    task_id = _some_task_id(fake)
    requests = [
        ("GET", "/"),
        ("GET", "/_nodes"),
        ("GET", "/_tasks"),
        ("GET", "/_tasks?detailed&human&group_by=parents"),
        ("GET", "/_tasks?detailed&group_by=none&pretty"),
        ("GET", f"/_tasks/{task_id}"),
        ("GET", f"/_tasks/{task_id}?wait_for_completion=true&timeout=5s"),
        ("POST", "/_tasks/_cancel?actions=*search*"),
        ("POST", f"/_tasks/{task_id}/_cancel"),
        ("GET", "/_tasks?detailed&actions=indices:*"),
        ("GET", "/_tasks?wait_for_completion=true&timeout=2m&actions=*byquery,*reindex"),
        ("GET", "/_tasks/nope"),
        ("GET", "/_tasks?filter_path=**.headers"),
    ]
    out = []
    for method, path in requests:
        response = client.open(path, method=method, headers=HEADERS)
        head = f"{method} {path} -> {response.status_code} {sorted(response.headers.items())}"
        out.append(head.encode() + b"\n" + response.get_data())
    assert fake.server_errors == []
    return out


def test_same_seed_same_bytes() -> None:
    first, second = transcript(42), transcript(42)
    assert len(first) == len(second)
    for a, b in zip(first, second, strict=True):
        assert a == b


def test_different_seeds_differ() -> None:
    a, b = transcript(1), transcript(2)
    bodies_a = [t.split(b"\n", 1)[1] for t in a]
    bodies_b = [t.split(b"\n", 1)[1] for t in b]
    for index in range(5):  # cluster info, nodes and every listing differ
        assert bodies_a[index] != bodies_b[index]


def test_reset_gives_the_same_cluster_again() -> None:
    fake = FakeTasks(Settings(seed=9, nodes=3, tasks=20))
    client = Client(App(fake))
    before = client.get("/_tasks?detailed").get_data()
    client.post("/_tasks/_cancel?actions=*")
    fake.reset()
    assert Client(App(fake)).get("/_tasks?detailed").get_data() == before
