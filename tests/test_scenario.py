"""Scenario files: the shipped stories, YAML and JSON alike, and errors naming line and rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from elasticsearch import ApiError, Elasticsearch

from fake_tasks import FakeTasks, ScenarioError
from fake_tasks.contract.control import control_schema, problems
from fake_tasks.scripting.scenario import shipped

SCENARIO = """\
scenario: 1
cluster: {seed: 5, name: staging}
clock: {tick: 0s}
nodes:
  - {name: a, roles: [master, data]}
  - {name: b}
tasks:
  - ref: parent
    action: indices:data/write/reindex
    node: b
    id: 42
    description: reindex from [x] to [y]
    running_for: 3s
    duration: 1m
    children:
      - {action: indices:data/write/bulk, ref: child}
faults:
  - fault: [{kind: not_found}, {kind: passthrough}]
    task: parent
stubs:
  - {method: GET, path: /_cluster/settings, json: {persistent: {}}}
"""


@pytest.fixture
def fake() -> FakeTasks:
    return FakeTasks()


def test_the_schema_is_valid_and_has_its_id() -> None:
    schema = control_schema("scenario.json")
    assert schema["$id"].endswith("/control/scenario.json")


def test_a_yaml_scenario_builds_what_it_says(fake: FakeTasks) -> None:
    loaded = fake.load_scenario(SCENARIO)
    assert [n.name for n in fake.cluster.nodes.values()] == ["a", "b"]
    assert fake.cluster.name == "staging"
    parent = loaded.refs["parent"]
    assert parent.node == fake.cluster.node("b").id
    assert parent.id == 42
    child = loaded.refs["child"]
    assert child.parent == parent.task_id
    assert child.node == parent.node  # a child defaults to its parent's node
    assert fake.cluster.now_ns() - parent.start_ns == 3_000_000_000
    assert [r.id for r in loaded.rules] == [1]
    assert [s.id for s in loaded.stubs] == [1]


def test_json_and_yaml_load_the_same(fake: FakeTasks, tmp_path: Path) -> None:
    import yaml

    as_json = tmp_path / "s.json"
    as_json.write_text(json.dumps(yaml.safe_load(SCENARIO), indent=2))
    fake.load_scenario(as_json)
    from_json = [(str(t.task_id), t.action, t.parent) for t in fake.tasks()]
    fake.load_scenario(SCENARIO)
    assert [(str(t.task_id), t.action, t.parent) for t in fake.tasks()] == from_json


def test_node_ids_derive_from_names(fake: FakeTasks) -> None:
    fake.load_scenario(SCENARIO)
    first = list(fake.cluster.nodes)
    fake.load_scenario(SCENARIO)
    assert list(fake.cluster.nodes) == first


@pytest.mark.parametrize(
    ("text", "line", "pointer", "rule"),
    [
        (
            "scenario: 1\ntasks:\n  - action: a\n    duration: soon\n",
            4,
            "/tasks/0/duration",
            "$defs/duration/oneOf/1/pattern",
        ),
        ("scenario: 1\nnodes:\n  - {id: x}\n", 3, "/nodes/0", "$defs/node/required"),
        ("scenario: 2\n", 1, "/scenario", "properties/scenario/const"),
        (
            "scenario: 1\nstubs:\n  - path: /x\n    json: {}\n    body: ''\n",
            3,
            "/stubs/0",
            "$defs/stub/allOf/0/not",
        ),
        (
            "scenario: 1\nfaults:\n  - fault: {kind: delay}\n",
            3,
            "/faults/0/fault",
            "$defs/fault/allOf/4/then/required",
        ),
        (
            "scenario: 1\ntasks: [{kind: reindex, action: x}]\n",
            2,
            "/tasks/0/action",
            "$defs/task/else/properties/action",
        ),
        (
            "scenario: 1\nclock: {tick: 1s, speed: 2}\n",
            2,
            "/clock",
            "$defs/clock/additionalProperties",
        ),
    ],
)
def test_schema_problems_name_line_pointer_and_rule(
    fake: FakeTasks, text: str, line: int, pointer: str, rule: str
) -> None:
    with pytest.raises(ScenarioError) as raised:
        fake.load_scenario(text)
    first = raised.value.problems[0]
    assert (first.line, first.pointer, first.rule) == (line, pointer, rule)
    assert f"line {line}, {pointer}:" in str(raised.value)


def test_a_syntax_error_names_its_line(fake: FakeTasks) -> None:
    with pytest.raises(ScenarioError) as raised:
        fake.load_scenario("scenario: 1\ntasks:\n  - action: [unclosed\n")
    assert raised.value.problems[0].rule == "syntax"
    assert raised.value.problems[0].line == 4


@pytest.mark.parametrize(
    ("text", "pointer", "message"),
    [
        ("scenario: 1\ntasks: [{action: a, node: nowhere}]\n", "/tasks/0", "no node 'nowhere'"),
        ("scenario: 1\nfailed_nodes: [{node: x}]\n", "/failed_nodes/0", "no node 'x'"),
        (
            "scenario: 1\ntasks: [{action: a, ref: r}, {action: b, ref: r}]\n",
            "/tasks/1",
            "two tasks have ref 'r'",
        ),
        (
            "scenario: 1\nnodes: [{name: a}]\ncluster: {tasks: 3}\n",
            "/cluster/tasks",
            "generated tasks need generated nodes",
        ),
        (
            "scenario: 1\nstubs: [{method: GET, path: /_tasks, json: {}}]\n",
            "/stubs/0",
            "would never answer",
        ),
    ],
)
def test_model_problems_name_the_entry(
    fake: FakeTasks, text: str, pointer: str, message: str
) -> None:
    with pytest.raises(ScenarioError) as raised:
        fake.load_scenario(text)
    [problem] = raised.value.problems
    assert problem.pointer == pointer
    assert problem.rule == "model"
    assert message in problem.message
    assert problem.line is not None


def test_a_missing_file_lists_the_shipped_scenarios(fake: FakeTasks, tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="shipped scenarios: extra-calls"):
        fake.load_scenario(tmp_path / "missing.yaml")


@pytest.mark.parametrize("name", shipped())
def test_every_shipped_scenario_is_valid(name: str) -> None:
    from importlib.resources import files

    import yaml

    text = (files("fake_tasks") / "scenarios" / f"{name}.yaml").read_text()
    assert problems("scenario.json", yaml.safe_load(text)) == []
    assert FakeTasks().load_scenario(name) is not None


def es_for(fake: FakeTasks) -> Elasticsearch:
    return Elasticsearch(fake.url or "", request_timeout=5, max_retries=0)


@pytest.mark.fake_tasks(scenario="reindex-slow-cancel")
def test_story_a_reindex_whose_cancel_takes_ten_seconds(fake_tasks: FakeTasks) -> None:
    es = es_for(fake_tasks)
    reindex = next(t for t in fake_tasks.tasks() if t.parent is None)
    es.tasks.cancel(task_id=str(reindex.task_id))
    polls = 0
    while not es.tasks.get(task_id=str(reindex.task_id))["completed"]:
        polls += 1
    assert polls == 9  # one second of cluster time per request: the tenth poll sees it done
    done = es.tasks.get(task_id=str(reindex.task_id))
    assert done["response"]["canceled"] == "by user request"


@pytest.mark.fake_tasks(scenario="node-drops-out")
def test_story_a_node_drops_out(fake_tasks: FakeTasks) -> None:
    es = es_for(fake_tasks)
    lost = fake_tasks.cluster.node("es-3").id
    listed = es.tasks.list(actions="indices:*")
    assert listed["node_failures"][0]["caused_by"]["type"] == "node_disconnected_exception"
    assert lost not in listed["nodes"]
    bulk = next(t for t in fake_tasks.tasks() if t.node == lost and t.parent is None)
    with pytest.raises(ApiError):
        es.tasks.get(task_id=str(bulk.task_id))


@pytest.mark.fake_tasks(scenario="stored-error")
def test_story_a_task_that_completes_with_a_stored_error(fake_tasks: FakeTasks) -> None:
    es = es_for(fake_tasks)
    [task] = fake_tasks.tasks("indices:data/write/update/byquery")
    fake_tasks.advance("5s")
    done = es.tasks.get(task_id=str(task.task_id))
    assert done["completed"] is True
    assert done["error"]["type"] == "index_not_found_exception"
    assert done["error"]["reason"] == "no such index [orders]"


@pytest.mark.fake_tasks(scenario="extra-calls")
def test_story_stubs_answer_the_calls_on_the_way(fake_tasks: FakeTasks) -> None:
    es = es_for(fake_tasks)
    assert es.cluster.get_settings().body == {"persistent": {}, "transient": {}}
    pending = [len(es.cluster.pending_tasks()["tasks"]) for _ in range(2)]
    assert pending == [1, 0]
    nodes = es.nodes.info(node_id="_all", metric="os,jvm")
    assert nodes["_nodes"]["total"] == 3
    assert fake_tasks.journal.unexpected() == []


def test_the_documented_scenario_loads(fake: FakeTasks) -> None:
    import re

    text = (Path(__file__).resolve().parents[1] / "docs" / "control-api.md").read_text()
    [example] = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)
    loaded = fake.load_scenario(example)
    assert set(loaded.refs) == {"reindex"}
    assert len(fake.faults.rules) == 1
    assert len(fake.faults.task_failures) == 1


def test_the_marker_loads_a_file_beside_the_test_and_reports_a_bad_one(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".yaml", good="scenario: 1\nnodes: [{name: only}]\ntasks: [{action: 'a:b'}]\n"
    )
    pytester.makefile(".yaml", bad="scenario: 1\ntasks: [{action: 'a:b', duration: later}]\n")
    pytester.makepyfile(
        """
