"""The index catalog: names, resolution, the index APIs over the app (no sockets), scripting."""

from __future__ import annotations

import json
from typing import Any

import pytest
from werkzeug.test import Client

from fake_tasks import FakeTasks, FakeTasksError, Settings
from fake_tasks.cluster.clock import VirtualClock
from fake_tasks.cluster.indices import IndexCatalog, validate_index_name
from fake_tasks.cluster.javaorder import hash_order
from fake_tasks.errors import EsError, InvalidIndexNameError

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def fake() -> FakeTasks:
    made = FakeTasks(Settings(tasks=0))
    made.contract.strict = True
    return made


def call(client: Client, method: str, url: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body)
    response = client.open(url, method=method, data=data, headers=JSON if data else {})
    text = response.get_data(as_text=True)
    return response.status_code, json.loads(text) if text else None


def error(kind: str, reason: str, status: int, **metadata: Any) -> dict[str, Any]:
    cause = {"type": kind, "reason": reason, **metadata}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


# the order Elasticsearch prints the settings of a new index in
NEW_INDEX_SETTINGS = [
    "routing",
    "number_of_shards",
    "provided_name",
    "creation_date",
    "number_of_replicas",
    "uuid",
    "version",
]


def test_hash_order_follows_java() -> None:
    keys = ["creation_date", "number_of_replicas", "number_of_shards", "provided_name"]
    keys += ["routing", "uuid", "version"]
    assert hash_order(keys, initial_capacity=2) == NEW_INDEX_SETTINGS


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("a*b", 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]'),
        ("a#b", "must not contain '#'"),
        ("a:b", "must not contain ':'"),
        ("_a", "must not start with '_', '-', or '+'"),
        ("-a", "must not start with '_', '-', or '+'"),
        ("+a", "must not start with '_', '-', or '+'"),
        ("a" * 256, "index name is too long, (256 > 255)"),
        ("..", "must not be '.' or '..'"),
        ("Logs", "must be lowercase"),
    ],
)
def test_invalid_names(name: str, why: str) -> None:
    with pytest.raises(InvalidIndexNameError) as caught:
        validate_index_name(name)
    assert caught.value.reason == f"Invalid index name [{name}], {why}"


def test_resolution() -> None:
    catalog = IndexCatalog(VirtualClock(), "9.1.0")
    catalog.create("logs-1", aliases={"logs": {}})
    catalog.create("logs-2", aliases={"logs": {}})
    catalog.create("metrics", settings={"index": {"hidden": True}})
    names = lambda found: [i.name for i in found]  # noqa: E731
    assert names(catalog.resolve(["logs"])) == ["logs-1", "logs-2"]
    assert names(catalog.resolve(["*"])) == ["logs-1", "logs-2"]
    assert names(catalog.resolve(["*"], expand_hidden=True)) == ["logs-1", "logs-2", "metrics"]
    assert names(catalog.resolve(["logs-*", "-logs-2"])) == ["logs-1"]
    assert names(catalog.resolve(["nope"], ignore_unavailable=True)) == []
    assert names(catalog.resolve(["nothing*"])) == []
    with pytest.raises(EsError) as caught:
        catalog.resolve(["nothing*", "none*"], allow_no_indices=False)
    assert caught.value.to_dict() == {
        "type": "index_not_found_exception",
        "reason": "no such index [null]",
        "resource.type": "index_expression",
        "resource.id": ["nothing*", "none*"],
    }


def test_create_get_mapping_delete(client: Client) -> None:
    body = {
        "settings": {"number_of_shards": 2},
        "mappings": {
            "properties": {"value": {"type": "integer"}, "the_field": {"type": "date"}},
            "_meta": {"_rollup": {"my-id": {}}},
        },
        "aliases": {"foo-alias": {}},
    }
    assert call(client, "PUT", "/foo", body) == (
        200,
        {"acknowledged": True, "shards_acknowledged": True, "index": "foo"},
    )
    status, got = call(client, "GET", "/foo")
    assert status == 200
    entry = got["foo"]
    assert list(entry) == ["aliases", "mappings", "settings"]
    assert entry["aliases"] == {"foo-alias": {}}
    assert list(entry["mappings"]) == ["_meta", "properties"]
    assert list(entry["mappings"]["properties"]) == ["the_field", "value"]
    index = entry["settings"]["index"]
    assert list(index) == NEW_INDEX_SETTINGS
    assert index["number_of_shards"] == "2"
    assert index["provided_name"] == "foo"
    status, flat = call(client, "GET", "/foo?flat_settings=true&features=settings")
    assert list(flat["foo"]) == ["settings"]
    assert flat["foo"]["settings"]["index.number_of_shards"] == "2"
    assert list(flat["foo"]["settings"]) == sorted(flat["foo"]["settings"])
    assert call(client, "GET", "/foo-alias/_mapping") == (
        200,
        {"foo": {"mappings": entry["mappings"]}},
    )
    assert call(client, "HEAD", "/foo")[0] == 200
    assert call(client, "DELETE", "/foo") == (200, {"acknowledged": True})
    assert call(client, "HEAD", "/foo")[0] == 404


