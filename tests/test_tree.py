"""Task trees: rows from the model and from list answers, the drawing, and `fake-tasks tree`."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.test import Client

from fake_tasks import EsError, FakeTasks, FakeTasksServer, Fault, Security, Settings, make_tls
from fake_tasks.cli import main
from fake_tasks.rest.app import App
from fake_tasks.scripting.livetree import main_tree
from fake_tasks.scripting.tree import (
    TaskRow,
    TaskTree,
    from_cluster,
    from_list_response,
    render_tree,
    summary,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"


def scripted() -> FakeTasks:
    """A small cluster whose tree shows every kind of line: children, grandchildren, a
    cancelled task, a finished one, an orphan and (in the snapshot) a failed node.

    Only scripted tasks, so that changes to the generated workload leave the snapshot alone;
    `FAKE_TASKS_UPDATE_SNAPSHOTS=1` rewrites it after a deliberate change of the drawing.
    """
    fake = FakeTasks(Settings(seed=7, nodes=3, tasks=0, tick=0))
    nodes = list(fake.cluster.nodes)
    fake.add_reindex("logs", "logs-v2", duration="10m", slices=2, node=nodes[0], started_ago="90s")
    search = fake.add_task("indices:data/read/search", node=nodes[1], description="indices[a]")
    fake.add_task("indices:data/read/search[phase/query]", node=nodes[2], parent=search)
    bulk = fake.add_task("indices:data/write/bulk", node=nodes[1], cancellable=False)
    shard = fake.add_task("indices:data/write/bulk[s]", node=nodes[0], parent=bulk)
    fake.add_task("indices:data/write/bulk[s][p]", node=nodes[0], parent=shard, cancellable=False)
    fake.cancel(
        fake.add_task("indices:data/write/update/byquery", node=nodes[1], cancel_delay="1m")
    )
    fake.add_task("indices:data/write/bulk[s]", node=nodes[1], parent=f"{nodes[0]}:999999")
    done = fake.add_task("indices:data/write/delete/byquery", store_result=True, duration="2s")
    fake.advance("5s")
    assert not done.running
    return fake


@pytest.fixture
def served() -> Iterator[FakeTasksServer]:
    with FakeTasksServer(scripted()) as server:
        yield server


def test_model_rows_include_stored_results_and_cancellation() -> None:
    tree = from_cluster(scripted().cluster)
    states = {row.action: (row.state, row.cancelled) for row in tree.rows}
    assert states["indices:data/write/delete/byquery"] == ("completed", False)
    assert states["indices:data/write/update/byquery"] == ("running", True)
    assert summary(tree) == "3 node(s), 11 task(s) (10 running, 1 completed, 1 cancelled)"


@pytest.mark.parametrize("group_by", ["nodes", "parents", "none"])
def test_every_layout_gives_the_same_rows(group_by: str) -> None:
    fake = scripted()
    body = Client(App(fake)).get(f"/_tasks?detailed=true&group_by={group_by}").get_json()
    rows = from_list_response(body).rows
    listed = {row.task_id for row in from_cluster(fake.cluster).rows if row.state == "running"}
    assert {row.task_id for row in rows} - listed == {
        row.task_id for row in rows if row.action.startswith("cluster:monitor/tasks/lists")
    }
    cancelled = [row for row in rows if row.cancelled]
    assert [row.action for row in cancelled] == ["indices:data/write/update/byquery"]
    (search,) = [row for row in rows if row.description == "indices[a]"]
    children = [row.action for row in rows if row.parent_id == search.task_id]
    assert children == ["indices:data/read/search[phase/query]"]
    node = fake.cluster.nodes[search.task_id.split(":")[0]]
    assert search.node == (node.name if group_by == "nodes" else node.id)  # names only by node


def test_drawing_nests_children_and_marks_orphans() -> None:
    rows = (
        TaskRow("n:1", "a", "node-0", start_ms=1, running_ns=90 * 10**9),
        TaskRow("n:2", "a[s]", "node-0", start_ms=2, parent_id="n:1", cancelled=True),
        TaskRow("n:3", "a[s][p]", "node-1", start_ms=3, parent_id="n:2", cancelled=None),
        TaskRow("n:4", "a[s]", "node-0", start_ms=4, parent_id="n:1", state="failed"),
        TaskRow("n:5", "b", "node-1", start_ms=0, parent_id="gone:7", description="x" * 60),
    )
    lines = render_tree(TaskTree(rows, 2, ("node-2: node_disconnected_exception: gone",)))
    assert lines == [
        "TASK       ACTION   STATE    TIME  CANCELLED  NODE    DESCRIPTION",
        f"n:5        b        running  0s    no         node-1  {'x' * 45}... (parent gone:7)",
        "n:1        a        running  1.5m  no         node-0",
        "├─ n:2     a[s]     running  0s    yes        node-0",
        "│  └─ n:3  a[s][p]  running  0s    -          node-1",
        "└─ n:4     a[s]     failed   0s    no         node-0",
        "node failure: node-2: node_disconnected_exception: gone",
    ]
    assert render_tree(TaskTree(rows, 2), limit=2)[-1] == "... and 3 more task(s)"
    assert render_tree(TaskTree((), 1)) == ["no tasks"]


def test_fake_tasks_tree_matches_its_snapshot(served: FakeTasksServer) -> None:
    served.fake.fail_node(list(served.fake.cluster.nodes)[2])
    printed: list[str] = []
    assert main_tree(served.url, out=printed.append) == 0
    text = "\n".join(printed).replace(served.url, "http://127.0.0.1:PORT") + "\n"
    snapshot = SNAPSHOTS / "tree.txt"
    if os.environ.get("FAKE_TASKS_UPDATE_SNAPSHOTS"):
        snapshot.write_text(text)
    assert text == snapshot.read_text()


def test_watch_redraws_count_frames(served: FakeTasksServer) -> None:
    printed: list[str] = []
    code = main_tree(served.url, watch=True, interval=0, count=3, out=printed.append)
    assert code == 0
    frames = [p for p in printed if p.startswith(served.url)]
    assert len(frames) == 3
    assert served.fake.journal.count(api="tasks.list") == 3


def test_watch_stops_when_told(served: FakeTasksServer) -> None:
    stop = threading.Event()
    stop.set()
    printed: list[str] = []
    assert main_tree(served.url, watch=True, interval=60, stop=stop, out=printed.append) == 0
    assert len([p for p in printed if p.startswith(served.url)]) == 1


def test_auth_options_reach_the_cluster(served: FakeTasksServer) -> None:
    printed: list[str] = []
    main_tree(
        served.url,
        user="elastic:secret",
        header=["X-Tenant: blue"],
        actions="indices:data/write/*",
        out=printed.append,
    )
    exchange = served.fake.journal[-1]
    assert exchange.request_header("Authorization") == "Basic ZWxhc3RpYzpzZWNyZXQ="
    assert exchange.request_header("X-Tenant") == "blue"
    assert exchange.params["actions"] == "indices:data/write/*"
    assert "indices:data/read/search" not in "\n".join(printed)


def test_an_error_answer_is_reported(served: FakeTasksServer) -> None:
    reason = "missing authentication credentials for REST request [/_tasks?detailed=true]"
    served.fake.inject(Fault.error(EsError.custom("security_exception", reason, 401)))
    printed: list[str] = []
    assert main_tree(served.url, out=printed.append) == 1
    assert printed == [
        "fake-tasks tree: GET /_tasks?detailed=true -> 401: security_exception: " + reason
    ]


def test_no_answer_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeTasksServer() as server:
        url = server.url
    assert main(["tree", url, "--timeout", "5"]) == 1
    assert capsys.readouterr().out.startswith(f"fake-tasks tree: no answer from {url}: ")


def test_a_malformed_header_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tree", "http://127.0.0.1:9", "-H", "no colon"]) == 2
    assert "a header is 'Name: value'" in capsys.readouterr().err


def test_the_command_runs(served: FakeTasksServer) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fake_tasks", "tree", served.url, "--limit", "3"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"{served.url}: 3 node(s)")
    assert lines[1].split() == [
        "TASK",
        "ACTION",
        "STATE",
        "TIME",
        "CANCELLED",
        "NODE",
        "DESCRIPTION",
    ]
    assert lines[5].startswith("... and ")


def test_the_list_requests_own_tasks_can_be_left_out() -> None:
    client = Client(App(scripted()))
    body = client.get("/_tasks", headers={"X-Opaque-Id": "me"}).get_json()
    own = "cluster:monitor/tasks/lists"
    assert {r.action for r in from_list_response(body).rows} >= {own, f"{own}[n]"}
    hidden = from_list_response(body, hide_opaque_id="me").rows
    assert not [r for r in hidden if r.action.startswith(own)]
    assert len(from_list_response(body, hide_opaque_id="someone-else").rows) > len(hidden)


def test_a_secured_cluster_over_tls(tmp_path: Path) -> None:
    fake = FakeTasks(Settings(seed=7, tasks=0, security=Security.default()))
    fake.add_reindex("logs", "logs-v2")
    with FakeTasksServer(fake, tls=make_tls(tmp_path)) as server:
        assert server.fake.ca_certs is not None
        printed: list[str] = []
        code = main_tree(
            server.url, ca_certs=server.fake.ca_certs, user="elastic:changeme", out=printed.append
        )
        assert code == 0
        assert "reindex from [logs] to [logs-v2]" in printed[-1]
        refused: list[str] = []
        assert main_tree(server.url, ca_certs=server.fake.ca_certs, out=refused.append) == 1
        assert "-> 401: security_exception: missing authentication credentials" in refused[0]
