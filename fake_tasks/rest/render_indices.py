"""Index responses in Elasticsearch's field order: create, get index, get mapping."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fake_tasks.cluster.indices import Index
from fake_tasks.cluster.javaorder import hash_order

__all__ = ["FEATURES", "created", "get_indices", "mapping_source", "mappings", "settings"]

FEATURES = ("aliases", "mappings", "settings")
_FIRST = ("_meta", "_source", "_routing", "_field_names", "dynamic", "dynamic_templates")


def created(index: Index) -> dict[str, Any]:
    """`CreateIndexResponse`: acknowledged, shards_acknowledged, index."""
    return {"acknowledged": True, "shards_acknowledged": True, "index": index.name}


def mapping_source(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A mapping as the mapper serializes it: `_meta` and root options first, fields sorted."""
    out: dict[str, Any] = {key: mapping[key] for key in _FIRST if key in mapping}
    for key, value in mapping.items():
        if key not in out and key != "properties":
            out[key] = value
    if "properties" in mapping:
        out["properties"] = _sorted_properties(mapping["properties"])
    return out


def _sorted_properties(properties: Any) -> Any:
    if not isinstance(properties, dict):
        return properties
    out: dict[str, Any] = {}
    for name in sorted(properties):
        spec = properties[name]
        if isinstance(spec, dict):
            spec = {
                **({"type": spec["type"]} if "type" in spec else {}),
                **{k: v for k, v in spec.items() if k not in ("type", "properties")},
                **(
                    {"properties": _sorted_properties(spec["properties"])}
                    if "properties" in spec
                    else {}
                ),
            }
        out[name] = spec
    return out


def settings(index: Index, *, flat: bool) -> dict[str, Any]:
    """`Settings.toXContent`: flat keys sorted, or nested maps in `HashMap` order."""
    if flat:
        return {key: index.settings[key] for key in sorted(index.settings)}
    return _nested(index.settings.items())


def _nested(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, value in items:
        node = tree
        *parents, leaf = key.split(".")
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[leaf] = value
    return _ordered(tree)


def _ordered(tree: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _ordered(tree[key]) if isinstance(tree[key], dict) else tree[key]
        for key in hash_order(tree, initial_capacity=2)
    }


def mappings(indices: Iterable[Index]) -> dict[str, Any]:
    """`GetMappingsResponse`: each index's mapping under `mappings`."""
    return {index.name: {"mappings": mapping_source(index.mappings)} for index in indices}


def get_indices(
    indices: Iterable[Index], *, features: tuple[str, ...] = FEATURES, flat: bool = False
) -> dict[str, Any]:
    """`GetIndexResponse`: per index, the features asked for, in aliases-mappings-settings order."""
    out: dict[str, Any] = {}
    for index in indices:
        entry: dict[str, Any] = {}
        if "aliases" in features:
            entry["aliases"] = {name: dict(spec) for name, spec in sorted(index.aliases.items())}
        if "mappings" in features:
            entry["mappings"] = mapping_source(index.mappings)
        if "settings" in features:
            entry["settings"] = settings(index, flat=flat)
        out[index.name] = entry
    return out
