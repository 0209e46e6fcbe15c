"""What `serve` and generation do before the first answer, pinned as counts, never as times."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import pytest

from fake_tasks.cluster import generate, indices
from fake_tasks.cluster.clock import VirtualClock
from fake_tasks.cluster.indices import IndexCatalog, seeded_docs

SERVE_UNTIL_ANSWER = """
import contextlib, io, sys, threading, urllib.request
from fake_tasks import cli

args = cli.build_parser().parse_args(["serve", "--port", "0", "--quiet"])
ready, stop, out = threading.Event(), threading.Event(), io.StringIO()
with contextlib.redirect_stdout(out):
    worker = threading.Thread(target=cli.serve, args=(args,), kwargs={"ready": ready, "stop": stop})
    worker.start()
    assert ready.wait(60)
url = out.getvalue().split()[0]
with urllib.request.urlopen(url + "/", timeout=30) as response:
    assert response.status == 200
loaded = sorted(m for m in NOT_NEEDED if m in sys.modules)
stop.set()
worker.join(30)
print(*loaded)
"""

NOT_NEEDED = (
    "faker",  # its word list is read from its files
    "jsonschema",  # the fast check answers
    "pytest_httpserver",
    "fake_tasks.contract.live",  # `check`
    "fake_tasks.record",  # `record`
    "fake_tasks.scripting.livetree",  # `tree`
)


def test_serve_answers_its_first_request_without_what_it_does_not_need() -> None:
    code = f"NOT_NEEDED = {NOT_NEEDED!r}\n{SERVE_UNTIL_ANSWER}"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == []


class CountingIndex(indices.Index):
    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        CountingIndex.made += 1


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> type[CountingIndex]:
    CountingIndex.made = 0
    monkeypatch.setattr(indices, "Index", CountingIndex)
    return CountingIndex


def test_generation_builds_no_index_until_the_catalog_is_read(
    counting: type[CountingIndex],
) -> None:
    cluster = generate.generate_cluster(4, tasks=2_000)
    assert counting.made == 0
    names = cluster.indices.names()
    assert len(names) > 100
    assert counting.made == len(names)
    cluster.indices.names()
    assert counting.made == len(names)


def test_a_copy_of_an_unread_catalog_is_still_planned(counting: type[CountingIndex]) -> None:
    cluster = generate.generate_cluster(4, tasks=500)
    twin = copy.deepcopy(cluster)
    assert counting.made == 0
    assert [i.uuid for i in twin.indices] == [i.uuid for i in cluster.indices]


def test_a_planned_index_is_the_one_create_makes_with_its_largest_size() -> None:
    clock = VirtualClock(1_767_225_600_000_000_000, tick=0)
    planned, created = IndexCatalog(clock, "9.1.0"), IndexCatalog(clock, "9.1.0")
    mapping = {"properties": {"value": {"type": "long"}}}
    planned.plan("logs", mapping, docs=0)
    planned.plan("logs", mapping, seed=7)
    planned.plan("logs", mapping, docs=3)
    created.create("logs", mappings=mapping, docs=max(0, seeded_docs(7, "logs"), 3))
    index = planned.get("logs")
    assert index is not None
    assert index == created.get("logs")
    index.mappings["properties"]["value"]["type"] = "keyword"
    assert mapping == {"properties": {"value": {"type": "long"}}}  # copied when created


def test_running_count_counts_without_listing() -> None:
    clock = VirtualClock(tick=0)
    cluster = generate.generate_cluster(2, tasks=300, clock=clock)
    assert cluster.running_count() == len(cluster.tasks()) == 300
    clock.advance("1d")
    assert cluster.running_count() == len(cluster.tasks()) < 300