import pytest


@pytest.mark.fake_tasks(scenario="good.yaml")
def test_good(fake_tasks):
    assert [n.name for n in fake_tasks.cluster.nodes.values()] == ["only"]
    assert [t.action for t in fake_tasks.tasks()] == ["a:b"]


def test_a_fixture_method(fake_tasks):
    fake_tasks.load_scenario("stored-error")
    assert fake_tasks.tasks("indices:data/write/update/byquery")


@pytest.mark.fake_tasks(scenario="bad.yaml")
def test_bad(fake_tasks):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*bad.yaml: line 2, /tasks/0/duration:*"])


def test_yaml_aliases_are_refused(fake: FakeTasks) -> None:
    bomb = "scenario: 1\na: &a [1, 1, 1]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n"
    with pytest.raises(ScenarioError) as raised:
        fake.load_scenario(bomb)
    assert raised.value.problems[0].message == "YAML aliases (*name) are not supported"
    assert raised.value.problems[0].line == 3


def test_indices_and_rollup_jobs(fake: FakeTasks) -> None:
    loaded = fake.load_scenario(
        """\
scenario: 1
indices:
  - {name: logs-1, docs: 500, fields: {"@timestamp": date, msg: text}, aliases: [logs]}
  - {name: .hidden-one, settings: {index.hidden: true}}
rollup_jobs:
  - {id: job, index_pattern: "sensor-*", state: started, histogram: {interval: 5, fields: [v]}}
"""
    )
    assert loaded.indices == ["logs-1", ".hidden-one"]
    assert loaded.rollup_jobs == ["job"]
    logs = fake.index("logs-1")
    assert (logs.docs_count, sorted(logs.aliases)) == (500, ["logs"])
    assert logs.field_types() == {"@timestamp": "date", "msg": "text"}
    assert fake.rollup_job("job").state == "STARTED"
    assert fake.indices("sensor-*")  # the job's source was created


