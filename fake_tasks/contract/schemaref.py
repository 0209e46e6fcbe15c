"""Where schema files live on the wire: the base URI, `$ref` resolution and JSON pointers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import urldefrag, urljoin

BASE_URI: Final = "https://fake-tasks.example/schemas/"
"""Every schema's `$id` is this plus its file name; cross-file `$ref`s are relative to it."""


class SchemaError(ValueError):
    """A schema file that cannot be used: bad `$id`, unresolvable `$ref`, unsupported keyword."""


def resolve(
    schemas: Mapping[str, Mapping[str, object]], name: str, ref: object
) -> tuple[str, list[str], object]:
    """A `$ref` found in file `name`: the target's file, its pointer parts there, and the target."""
    if not isinstance(ref, str):
        raise SchemaError(f"{name}: $ref must be a string, not {ref!r}")
    url, fragment = urldefrag(urljoin(BASE_URI + name, ref))
    target_name = url.removeprefix(BASE_URI)
    if target_name not in schemas or (fragment and not fragment.startswith("/")):
        raise SchemaError(f"{name}: cannot resolve $ref {ref!r}")
    parts = [unescape(part) for part in fragment.split("/")[1:]]
    node: object = schemas[target_name]
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            raise SchemaError(f"{name}: $ref {ref!r} points to nothing")
        node = node[part]
    return target_name, parts, node


def pointer(path: Iterable[str | int]) -> str:
    return "".join("/" + escape(str(part)) for part in path)


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")