def test_index_errors(client: Client, fake: FakeTasks) -> None:
    made = fake.add_index("foo")
    assert call(client, "PUT", "/foo") == (
        400,
        error(
            "resource_already_exists_exception",
            f"index [foo/{made.uuid}] already exists",
            400,
            index_uuid=made.uuid,
            index="foo",
        ),
    )
    assert call(client, "PUT", "/Foo") == (
        400,
        error(
            "invalid_index_name_exception",
            "Invalid index name [Foo], must be lowercase",
            400,
            index_uuid="_na_",
            index="Foo",
        ),
    )
    missing = error(
        "index_not_found_exception",
        "no such index [bar]",
        404,
        **{"resource.type": "index_or_alias", "resource.id": "bar"},
        index_uuid="_na_",
        index="bar",
    )
    assert call(client, "GET", "/bar") == (404, missing)
    assert call(client, "GET", "/bar/_mapping") == (404, missing)
    assert call(client, "DELETE", "/bar") == (404, missing)
    assert call(client, "GET", "/bar?ignore_unavailable=true") == (200, {})
    assert call(client, "DELETE", "/fo*") == (
        400,
        error(
            "illegal_argument_exception", "Wildcard expressions or all indices are not allowed", 400
        ),
    )
    assert call(client, "PUT", "/bar", {"settings": {}, "mapping": {}}) == (
        400,
        error("parse_exception", "unknown key [mapping] for create index", 400),
    )
    status, body = call(client, "PUT", "/bar", {"mappings": {"properties": {"a": {"type": "x"}}}})
    assert status == 400
    assert (
        body["error"]["reason"]
        == "Failed to parse mapping: No handler for type [x] declared on field [a]"
    )
    assert body["error"]["root_cause"][0]["type"] == "mapper_parsing_exception"
    assert call(client, "GET", "/foo?features=nope")[1]["error"]["reason"] == (
        "No endpoint or operation is available at [nope]"
    )
    assert "bar" not in fake.cluster.indices


def test_an_index_takes_no_api_names(client: Client) -> None:
    # `/_name` is an API the fake lacks, not an index: the usual "no handler found"
    assert call(client, "GET", "/_nothing") == (
        400,
        {"error": "no handler found for uri [/_nothing] and method [GET]"},
    )


def test_scripting(fake: FakeTasks) -> None:
    index = fake.add_index("logs", fields={"@timestamp": "date", "host.name": "keyword"}, docs=42)
    assert index.docs_count == 42
    assert index.field_types() == {"@timestamp": "date", "host.name": "keyword"}
    assert fake.index("logs") is index
    assert fake.set_docs("logs", 7).docs_count == 7
    assert [i.name for i in fake.indices("lo*")] == ["logs"]
    with pytest.raises(FakeTasksError, match="must be lowercase"):
        fake.add_index("Logs")
    with pytest.raises(FakeTasksError, match="already exists"):
        fake.add_index("logs")
    fake.remove_index("logs")
    with pytest.raises(FakeTasksError, match="no index"):
        fake.index("logs")


def test_seeded_indices_match_the_task_descriptions() -> None:
    fake = FakeTasks(Settings(seed=5, nodes=3, tasks=60))
    reindexes = [t for t in fake.tasks("indices:data/write/reindex") if t.parent is None]
    assert reindexes
    for task in reindexes:
        source = task.description.split("[")[1].split("]")[0]
        # a sliced leader counts finished slices only: its workers hold the totals
        workers = fake.cluster.children(task) or [task]
        totals = sum(w.status_at(0)["total"] for w in workers)  # type: ignore[index]
        assert fake.index(source).docs_count == totals
    for task in fake.tasks("indices:data/read/search"):
        if task.parent is None:
            pattern = task.description.split("indices[")[1].split("]")[0]
            assert fake.indices(pattern), pattern
