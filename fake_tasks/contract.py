"""Response contracts: the JSON Schemas in `schemas/`, loaded once, and validation of bodies against them."""  # noqa: E501

from __future__ import annotations

import functools
import json
import math
import numbers
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Final
from urllib.parse import urldefrag, urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing.jsonschema import DRAFT202012, SchemaRegistry

__all__ = [
    "BASE_URI",
    "SchemaError",
    "Violation",
    "check_response",
    "load_schema",
    "schema_for",
    "schema_names",
    "validate",
]

BASE_URI: Final = "https://fake-tasks.example/schemas/"
"""Every schema's `$id` is this plus its file name; cross-file `$ref`s are relative to it."""

_SUCCESS_SCHEMAS: Final[Mapping[str, str]] = {
    "info": "cluster_info.json",
    "nodes.info": "nodes_info.json",
    "tasks.list": "list_response.json",
    "tasks.get": "get_task_response.json",
    "tasks.cancel": "cancel_response.json",
    "rollup.stop_job": "rollup_stop_job.json",
    "rollup.start_job": "rollup_start_job.json",
    "rollup.put_job": "rollup_put_job.json",
    "rollup.get_jobs": "rollup_get_jobs.json",
    "rollup.delete_job": "rollup_delete_job.json",
}

_MAX_MESSAGE: Final = 400  # jsonschema quotes whole instances in some messages


@dataclass(frozen=True)
class Violation:
    """One way a body breaks its contract.

    `schema` is the file holding the failing keyword and `rule` that keyword's path inside the file
    (`$defs/task/required`), so `schema#/rule` opens it; `pointer` is the JSON pointer of the
    offending value in the body ("" for the body itself).
    """

    schema: str
    pointer: str
    rule: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.pointer or '(root)'}: {self.message} (schema {self.schema}, rule {self.rule})"
        )


class SchemaError(ValueError):
    """A schema file this module cannot use: bad `$id`, unresolvable `$ref`, unsupported keyword."""


def schema_names() -> list[str]:
    """The schema files shipped in `fake_tasks/schemas/`, sorted."""
    return sorted(entry.name for entry in _schema_dir().iterdir() if entry.name.endswith(".json"))


def load_schema(name: str) -> dict[str, object]:
    """A fresh parsed copy of one schema file (callers may change it freely)."""
    if name not in schema_names():
        raise ValueError(f"unknown schema {name!r}; known: {', '.join(schema_names())}")
    return _read(name)


def validate(schema: str, body: object) -> list[Violation]:
    """Every violation of `schema` (a file name) by the decoded JSON `body`; [] when it conforms."""
    contracts = _contracts()
    fast = contracts.fast.get(schema)
    if fast is None:
        raise ValueError(f"unknown schema {schema!r}; known: {', '.join(contracts.schemas)}")
    if fast(body):
        return []
    errors = contracts.validators[schema].iter_errors(body)
    return [_violation(contracts.schemas, schema, error) for error in errors]


def schema_for(api: str, status: int, body: object) -> str | None:
    """The schema a response of `api` with this status and body must match.

    None for an unknown API and for a response without a body (`body is None`, e.g. HEAD).
    """
    success = _SUCCESS_SCHEMAS.get(api)
    if success is None or body is None:
        return None
    if status < 400:
        return success
    if isinstance(body, Mapping):
        if isinstance(body.get("error"), str):
            return "error_simple.json"
        if (
            api == "rollup.delete_job"
            and status == 500
            and ("task_failures" in body or "node_failures" in body)
        ):
            return success  # RestDeleteRollupJobAction answers failures as a 500 response body
    return "error_response.json"


def check_response(api: str, status: int, body: object) -> list[Violation]:
    """`validate` against `schema_for`; an unknown `api` is itself one violation."""
    if api not in _SUCCESS_SCHEMAS:
        known = ", ".join(sorted(_SUCCESS_SCHEMAS))
        return [Violation("", "", "api", f"no contract for API {api!r}; known: {known}")]
    schema = schema_for(api, status, body)
    return [] if schema is None else validate(schema, body)


