"""The control API's own contracts: the scenario schema and the control requests and answers."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Final

from fake_tasks.contract.schemaref import BASE_URI, pointer

if TYPE_CHECKING:  # jsonschema loads on the first check, not with the server
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing.jsonschema import SchemaRegistry

__all__ = ["CONTROL_SCHEMAS", "Problem", "control_schema", "problems"]

CONTROL_SCHEMAS: Final = ("scenario.json", "responses.json", "requests.json")
"""The files in `fake_tasks/schemas/control/`."""

_MAX_MESSAGE: Final = 300


@dataclass(frozen=True)
class Problem:
    """One way a document breaks its schema: where (a JSON pointer), which rule, and why.

    `rule` is the failing keyword's path inside the schema file, e.g. `$defs/task/required`.
    """

    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '(root)'}: {self.message} (rule {self.rule})"


def control_schema(name: str) -> dict[str, Any]:
    """A fresh parsed copy of one control schema file (`scenario.json`, ...)."""
    if name not in CONTROL_SCHEMAS:
        raise ValueError(f"unknown control schema {name!r}; known: {', '.join(CONTROL_SCHEMAS)}")
    return dict(_schemas()[name])


def problems(target: str, document: object, *, limit: int = 10) -> list[Problem]:
    """Every way `document` breaks `target`: a file (`scenario.json`) or a definition in one
    (`scenario.json#/$defs/task`). The most relevant problem comes first; [] if it conforms."""
    from jsonschema.exceptions import best_match

    validator = _validator(target)
    errors = list(validator.iter_errors(document))
    if not errors:
        return []
    first = best_match(errors)
    ordered = [first, *(e for e in errors if e is not first)]
    found: list[Problem] = []
    for error in ordered:
        problem = _problem(target, error, document)
        if problem not in found:
            found.append(problem)
    return found[:limit]


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    folder = files("fake_tasks") / "schemas" / "control"
    loaded = {}
    for name in CONTROL_SCHEMAS:
        contents = json.loads((folder / name).read_text(encoding="utf-8"))
        if contents.get("$id") != f"{BASE_URI}control/{name}":
            raise ValueError(f"control/{name}: $id must be {BASE_URI}control/{name}")
        loaded[name] = contents
    return loaded


@functools.cache
def _registry() -> SchemaRegistry:
    from referencing.jsonschema import DRAFT202012, SchemaRegistry

    return SchemaRegistry().with_resources(
        (f"{BASE_URI}control/{name}", DRAFT202012.create_resource(contents))
        for name, contents in _schemas().items()
    )


@functools.cache
def _validator(target: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    name, _, fragment = target.partition("#")
    if name not in CONTROL_SCHEMAS:
        raise ValueError(f"unknown control schema {name!r}")
    schema = {"$ref": f"{BASE_URI}control/{name}" + (f"#{fragment}" if fragment else "")}
    return Draft202012Validator(schema, registry=_registry())


def _problem(target: str, error: ValidationError, document: object) -> Problem:
    # The most specific failing keyword: inside oneOf/anyOf the branch errors say more.
    deepest = error
    while deepest.context:
        deepest = max(deepest.context, key=_specific)
    rule, keyword = _rule(target, list(deepest.absolute_schema_path))
    message = deepest.message
    where = list(deepest.absolute_path)
    if deepest.schema is False and isinstance(keyword, dict):
        # jsonschema reports a `false` property schema at the object, without the key
        parent = _at(document, where)
        key = next((k for k, v in keyword.items() if v is False and k in parent), None)
        if key is not None:
            where, rule, message = [*where, key], f"{rule}/{key}", f"[{key}] is not allowed here"
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return Problem(pointer(where), rule, message)


def _at(document: object, path: list[str | int]) -> Any:
    node: Any = document
    for step in path:
        node = node[step]
    return node if isinstance(node, dict) else {}


def _rule(target: str, steps: list[str | int]) -> tuple[str, Any]:
    """The failing keyword's place in its file, following `$ref`s (`$defs/task/required`), and
    the keyword's value there.

    jsonschema's schema paths skip `$ref` hops: a step the current node lacks is looked up
    in the schema its `$ref` points to.
    """
    name = target.partition("#")[0]
    node: Any = {"$ref": target}
    location: list[str] = []
    for step in steps:
        while isinstance(node, dict) and step not in node and isinstance(node.get("$ref"), str):
            file, _, fragment = node["$ref"].removeprefix(f"{BASE_URI}control/").partition("#")
            name = file or name
            location = [part for part in fragment.split("/") if part]
            node = _schemas()[name]
            for part in location:
                node = node[part]
        location.append(str(step))
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            node = None
    return "/".join(location), node


def _specific(error: ValidationError) -> tuple[int, bool, int]:
    """How telling a branch's error is: deeper in the document, not a bare type mismatch."""
    return (len(error.absolute_path), error.validator != "type", len(error.relative_schema_path))
