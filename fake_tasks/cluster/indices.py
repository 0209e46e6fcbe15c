"""The index catalog: index names, settings, mappings (with `_meta`), aliases and doc counts.

No documents are stored: an index has a document count that other APIs (reindex, rollup) read
as its size. Names are checked as `MetadataCreateIndexService` checks them and expressions are
resolved as `IndexNameExpressionResolver` resolves them (names, aliases, `*` wildcards,
`-exclusions`, `_all`).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from fake_tasks.cluster.clock import Clock
from fake_tasks.cluster.javaorder import hash_order
from fake_tasks.cluster.patterns import simple_match
from fake_tasks.errors import (
    EsError,
    FakeTasksError,
    IllegalArgumentError,
    IndexNotFoundError,
    InvalidIndexNameError,
    ResourceAlreadyExistsError,
)

__all__ = [
    "INVALID_FILENAME_CHARS",
    "Index",
    "IndexCatalog",
    "index_version_id",
    "seeded_docs",
    "validate_index_name",
]

# `Strings.INVALID_FILENAME_CHARS`, a HashSet of characters, in the order its toString prints.
INVALID_FILENAME_CHARS = hash_order(["\\", "/", "*", "?", '"', "<", ">", "|", " ", ","])
_MAX_INDEX_NAME_BYTES = 255


def validate_index_name(name: str) -> None:
    """`MetadataCreateIndexService.validateIndexName`: the static rules, then lowercase."""
    if any(c in name for c in INVALID_FILENAME_CHARS):
        chars = ", ".join(INVALID_FILENAME_CHARS)
        raise InvalidIndexNameError(name, f"must not contain the following characters [{chars}]")
    if "#" in name:
        raise InvalidIndexNameError(name, "must not contain '#'")
    if ":" in name:
        raise InvalidIndexNameError(name, "must not contain ':'")
    if name[:1] in ("_", "-", "+"):
        raise InvalidIndexNameError(name, "must not start with '_', '-', or '+'")
    size = len(name.encode("utf-8"))
    if size > _MAX_INDEX_NAME_BYTES:
        raise InvalidIndexNameError(
            name, f"index name is too long, ({size} > {_MAX_INDEX_NAME_BYTES})"
        )
    if name in (".", ".."):
        raise InvalidIndexNameError(name, "must not be '.' or '..'")
    if name.lower() != name:
        raise InvalidIndexNameError(name, "must be lowercase")


@cache
def index_version_id(version: str) -> str:
    """The `index.version.created` id of an index made by `version` (`8.15.1` -> `8150199`)."""
    parts = [int(p) for p in version.split("-")[0].split(".")[:3] if p.isdigit()]
    major, minor, patch = ([*parts, 0, 0, 0])[:3]
    return str(major * 1_000_000 + minor * 10_000 + patch * 100 + 99)


@dataclass
class Index:
    """One index: its settings (flat `index.*` keys, string values), mappings, aliases, size.

    `mappings` is the mapping as `GET <index>/_mapping` shows it (no `_doc` level; empty when
    none was given); `docs_count` is what reindex and rollup read as the index's size.
    """

    name: str
    uuid: str
    settings: dict[str, str]
    mappings: dict[str, Any] = field(default_factory=dict)
    aliases: dict[str, dict[str, Any]] = field(default_factory=dict)
    docs_count: int = 0

    @property
    def hidden(self) -> bool:
        return self.settings.get("index.hidden") == "true"

    @property
    def meta(self) -> Mapping[str, Any]:
        """The mapping's `_meta` object (empty if none)."""
        found = self.mappings.get("_meta")
        return found if isinstance(found, dict) else {}

    def field_types(self) -> dict[str, str]:
        """Every mapped field by its dotted path, with its type (objects are walked)."""
        out: dict[str, str] = {}
        _walk(self.mappings.get("properties"), "", out)
        return out


def _walk(properties: Any, prefix: str, out: dict[str, str]) -> None:
    if not isinstance(properties, dict):
        return
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        path = f"{prefix}{name}"
        kind = spec.get("type", "object" if "properties" in spec else None)
        if isinstance(kind, str) and kind not in ("object", "nested"):
            out[path] = kind
        _walk(spec.get("properties"), f"{path}.", out)
        fields = spec.get("fields")
        if isinstance(fields, dict):
            for sub, sub_spec in fields.items():
                if isinstance(sub_spec, dict) and isinstance(sub_spec.get("type"), str):
                    out[f"{path}.{sub}"] = sub_spec["type"]


def seeded_docs(seed: int, name: str) -> int:
    """The document count a seeded cluster gives an index its tasks name without a size."""
    return random.Random(f"{seed}:{name}").randint(1, 500) * 1000