# --- loading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contracts:
    schemas: Mapping[str, Mapping[str, object]]
    validators: Mapping[str, Draft202012Validator]
    fast: Mapping[str, _Check]


def _schema_dir() -> Traversable:
    return files("fake_tasks") / "schemas"


def _read(name: str) -> dict[str, object]:
    loaded: object = json.loads((_schema_dir() / name).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise SchemaError(f"{name}: a schema file must hold a JSON object")
    return loaded


@functools.cache
def _contracts() -> _Contracts:
    """Built once: the parsed schemas, one registry, a validator and a fast check per file."""
    schemas = {name: _read(name) for name in schema_names()}
    for name, contents in schemas.items():
        if contents.get("$id") != BASE_URI + name:
            raise SchemaError(f"{name}: $id must be {BASE_URI + name!r}")
    registry = SchemaRegistry().with_resources(
        (BASE_URI + name, DRAFT202012.create_resource(contents))
        for name, contents in schemas.items()
    )
    compiler = _Compiler(schemas)
    return _Contracts(
        schemas=schemas,
        validators={
            name: Draft202012Validator(s, registry=registry) for name, s in schemas.items()
        },
        fast={name: compiler.compile(name) for name in schemas},
    )


# --- violations ---------------------------------------------------------------------------------

# After these keywords jsonschema's schema path holds a name, not a keyword.
_NAMING_KEYWORDS: Final = frozenset({"properties", "$defs", "dependentSchemas"})


def _violation(
    schemas: Mapping[str, Mapping[str, object]], root: str, error: ValidationError
) -> Violation:
    schema, rule = _locate(schemas, root, error.relative_schema_path)
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    return Violation(schema, _pointer(error.absolute_path), rule, message)


def _locate(
    schemas: Mapping[str, Mapping[str, object]], root: str, path: Iterable[str | int]
) -> tuple[str, str]:
    """Follow a schema path through `$ref`s to the file of its last keyword and the path there."""
    name = root
    parts: list[str] = []
    node: object = schemas[root]
    naming = False
    for step in path:
        if step == "$ref" and not naming and isinstance(node, Mapping):
            name, parts, node = _resolve(schemas, name, node["$ref"])
        else:
            parts.append(str(step))
            if isinstance(node, Mapping):
                node = node.get(step)
            elif isinstance(node, Sequence) and isinstance(step, int) and step < len(node):
                node = node[step]
            else:
                node = None
        naming = not naming and step in _NAMING_KEYWORDS
    return name, "/".join(_escape(part) for part in parts)


def _resolve(
    schemas: Mapping[str, Mapping[str, object]], name: str, ref: object
) -> tuple[str, list[str], object]:
    """A `$ref` found in file `name`: the target's file, its pointer parts there, and the target."""
    if not isinstance(ref, str):
        raise SchemaError(f"{name}: $ref must be a string, not {ref!r}")
    url, fragment = urldefrag(urljoin(BASE_URI + name, ref))
    target_name = url.removeprefix(BASE_URI)
    if target_name not in schemas or (fragment and not fragment.startswith("/")):
        raise SchemaError(f"{name}: cannot resolve $ref {ref!r}")
    parts = [_unescape(part) for part in fragment.split("/")[1:]]
    node: object = schemas[target_name]
    for part in parts:
        if not isinstance(node, Mapping) or part not in node:
            raise SchemaError(f"{name}: $ref {ref!r} points to nothing")
        node = node[part]
    return target_name, parts, node


def _pointer(path: Iterable[str | int]) -> str:
    return "".join("/" + _escape(str(part)) for part in path)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


# --- the fast path ------------------------------------------------------------------------------

_Check = Callable[[object], bool]

_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default"}
)
_STRING_KEYWORDS: Final = frozenset({"pattern", "minLength", "maxLength"})
_NUMBER_KEYWORDS: Final = frozenset({"minimum", "maximum"})
_ARRAY_KEYWORDS: Final = frozenset({"items", "minItems", "maxItems"})
_OBJECT_KEYWORDS: Final = frozenset(
    {"properties", "required", "additionalProperties", "unevaluatedProperties", "propertyNames"}
    | {"dependentRequired", "dependentSchemas", "minProperties"}
)
_KNOWN_KEYWORDS: Final = (
    _ANNOTATIONS
    | _STRING_KEYWORDS
    | _NUMBER_KEYWORDS
    | _ARRAY_KEYWORDS
    | _OBJECT_KEYWORDS
    | {"type", "enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"}
)