def test_an_index_the_catalog_refuses_names_the_entry(fake: FakeTasks) -> None:
    with pytest.raises(ScenarioError) as raised:
        fake.load_scenario("scenario: 1\nindices: [{name: Upper}]\n")
    [problem] = raised.value.problems
    assert (problem.pointer, problem.rule, problem.line) == ("/indices/0", "model", 2)
    assert "must be lowercase" in problem.message


@pytest.mark.filterwarnings("ignore::elasticsearch.ElasticsearchWarning")
@pytest.mark.fake_tasks(scenario="rollup-slow-stop")
def test_story_a_rollup_job_slow_to_stop(fake_tasks: FakeTasks) -> None:
    es = es_for(fake_tasks)

    def state() -> str:
        return str(es.rollup.get_jobs(id="sensors")["jobs"][0]["status"]["job_state"])

    assert state() == "indexing"
    assert es.rollup.stop_job(id="sensors")["stopped"] is True
    assert state() == "stopping"
    with pytest.raises(ApiError) as timed_out:
        es.rollup.stop_job(id="sensors", wait_for_completion=True, timeout="5s")
    assert timed_out.value.body["error"]["type"] == "timeout_exception"
    fake_tasks.advance("20s")
    assert state() == "stopped"


def test_a_failed_load_leaves_nothing_half_built(fake: FakeTasks) -> None:
    with pytest.raises(ScenarioError):
        fake.load_scenario("scenario: 1\ntasks: [{action: a}, {action: b, node: nowhere}]\n")
    assert fake.tasks() == []
    with pytest.raises(ScenarioError, match="not JSON serializable"):
        fake.load_scenario({"scenario": 1, "tasks": [{"action": "a", "headers": {1, 2}}]})