class _Planned:
    """An index a generated cluster names, created when the catalog is first read."""

    __slots__ = ("at_ns", "docs", "mappings", "seed")

    def __init__(self, at_ns: int, mappings: Mapping[str, Any]) -> None:
        self.at_ns = at_ns
        self.mappings = mappings
        self.docs = -1  # the largest size given; -1: none
        self.seed: int | None = None  # also `seeded_docs(seed, name)`, drawn when created

    def copy(self) -> _Planned:
        twin = _Planned(self.at_ns, self.mappings)  # the mapping is copied when created
        twin.docs = self.docs
        twin.seed = self.seed
        return twin


class IndexCatalog:
    """The cluster's indices by name, with an alias index; guarded by the cluster's lock.

    A generated cluster names thousands of indices; `plan` notes them and the catalog creates
    them when it is first read (a spawned server answers before it needs them).
    """

    def __init__(self, clock: Clock, version: str) -> None:
        self._clock = clock
        self._version = version
        self._by_name: dict[str, Index] = {}
        self._aliases: dict[str, set[str]] = {}
        self._planned: dict[str, _Planned] = {}

    @property
    def _indices(self) -> dict[str, Index]:
        if self._planned:
            self._create_planned()
        return self._by_name

    def plan(
        self, name: str, mappings: Mapping[str, Any], *, docs: int | None = None, seed: int = 0
    ) -> None:
        """Note an index to create when the catalog is first read, at this instant.

        Planned again, it keeps the largest size: `docs`, or `seeded_docs(seed, name)` when
        `docs` is None. The name must be valid and not in use (`create` checks it then).
        """
        planned = self._planned.get(name)
        if planned is None:
            planned = self._planned[name] = _Planned(self._clock.now_ns(), mappings)
        if docs is None:
            planned.seed = seed
        elif docs > planned.docs:
            planned.docs = docs

    def _create_planned(self) -> None:
        planned, self._planned = self._planned, {}
        for name, plan in planned.items():
            docs = plan.docs
            if plan.seed is not None:
                docs = max(docs, seeded_docs(plan.seed, name))
            self._create(name, plan.at_ns, mappings=plan.mappings, docs=docs)

    def __deepcopy__(self, memo: dict[int, Any]) -> IndexCatalog:
        """An independent catalog (a cluster snapshot copies it): indices as JSON values, the
        planned ones still planned."""
        twin = IndexCatalog(copy.deepcopy(self._clock, memo), self._version)
        twin._by_name = {
            name: Index(
                index.name,
                index.uuid,
                dict(index.settings),
                _copy_json(index.mappings),
                _copy_json(index.aliases),
                index.docs_count,
            )
            for name, index in self._by_name.items()
        }
        twin._aliases = {alias: set(names) for alias, names in self._aliases.items()}
        twin._planned = {name: plan.copy() for name, plan in self._planned.items()}
        return twin

    def use_clock(self, clock: Clock) -> None:
        """Read time from `clock` from now on (a generated cluster gets its clock last)."""
        self._clock = clock

    def __contains__(self, name: object) -> bool:
        return name in self._indices

    def __iter__(self) -> Iterator[Index]:
        return iter(sorted(self._indices.values(), key=lambda i: i.name))

    def __len__(self) -> int:
        return len(self._indices)

    def get(self, name: str) -> Index | None:
        """The index called `name` (not an alias), or None."""
        return self._indices.get(name)

    def names(self) -> list[str]:
        return sorted(self._indices)

    def alias_targets(self, alias: str) -> list[str]:
        return sorted(self._aliases.get(alias, ()))

    def create(
        self,
        name: str,
        *,
        settings: Mapping[str, Any] | None = None,
        mappings: Mapping[str, Any] | None = None,
        aliases: Mapping[str, Mapping[str, Any]] | None = None,
        docs: int = 0,
    ) -> Index:
        """Create an index, as `PUT /<name>` does (name checked, 400 if it exists)."""
        return self._create(
            name,
            self._clock.now_ns(),
            settings=settings,
            mappings=mappings,
            aliases=aliases,
            docs=docs,
        )

    def _create(
        self,
        name: str,
        now_ns: int,
        *,
        settings: Mapping[str, Any] | None = None,
        mappings: Mapping[str, Any] | None = None,
        aliases: Mapping[str, Mapping[str, Any]] | None = None,
        docs: int = 0,
    ) -> Index:
        validate_index_name(name)
        existing = self._indices.get(name)
        if existing is not None:
            raise ResourceAlreadyExistsError(name, existing.uuid)
        if name in self._aliases:
            raise InvalidIndexNameError(name, "already exists as alias")
        if docs < 0:
            raise FakeTasksError(f"docs must not be negative, got {docs}")
        for alias in aliases or {}:
            if alias in self._indices:
                raise InvalidIndexNameError(
                    alias, "an index or data stream exists with the same name as the alias"
                )
        flat = {
            "index.number_of_shards": "1",
            "index.number_of_replicas": "1",
            "index.routing.allocation.include._tier_preference": "data_content",
            **flatten_settings(settings or {}),
        }
        uuid = _uuid(name, now_ns)
        flat["index.provided_name"] = name
        flat["index.creation_date"] = str(now_ns // 1_000_000)
        flat["index.uuid"] = uuid
        flat["index.version.created"] = index_version_id(self._version)
        index = Index(
            name=name,
            uuid=uuid,
            settings=flat,
            mappings=_copy_json(dict(mappings or {})),
            aliases={alias: _copy_json(dict(spec)) for alias, spec in (aliases or {}).items()},
            docs_count=docs,
        )
        self._by_name[name] = index
        for alias in index.aliases:
            self._aliases.setdefault(alias, set()).add(name)
        return index

    def delete(self, name: str) -> Index:
        index = self._indices.pop(name, None)
        if index is None:
            raise IndexNotFoundError(name, "index_or_alias")
        for alias in index.aliases:
            targets = self._aliases.get(alias)
            if targets is not None:
                targets.discard(name)
                if not targets:
                    del self._aliases[alias]
        return index

    def set_docs(self, name: str, docs: int) -> None:
        index = self._indices.get(name)
        if index is None:
            raise FakeTasksError(f"no index {name!r}")
        index.docs_count = docs

    def resolve(
        self,
        expressions: Iterable[str],
        *,
        ignore_unavailable: bool = False,
        allow_no_indices: bool = True,
        expand_hidden: bool = False,
        expand_wildcards: bool = True,
        allow_aliases: bool = True,
    ) -> list[Index]:
        """`IndexNameExpressionResolver.concreteIndices` for open indices, sorted by name.

        Empty, `_all` and `*` select every (visible) index. A wildcard matches index and alias
        names; `-name` removes what earlier expressions added. A missing name is a 404 unless
        `ignore_unavailable`; nothing at all is a 404 unless `allow_no_indices`.
        """
        given = list(expressions)
        if not given or given == ["_all"] or given == ["*"]:
            if not expand_wildcards:
                return []
            return [i for i in self if expand_hidden or not i.hidden]
        chosen: dict[str, Index] = {}
        wildcard_seen = False
        for expression in given:
            if not expression:
                raise IndexNotFoundError(expression, "index_or_alias")
            if expression.startswith("-") and wildcard_seen:
                for name in self._matching(expression[1:], expand_hidden, allow_aliases):
                    chosen.pop(name, None)
                continue
            if "*" in expression:
                wildcard_seen = True
                if expand_wildcards:
                    for name in self._matching(expression, expand_hidden, allow_aliases):
                        chosen[name] = self._indices[name]
                continue
            targets = self._concrete(expression, allow_aliases)
            if targets is None:
                if ignore_unavailable:
                    continue
                raise IndexNotFoundError(expression, "index_or_alias")
            for name in targets:
                chosen[name] = self._indices[name]
        if not chosen and not allow_no_indices:
            raise _not_found(given)
        return [chosen[name] for name in sorted(chosen)]

    def _concrete(self, expression: str, allow_aliases: bool) -> list[str] | None:
        if expression in self._indices:
            return [expression]
        if expression in self._aliases:
            if not allow_aliases:
                raise IllegalArgumentError(
                    f"The provided expression [{expression}] matches an alias, specify the"
                    " corresponding concrete indices instead."
                )
            return sorted(self._aliases[expression])
        return None

    def _matching(self, pattern: str, expand_hidden: bool, allow_aliases: bool) -> list[str]:
        dot = pattern.startswith(".")
        found = [
            name
            for name, index in self._indices.items()
            if simple_match(pattern, name) and (expand_hidden or dot or not index.hidden)
        ]
        if allow_aliases:
            for alias, targets in self._aliases.items():
                if simple_match(pattern, alias):
                    found.extend(t for t in targets if expand_hidden or not self._indices[t].hidden)
        return sorted(set(found))


def _not_found(expressions: list[str]) -> EsError:
    """`IndexNameExpressionResolver.notFoundException`: one expression names itself."""
    if len(expressions) == 1:
        return IndexNotFoundError(expressions[0], "index_or_alias")
    return EsError.custom(
        "index_not_found_exception",
        "no such index [null]",
        404,
        metadata={"resource.type": "index_expression", "resource.id": list(expressions)},
    )


def flatten_settings(settings: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested or dotted settings as flat `index.*` keys with string values (`Settings` does)."""
    out: dict[str, str] = {}
    for key, value in settings.items():
        path = f"{prefix}{key}"
        if value is None:
            continue
        if isinstance(value, Mapping):
            out.update(flatten_settings(value, f"{path}."))
            continue
        if not path.startswith("index."):
            path = f"index.{path}"
        if isinstance(value, bool):
            out[path] = "true" if value else "false"
        elif isinstance(value, list):
            out[path] = ",".join(str(v) for v in value)
        else:
            out[path] = str(value)
    return out


def _uuid(name: str, now_ns: int) -> str:
    digest = hashlib.sha256(f"{name}@{now_ns}".encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def _copy_json(value: Any) -> Any:
    """A copy of nested dicts and lists (JSON values): a seeded cluster creates thousands of
    indices, and `copy.deepcopy` of a mapping costs ten times more."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value