def _accept(instance: object) -> bool:
    return True


def _reject(instance: object) -> bool:
    return False


def _is_integer(instance: object) -> bool:
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


def _is_number(instance: object) -> bool:
    return isinstance(instance, numbers.Number) and not isinstance(instance, bool)


_TYPE_CHECKS: Final[Mapping[str, _Check]] = {
    "object": lambda instance: isinstance(instance, dict),
    "array": lambda instance: isinstance(instance, list),
    "string": lambda instance: isinstance(instance, str),
    "boolean": lambda instance: isinstance(instance, bool),
    "null": lambda instance: instance is None,
    "integer": _is_integer,
    "number": _is_number,
}


def _scalar_key(value: object) -> tuple[str, object] | None:
    """A key equal for values JSON Schema calls equal (True is not 1); None for containers."""
    if value is None:
        return ("null", None)
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, int | float):
        return ("number", value)
    return None


def _all(checks: Sequence[_Check]) -> _Check:
    if not checks:
        return _accept
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda instance: first(instance) and second(instance)

    def check(instance: object) -> bool:
        return all(each(instance) for each in checks)

    return check


class _Compiler:
    """Compiles the keywords our schemas use into plain predicates: the fast path for valid bodies.

    jsonschema stays the authority. A body the predicate rejects is validated again by jsonschema
    for its violations, and the tests assert that both agree on every sample body. A keyword this
    compiler does not know raises SchemaError, so a schema edit cannot silently weaken the check.
    For speed, the check of a single `type` is folded into its family's check (string, number,
    array, object), which then rejects other types instead of ignoring them.
    """

    def __init__(self, schemas: Mapping[str, Mapping[str, object]]) -> None:
        self._schemas = schemas
        self._memo: dict[int, _Check] = {}

    def compile(self, name: str) -> _Check:
        return self._node(self._schemas[name], name)

    def _node(self, node: object, name: str) -> _Check:
        if node is True:
            return _accept
        if node is False:
            return _reject
        if not isinstance(node, Mapping):
            raise SchemaError(f"{name}: a subschema must be an object or a boolean, not {node!r}")
        known = self._memo.get(id(node))
        if known is not None:
            return known
        late: list[_Check] = []  # a $ref cycle reaches this node again before it is built
        self._memo[id(node)] = lambda instance: late[0](instance)
        check = _all(self._keywords(node, name))
        late.append(check)
        self._memo[id(node)] = check
        return check

    def _keywords(self, node: Mapping[str, object], name: str) -> list[_Check]:
        unknown = node.keys() - _KNOWN_KEYWORDS
        if unknown:
            raise SchemaError(f"{name}: keywords {sorted(unknown)} have no fast check")
        declared = node.get("type")
        types = [declared] if isinstance(declared, str) else _as_strings(declared or [], name)
        if not set(types) <= _TYPE_CHECKS.keys():
            raise SchemaError(f"{name}: unknown type in {declared!r}")
        single = types[0] if len(types) == 1 else None
        checks: list[_Check] = []
        if single == "string" or node.keys() & _STRING_KEYWORDS:
            checks.append(_string_check(node, name, strict=single == "string"))
        if single in ("integer", "number") or node.keys() & _NUMBER_KEYWORDS:
            checks.append(_number_check(node, name, single if single in _NUMERIC else None))
        if single == "array" or node.keys() & _ARRAY_KEYWORDS:
            checks.append(self._array_check(node, name, strict=single == "array"))
        if single == "object" or node.keys() & _OBJECT_KEYWORDS:
            checks.append(self._object_check(node, name, strict=single == "object"))
        if single in ("boolean", "null"):
            checks.insert(0, _TYPE_CHECKS[single])
        elif len(types) > 1:
            type_checks = [_TYPE_CHECKS[each] for each in types]
            checks.insert(0, lambda instance: any(each(instance) for each in type_checks))
        for keyword in ("enum", "const"):
            if keyword in node:
                values = node[keyword] if keyword == "enum" else [node[keyword]]
                checks.append(_enum_check(_as_list(values, name), name))
        if "$ref" in node:
            target_name, _, target = _resolve(self._schemas, name, node["$ref"])
            checks.append(self._node(target, target_name))
        checks.extend(self._node(sub, name) for sub in _as_list(node.get("allOf", []), name))
        if "anyOf" in node:
            any_of = [self._node(sub, name) for sub in _as_list(node["anyOf"], name)]
            checks.append(lambda instance: any(each(instance) for each in any_of))
        if "oneOf" in node:
            one_of = [self._node(sub, name) for sub in _as_list(node["oneOf"], name)]
            checks.append(lambda instance: sum(1 for each in one_of if each(instance)) == 1)
        if "not" in node:
            negated = self._node(node["not"], name)
            checks.append(lambda instance: not negated(instance))
        if "if" in node:
            condition = self._node(node["if"], name)
            then = self._node(node.get("then", True), name)
            otherwise = self._node(node.get("else", True), name)
            checks.append(lambda instance: (then if condition(instance) else otherwise)(instance))
        return checks

    def _array_check(self, node: Mapping[str, object], name: str, *, strict: bool) -> _Check:
        items = self._node(node.get("items", True), name)
        min_items = _as_int(node.get("minItems", 0), name)
        max_items = _as_int(node.get("maxItems", sys.maxsize), name)

        def check(instance: object) -> bool:
            if not isinstance(instance, list):
                return not strict
            if not min_items <= len(instance) <= max_items:
                return False
            return all(map(items, instance))

        return check

    def _object_check(self, node: Mapping[str, object], name: str, *, strict: bool) -> _Check:
        properties = {
            key: self._node(sub, name)
            for key, sub in _as_mapping(node.get("properties", {}), name).items()
        }
        required = frozenset(_as_strings(node.get("required", []), name))
        additional = node.get("additionalProperties")
        closed: frozenset[str] | None = None
        extra: _Check | None = None
        if "unevaluatedProperties" in node:
            if node["unevaluatedProperties"] is not False or additional is not None:
                raise SchemaError(f"{name}: only unevaluatedProperties: false, alone, is supported")
            closed = self._evaluated_names(node, name, outermost=True)
        elif additional is False:
            closed = frozenset(properties)
        elif additional is not None:
            extra = self._node(additional, name)
        names = self._node(node["propertyNames"], name) if "propertyNames" in node else None
        dependent_required = [
            (key, frozenset(_as_strings(needed, name)))
            for key, needed in _as_mapping(node.get("dependentRequired", {}), name).items()
        ]
        dependent_schemas = [
            (key, self._node(sub, name))
            for key, sub in _as_mapping(node.get("dependentSchemas", {}), name).items()
        ]
        min_properties = _as_int(node.get("minProperties", 0), name)
        value_check = properties.get
        walk_values = bool(properties) or extra is not None

        def check(instance: object) -> bool:
            if not isinstance(instance, dict):
                return not strict
            keys = instance.keys()
            if not keys >= required or len(instance) < min_properties:
                return False
            if closed is not None and not keys <= closed:
                return False
            if walk_values:
                for key, value in instance.items():
                    each = value_check(key, extra)
                    if each is not None and not each(value):
                        return False
            if names is not None and not all(map(names, keys)):
                return False
            for key, needed in dependent_required:
                if key in instance and not keys >= needed:
                    return False
            for key, sub in dependent_schemas:
                if key in instance and not sub(instance):
                    return False
            return True

        return check

    def _evaluated_names(
        self, node: object, name: str, *, outermost: bool = False
    ) -> frozenset[str]:
        """The names `unevaluatedProperties` counts as evaluated under `node`.

        Only schemas where that set does not depend on the instance are accepted: names come from
        `properties` reached through `$ref` and `allOf`; conditional applicators may add none.
        """
        if not isinstance(node, Mapping):
            return frozenset()
        blocked = {"additionalProperties", "patternProperties"} | (
            set() if outermost else {"unevaluatedProperties"}
        )
        if node.keys() & blocked:
            raise SchemaError(f"{name}: unevaluatedProperties over {sorted(blocked)}: unsupported")
        found = set(_as_mapping(node.get("properties", {}), name))
        if "$ref" in node:
            target_name, _, target = _resolve(self._schemas, name, node["$ref"])
            found |= self._evaluated_names(target, target_name)
        for sub in _as_list(node.get("allOf", []), name):
            found |= self._evaluated_names(sub, name)
        conditional = [node[key] for key in ("if", "then", "else") if key in node]
        conditional += _as_list(node.get("anyOf", []), name) + _as_list(node.get("oneOf", []), name)
        conditional += _as_mapping(node.get("dependentSchemas", {}), name).values()
        for sub in conditional:
            if not self._evaluated_names(sub, name) <= found:
                raise SchemaError(f"{name}: a conditional subschema declares new properties")
        return frozenset(found)


