"""`GET /_cat/tasks` and hot threads through the WSGI app (no sockets).

Layouts from `RestTable`, `AbstractCatAction`, `RestTasksAction`, `RestNodesHotThreadsAction`
and `HotThreads` (docs/es-facts.md, "Reindex family, `_cat/tasks`, hot threads").
"""

from __future__ import annotations

import json
import re

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings, Task

SEARCH = "indices:data/read/search"


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks(Settings(seed=5, nodes=2, tasks=0))


@pytest.fixture
def search(fake: FakeTasks) -> Task:
    parent = fake.add_task(
        SEARCH, description="indices[logs]", headers={"X-Opaque-Id": "dash"}, started_ago=90
    )
    fake.add_task(SEARCH + "[phase/query]", parent=parent, started_ago=89.5)
    return parent


def text(client: Client, query: str) -> str:
    response = client.get(f"/_cat/tasks?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/plain; charset=UTF-8"
    return response.get_data(as_text=True)


def test_text_table_pads_columns_to_the_widest_value(client: Client, search: Task) -> None:
    lines = text(client, "v&h=action,task_id,type").splitlines()
    header, rows = lines[0], lines[1:]
    widths = [len(max(col, key=len)) for col in zip(*(r.split() for r in lines), strict=True)]
    assert header.split() == ["action", "task_id", "type"]
    assert header == f"{'action':<{widths[0]}} {'task_id':<{widths[1]}} type"
    assert rows[0].startswith(f"{SEARCH:<{widths[0]}} {search.task_id}")
    assert rows[1].startswith(SEARCH + "[phase/query]")  # a child right after its parent
    assert all(not line.endswith(" ") for line in lines)  # the last column is not padded


def test_default_columns_and_the_request_listing_itself(client: Client, search: Task) -> None:
    lines = text(client, "v").splitlines()
    assert lines[0].split() == [
        "action",
        "task_id",
        "parent_task_id",
        "type",
        "start_time",
        "timestamp",
        "running_time",
        "ip",
        "node",
    ]
    actions = [line.split()[0] for line in lines[1:]]
    assert actions[:2] == [SEARCH, SEARCH + "[phase/query]"]
    assert "cluster:monitor/tasks/lists" in actions  # the cat request's own task
    row = lines[1].split()
    assert row[2] == "-"
    assert re.fullmatch(r"\d\d:\d\d:\d\d", row[5])
    assert row[6] == "1.5m"


def test_json_rows_hold_strings_under_the_names_asked_for(client: Client, search: Task) -> None:
    response = client.get("/_cat/tasks?format=json&h=ti,ac,time,po,x&s=start_time")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    rows = json.loads(response.get_data())
    assert list(rows[0]) == ["ti", "ac", "time", "po", "x"]
    assert rows[0] == {
        "ti": str(search.task_id),
        "ac": SEARCH,
        "time": "1.5m",
        "po": "9300",
        "x": "dash",
    }


def test_accept_json_and_time_units_and_sorting(client: Client, search: Task) -> None:
    response = client.get(
        "/_cat/tasks?h=ac,running_time&time=ms&s=running_time:desc&actions=indices:*",
        headers={"Accept": "application/json"},
    )
    rows = json.loads(response.get_data())
    assert rows == [
        {"ac": SEARCH, "running_time": "91000"},  # the request moved the clock 1s
        {"ac": SEARCH + "[phase/query]", "running_time": "90500"},
    ]


def test_detailed_adds_the_description_and_ts_false_drops_the_timestamp(
    client: Client, search: Task
) -> None:
    header = text(client, "v&detailed&ts=false&actions=indices:*").splitlines()[0].split()
    assert header[-1] == "description"
    assert "timestamp" not in header


def test_help_lists_every_column_with_aliases_and_descriptions(client: Client) -> None:
    lines = text(client, "help").splitlines()
    assert lines[0] == "id              |               | id of the task with the node"
    assert lines[6] == "timestamp       | ts,hms,hhmmss | start time in HH:MM:SS      "
    assert len(lines) == 15


def test_unknown_sort_key_is_the_servers_500_and_full_id_is_refused(client: Client) -> None:
    response = client.get("/_cat/tasks?s=nope")
    assert response.status_code == 500
    assert response.json == {
        "error": {
            "root_cause": [
                {
                    "type": "unsupported_operation_exception",
                    "reason": "Unable to sort by unknown sort key `nope`",
                }
            ],
            "type": "unsupported_operation_exception",
            "reason": "Unable to sort by unknown sort key `nope`",
        },
        "status": 500,
    }
    refused = client.get("/_cat/tasks?full_id=true")
    assert refused.status_code == 400
    assert "unrecognized parameter: [full_id]" in refused.json["error"]["reason"]  # type: ignore[index]


# --- hot threads ----------------------------------------------------------------------------------


def hot(client: Client, path: str = "/_nodes/hot_threads") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/plain; charset=UTF-8"
    return response.get_data(as_text=True)


def test_hot_threads_has_a_section_per_node_with_the_task_threads(
    client: Client, fake: FakeTasks
) -> None:
    first, second = fake.cluster.nodes.values()
    fake.add_reindex("logs", "logs-copy", node=first.id)
    report = hot(client)
    sections = report.split("::: ")[1:]
    assert [s.split("}")[0] for s in sections] == [f"{{{first.name}", f"{{{second.name}"]
    lines = sections[0].splitlines()
    assert lines[0].startswith(f"{{{first.name}}}{{{first.id}}}{{")
    assert re.fullmatch(
        r"   Hot threads at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,9}, interval=500ms, "
        r"busiestThreads=3, ignoreIdleThreads=true:",
        lines[1],
    )
    assert lines[2] == "   "
    assert re.fullmatch(
        r"   \s*\d+\.\d% \[cpu=\d+\.\d%, other=\d+\.\d%\] \(\S+ out of 500ms\) cpu usage by "
        rf"thread 'elasticsearch\[{first.name}\]\[write\]\[T#1\]'",
        lines[3],
    )
    assert lines[4] == "     10/10 snapshots sharing following 8 elements"
    assert "[write]" not in sections[1]


def test_hot_threads_of_one_node_with_idle_threads_and_other_types(
    client: Client, fake: FakeTasks
) -> None:
    node = next(iter(fake.cluster.nodes.values()))
    report = hot(client, f"/_nodes/{node.name}/hot_threads?ignore_idle_threads=false&threads=1")
    assert report.count(":::") == 1
    assert report.count("usage by thread") == 1
    waits = hot(client, "/_nodes/_local/hot_threads?type=wait&interval=1s&snapshots=5")
    assert "interval=1s" in waits
    mem = hot(client, "/_nodes/_local/hot_threads?type=mem&ignore_idle_threads=false")
    assert "memory allocated by thread" in mem


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("type=gpu", "type not supported [gpu]"),
        ("sort=name", "sort order not supported [name]"),
        ("threads=many", "Failed to parse int parameter [threads] with value [many]"),
        ("type=gpu&sort=name", "type not supported [gpu]"),  # read (and refused) first
    ],
)
def test_hot_threads_refuses_bad_values_as_the_server_does(
    client: Client, query: str, reason: str
) -> None:
    response = client.get(f"/_nodes/hot_threads?{query}")
    assert response.status_code == 400
    assert response.json["error"]["reason"] == reason  # type: ignore[index]
