"""Scripting the index catalog: indices with mappings and document counts, in a test's words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fake_tasks.actions.indices import check_mappings
from fake_tasks.cluster.indices import Index
from fake_tasks.cluster.model import Cluster
from fake_tasks.errors import EsError, FakeTasksError

__all__ = ["IndexScripting", "field_mappings"]


def field_mappings(fields: Mapping[str, str]) -> dict[str, Any]:
    """`{"@timestamp": "date", "host.name": "keyword"}` as a mapping (dots make objects)."""
    properties: dict[str, Any] = {}
    for path, kind in fields.items():
        node = properties
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {"properties": {}})["properties"]
        node[leaf] = {"type": kind}
    return {"properties": properties}


class IndexScripting:
    """The index calls of `FakeTasks` (a mixin: it works on `self.cluster`)."""

    cluster: Cluster

    def add_index(
        self,
        name: str,
        *,
        docs: int = 0,
        mappings: Mapping[str, Any] | None = None,
        fields: Mapping[str, str] | None = None,
        settings: Mapping[str, Any] | None = None,
        aliases: Mapping[str, Mapping[str, Any]] | Sequence[str] | None = None,
    ) -> Index:
        """Create an index holding `docs` documents (none are stored, only the count).

        `mappings` is a mapping as `PUT /<index>` takes it (`{"properties": ..., "_meta": ...}`);
        `fields` is the short form `{"@timestamp": "date", "value": "long"}`. The name is checked
        as Elasticsearch checks it; FakeTasksError if it is refused or exists.
        """
        if mappings is not None and fields is not None:
            raise FakeTasksError("give mappings or fields, not both")
        mapping = dict(mappings) if mappings is not None else field_mappings(fields or {})
        if not mapping.get("properties") and mappings is None:
            mapping = {}
        alias_specs = (
            {alias: {} for alias in aliases}
            if aliases is not None and not isinstance(aliases, Mapping)
            else aliases
        )
        try:
            check_mappings(mapping)
            with self.cluster.lock:
                return self.cluster.indices.create(
                    name, settings=settings, mappings=mapping, aliases=alias_specs, docs=docs
                )
        except EsError as error:
            raise FakeTasksError(f"cannot add index {name!r}: {error.reason}") from None

    def index(self, name: str) -> Index:
        """An index by name; FakeTasksError if there is none."""
        found = self.cluster.indices.get(name)
        if found is None:
            raise FakeTasksError(f"no index {name!r}; indices are {self.cluster.indices.names()}")
        return found

    def indices(self, pattern: str = "*") -> list[Index]:
        """Indices whose names match a `*` pattern (hidden ones included), sorted by name."""
        with self.cluster.lock:
            return self.cluster.indices.resolve([pattern], expand_hidden=True)

    def set_docs(self, name: str, docs: int) -> Index:
        """Change how many documents an index holds."""
        with self.cluster.lock:
            self.cluster.indices.set_docs(name, docs)
        return self.index(name)

    def remove_index(self, name: str) -> None:
        """Delete an index, as `DELETE /<name>` does."""
        try:
            with self.cluster.lock:
                self.cluster.indices.delete(name)
        except EsError as error:
            raise FakeTasksError(f"cannot remove index {name!r}: {error.reason}") from None