_NUMERIC: Final = ("integer", "number")


def _enum_check(values: list[object], name: str) -> _Check:
    keys = {_scalar_key(value) for value in values}
    if None in keys:
        raise SchemaError(f"{name}: enum/const values must be scalars, not {values!r}")
    if len(values) == 1 and (values[0] is None or isinstance(values[0], bool)):
        only = values[0]
        return lambda instance: instance is only
    return lambda instance: _scalar_key(instance) in keys


def _string_check(node: Mapping[str, object], name: str, *, strict: bool) -> _Check:
    pattern = node.get("pattern")
    search = re.compile(pattern).search if isinstance(pattern, str) else None
    min_length = _as_int(node.get("minLength", 0), name)
    max_length = _as_int(node.get("maxLength", sys.maxsize), name)

    def check(instance: object) -> bool:
        if not isinstance(instance, str):
            return not strict
        if not min_length <= len(instance) <= max_length:
            return False
        return search is None or search(instance) is not None

    return check


def _number_check(node: Mapping[str, object], name: str, strict: str | None) -> _Check:
    """Bounds, and the type when `strict` is "integer" or "number" (JSON values only)."""
    minimum = _as_bound(node.get("minimum", -math.inf), name)
    maximum = _as_bound(node.get("maximum", math.inf), name)
    integral = strict == "integer"

    def check(instance: object) -> bool:
        if type(instance) is int:  # the common case; also excludes bool
            return minimum <= instance <= maximum
        if isinstance(instance, bool) or not isinstance(instance, int | float):
            return strict is None
        if integral and not (isinstance(instance, int) or instance.is_integer()):
            return False
        return minimum <= instance <= maximum

    return check


def _as_list(value: object, name: str) -> list[object]:
    if not isinstance(value, list):
        raise SchemaError(f"{name}: expected an array, not {value!r}")
    return value


def _as_strings(value: object, name: str) -> list[str]:
    items = _as_list(value, name)
    if not all(isinstance(item, str) for item in items):
        raise SchemaError(f"{name}: expected an array of strings, not {value!r}")
    return [str(item) for item in items]


def _as_mapping(value: object, name: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise SchemaError(f"{name}: expected an object, not {value!r}")
    return value


def _as_int(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise SchemaError(f"{name}: expected an integer, not {value!r}")
    return value


def _as_bound(value: object, name: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise SchemaError(f"{name}: minimum/maximum must be numbers, not {value!r}")
    return value
