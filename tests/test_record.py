"""`fake-tasks record`: recorded from a running fake, replayed by another, the same trees."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

import fake_tasks
from fake_tasks import FakeTasks
from fake_tasks.cli import main
from fake_tasks.record import OPAQUE_ID, Anonymizer, record, to_yaml


def listing(fake: FakeTasks) -> dict[str, Any]:
    """The detailed parent-grouped listing, without the list request's own tasks."""
    request = urllib.request.Request(
        f"{fake.url}/_tasks?detailed=true&group_by=parents", headers={"X-Opaque-Id": "compare"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        body: dict[str, Any] = json.loads(response.read())
    body["tasks"] = {
        k: t for k, t in body["tasks"].items() if t["headers"].get("X-Opaque-Id") != "compare"
    }
    return body


def walk(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [each for t in tasks for each in [t, *walk(t.get("children", []))]]


def scripted(fake: FakeTasks) -> None:
    """A cluster with a cancelled slow reindex, an uncancellable task and a lost node."""
    reindex = fake.add_reindex("logs", "logs-v2", slices=2, cancel_delay="1h")
    fake.cancel(reindex)
    fake.add_task("cluster:admin/xpack/ml/job", cancellable=False, headers={"trace.id": "abc"})
    fake.fail_node(list(fake.cluster.nodes)[2])


def test_a_recorded_fake_replays_the_same_trees(tmp_path: Path) -> None:
    with fake_tasks.running(seed=4, tasks=40, tick=0) as original:
        scripted(original)
        document = record(original.url or "")
        before = listing(original)
    path = tmp_path / "recorded.yaml"
    path.write_text(to_yaml(document, comment="test"))
    with fake_tasks.running(scenario=path, tick=0) as replay:
        after = listing(replay)
    assert after == before
    assert after["node_failures"][0]["caused_by"]["type"] == "node_disconnected_exception"
    cancelled = [t for t in after["tasks"].values() if t.get("cancelled")]
    assert cancelled  # the slow cancel is still running, flagged, after the replay


def test_the_recorder_leaves_its_own_requests_out() -> None:
    with fake_tasks.running(tasks=0) as fake:
        document = record(fake.url or "")
    assert document["tasks"] == []
    assert OPAQUE_ID not in to_yaml(document)


def test_anonymize_replaces_names_hosts_and_header_values(tmp_path: Path) -> None:
    with fake_tasks.running(seed=4, tasks=40, tick=0) as original:
        scripted(original)
        plain = to_yaml(record(original.url or ""))
        hidden = to_yaml(record(original.url or "", anonymize=True))
        names = [n.name for n in original.cluster.nodes.values()]
        hosts = [n.ip for n in original.cluster.nodes.values()]
    assert "logs-v2" in plain
    for secret in ["logs", "logs-v2", "abc", original.cluster.name, *names, *hosts]:
        assert secret not in hidden, secret
    assert "reindex from [index-1] to [index-2]" in hidden
    path = tmp_path / "anonymized.yaml"
    path.write_text(hidden)
    with fake_tasks.running(scenario=path, tick=0) as replay:
        listed = {str(t.task_id) for t in replay.tasks()}
    recorded = {f"{t['node']}:{t['id']}" for t in walk(yaml.safe_load(hidden)["tasks"])}
    assert listed == recorded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("reindex from [a] to [b-2]", "reindex from [index-1] to [index-2]"),
        ("requests[22], index[a][0]", "requests[22], index[index-1][0]"),
        (
            "indices[a,b-2], search_type[QUERY_THEN_FETCH]",
            "indices[index-1,index-2], search_type[QUERY_THEN_FETCH]",
        ),
        ("reindex from [a, b] to [c]", "reindex from [index-1, index-2] to [index-3]"),
        ('source[{"size":1}]', 'source[{"size":1}]'),
        ("id=health-node", "id=health-node"),
    ],
)
def test_index_names_in_descriptions(text: str, expected: str) -> None:
    assert Anonymizer().description(text) == expected


def test_the_command_writes_a_file_and_reports_failures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "s.yaml"
    with fake_tasks.running(seed=1, tasks=5) as fake:
        assert main(["record", fake.url or "", "-o", str(out), "-H", "X-Test: 1"]) == 0
    assert "5 task(s) written" in capsys.readouterr().err
    assert yaml.safe_load(out.read_text())["scenario"] == 1
    assert main(["record", "http://127.0.0.1:9", "--timeout", "2"]) == 1
    assert "no answer" in capsys.readouterr().err
    assert main(["record", "http://127.0.0.1:9", "-H", "no colon"]) == 2


def indices_of(fake: FakeTasks) -> dict[str, Any]:
    with urllib.request.urlopen(f"{fake.url}/*?expand_wildcards=open", timeout=5) as response:
        body = json.loads(response.read())
    return {name: (i["mappings"], i["aliases"]) for name, i in body.items()}


def test_indices_are_recorded_and_replayed(tmp_path: Path) -> None:
    with fake_tasks.running(seed=4, tasks=10, tick=0) as original:
        original.add_index("logs-1", docs=7, fields={"@timestamp": "date"}, aliases=["logs"])
        # the fake serves no _cat/indices: a stub answers as a real cluster would
        rows = [{"index": i.name, "docs.count": str(i.docs_count)} for i in original.indices()]
        original.stub("GET", "/_cat/indices", json=rows)
        document = record(original.url or "", indices=True)
        before = indices_of(original)
        hidden = to_yaml(record(original.url or "", indices=True, anonymize=True))
    assert len(before) > 1  # the seeded cluster holds the indices its tasks name
    path = tmp_path / "with-indices.yaml"
    path.write_text(to_yaml(document))
    with fake_tasks.running(scenario=path, tick=0) as replay:
        assert indices_of(replay) == before
        assert replay.index("logs-1").docs_count == 7
    assert "logs-1" not in hidden
    assert "logs" not in yaml.safe_load(hidden)["indices"][0].get("aliases", {})
