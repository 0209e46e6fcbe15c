"""Real sockets: the official `elasticsearch` 9.x client creates, reads and deletes indices."""

from __future__ import annotations

import pytest
from elasticsearch import BadRequestError, Elasticsearch, NotFoundError

from fake_tasks import FakeTasks


def test_index_lifecycle(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    created = es.indices.create(
        index="foo",
        mappings={
            "properties": {"the_field": {"type": "date"}, "value_field": {"type": "integer"}}
        },
        settings={"number_of_shards": 1, "number_of_replicas": 0},
    )
    assert created.body == {"acknowledged": True, "shards_acknowledged": True, "index": "foo"}
    assert es.indices.exists(index="foo").body is True
    got = es.indices.get(index="foo")
    assert got["foo"]["settings"]["index"]["number_of_replicas"] == "0"
    mapping = es.indices.get_mapping(index="foo")
    assert mapping["foo"]["mappings"]["properties"]["the_field"] == {"type": "date"}
    assert fake_tasks.index("foo").field_types() == {"the_field": "date", "value_field": "integer"}
    assert es.indices.delete(index="foo").body == {"acknowledged": True}
    assert es.indices.exists(index="foo").body is False
    assert not fake_tasks.violations


def test_index_errors(es: Elasticsearch, fake_tasks: FakeTasks) -> None:
    fake_tasks.add_index("foo")
    with pytest.raises(BadRequestError) as exists:
        es.indices.create(index="foo")
    assert exists.value.error == "resource_already_exists_exception"
    with pytest.raises(BadRequestError) as invalid:
        es.indices.create(index="Foo")
    assert invalid.value.error == "invalid_index_name_exception"
    assert invalid.value.body["error"]["reason"] == "Invalid index name [Foo], must be lowercase"
    with pytest.raises(NotFoundError) as missing:
        es.indices.get(index="bar")
    assert missing.value.body["error"]["root_cause"][0]["resource.id"] == "bar"
    with pytest.raises(NotFoundError):
        es.indices.delete(index="bar")
    with pytest.raises(BadRequestError) as wildcard:
        es.indices.delete(index="f*")
    assert wildcard.value.message == "illegal_argument_exception"
