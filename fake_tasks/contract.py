"""Response contracts: the JSON Schemas in `schemas/`, loaded once, and validation of bodies against them."""  # noqa: E501

from __future__ import annotations

import functools
import itertools
import json
import numbers
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, Final, cast
from urllib.parse import urldefrag, urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing.jsonschema import DRAFT202012, SchemaRegistry

from fake_tasks.errors import IllegalStateError

__all__ = [
    "BASE_URI",
    "ContractLog",
    "Rejection",
    "ResponseViolation",
    "SchemaError",
    "Violation",
    "apis",
    "check_response",
    "error_schema",
    "load_schema",
    "schema_for",
    "schema_names",
    "strict_error",
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
    if (
        api == "rollup.delete_job"
        and status == 500
        and isinstance(body, Mapping)
        and ("task_failures" in body or "node_failures" in body)
    ):
        return success  # RestDeleteRollupJobAction answers failures as a 500 response body
    return error_schema(body)


def check_response(api: str, status: int, body: object) -> list[Violation]:
    """Every way `body`, answered by `api` with HTTP `status`, breaks its contract; [] if none.

    `api` is an Elasticsearch API name (`"tasks.list"`, `"tasks.get"`, `"tasks.cancel"`, `"info"`,
    `"nodes.info"`, `"rollup.*"`); `body` is the decoded JSON, unfiltered (`filter_path` makes
    shapes no schema describes). Works for any server's answers, not only the fake's. An
    unknown `api` is itself one violation.
    """
    if api not in _SUCCESS_SCHEMAS:
        known = ", ".join(sorted(_SUCCESS_SCHEMAS))
        return [Violation("", "", "api", f"no contract for API {api!r}; known: {known}")]
    schema = schema_for(api, status, body)
    return [] if schema is None else validate(schema, body)


def apis() -> list[str]:
    """The API names `check_response` knows, sorted."""
    return sorted(_SUCCESS_SCHEMAS)


# --- what a serving fake found ------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseViolation:
    """A response the fake sent whose body broke its contract.

    `request` is the request line as received (`GET /_tasks?group_by=none`), `api` the route's
    API name (None: no route matched), `schema` the file the body was checked against.
    """

    request: str
    api: str | None
    status: int
    schema: str
    violations: tuple[Violation, ...]

    @property
    def headline(self) -> str:
        return f"{self.request} -> {self.status}: body breaks {self.schema}"

    def lines(self) -> list[str]:
        """One self-contained line per violation (for logs)."""
        return [f"{self.headline}: {violation}" for violation in self.violations]

    def __str__(self) -> str:
        return "\n".join([self.headline, *(f"  {violation}" for violation in self.violations)])


@dataclass(frozen=True)
class Rejection:
    """A request the fake refused as invalid (ES's 400 for a bad parameter, header or body)."""

    request: str
    status: int
    reason: str

    def __str__(self) -> str:
        return f"{self.request} -> {self.status}: {self.reason}"


def error_schema(body: object) -> str:
    """The schema of an error body: the simple `{"error": "text"}` form or the full one."""
    if isinstance(body, Mapping) and isinstance(body.get("error"), str):
        return "error_simple.json"
    return "error_response.json"


class ContractLog:
    """The contract checks of one fake: every response body it sends is checked here first.

    `violations` lists the responses that broke their schema and `rejected` the requests the
    fake refused as invalid, both since the last `clear` (the fixture fails a test on the
    former, and on the latter when asked). `enabled` False skips the checks (benchmarks);
    `strict` makes the app answer a 500 instead of a body that breaks its contract;
    `on_violation` is called with each one as it is found (the CLI logs it). At most `limit`
    entries of each kind are kept (the first ones); `dropped` counts the rest.
    """

    def __init__(
        self,
        *,
        strict: bool = False,
        on_violation: Callable[[ResponseViolation], None] | None = None,
        limit: int = 1000,
    ) -> None:
        self.enabled = True
        self.strict = strict
        self.on_violation = on_violation
        self.limit = limit
        self.dropped = 0
        self._violations: list[ResponseViolation] = []
        self._rejected: list[Rejection] = []
        self._lock = threading.Lock()

    @property
    def violations(self) -> list[ResponseViolation]:
        with self._lock:
            return list(self._violations)

    @property
    def rejected(self) -> list[Rejection]:
        with self._lock:
            return list(self._rejected)

    def clear(self) -> None:
        with self._lock:
            self._violations.clear()
            self._rejected.clear()
            self.dropped = 0

    def check(
        self, request: str, api: str | None, status: int, body: object
    ) -> ResponseViolation | None:
        """Check one response body about to be sent (unfiltered); record what breaks.

        Bodies of no route (`api` None) are checked as errors only; None bodies (HEAD,
        OPTIONS) are not checked.
        """
        if not self.enabled or body is None:
            return None
        if api is None:
            if status < 400:
                return None
            schema: str | None = error_schema(body)
        else:
            schema = schema_for(api, status, body) if api in _SUCCESS_SCHEMAS else None
        if schema is None:
            return None
        violations = validate(schema, body)
        if not violations:
            return None
        found = ResponseViolation(request, api, status, schema, tuple(violations))
        with self._lock:
            self._keep(self._violations, found)
        if self.on_violation is not None:
            self.on_violation(found)
        return found

    def withdraw(self, found: ResponseViolation) -> None:
        """Forget a violation: the body it describes was replaced before it was sent."""
        with self._lock:
            for index, kept in enumerate(self._violations):
                if kept is found:
                    del self._violations[index]
                    return

    def reject(self, request: str, status: int, reason: str) -> None:
        with self._lock:
            self._keep(self._rejected, Rejection(request, status, reason))

    def _keep(self, entries: list[Any], entry: object) -> None:
        if len(entries) < self.limit:
            entries.append(entry)
        else:
            self.dropped += 1

    def violations_report(self) -> str | None:
        """The responses that broke their contract, for a failing test; None if none did."""
        found = self.violations
        if not found:
            return None
        count = len(found) + self.dropped
        head = f"the fake sent {count} response(s) that break their JSON Schema contract:"
        return "\n".join([head, *(str(entry) for entry in found)])

    def rejected_report(self) -> str | None:
        """The requests the fake refused as invalid; None if there were none."""
        found = self.rejected
        if not found:
            return None
        head = f"the fake refused {len(found)} request(s) as invalid:"
        return "\n".join([head, *(f"  {entry}" for entry in found)])


def strict_error(found: ResponseViolation) -> dict[str, object]:
    """The ES-shaped 500 body `--strict` sends instead of a body that breaks its contract."""
    first = found.violations[0]
    more = len(found.violations) - 1
    reason = (
        f"fake-tasks (strict): the {found.status} response to [{found.request}] breaks its "
        f"contract {found.schema}: {first}" + (f" (and {more} more)" if more else "")
    )
    return IllegalStateError(reason).body()


# --- loading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Contracts:
    schemas: Mapping[str, Mapping[str, object]]
    validators: Mapping[str, Draft202012Validator]
    fast: Mapping[str, _Check]
    fast_source: str  # the generated code behind `fast`, for debugging


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
    fast, source = _Generator(schemas).build()
    return _Contracts(
        schemas=schemas,
        validators={
            name: Draft202012Validator(s, registry=registry) for name, s in schemas.items()
        },
        fast=fast,
        fast_source=source,
    )


# --- violations ---------------------------------------------------------------------------------


def _violation(
    schemas: Mapping[str, Mapping[str, object]], root: str, error: ValidationError
) -> Violation:
    path = list(error.relative_schema_path)
    keyword = str(path.pop())  # our schemas have no `false` subschema, which would lack one
    found = _locate(schemas, root, schemas[root], [], path, error.schema, set())
    schema, parts = found if found is not None else (root, [str(step) for step in path])
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    rule = "/".join(_escape(part) for part in [*parts, keyword])
    return Violation(schema, _pointer(error.absolute_path), rule, message)


def _locate(
    schemas: Mapping[str, Mapping[str, object]],
    name: str,
    node: object,
    parts: list[str],
    steps: list[str | int],
    goal: object,
    seen: set[tuple[int, int]],
) -> tuple[str, list[str]] | None:
    """The file and in-file path of the subschema `goal`, reached from `node` along `steps`.

    jsonschema's schema paths do not record `$ref` hops, so at a node with a `$ref` both the
    local keyword and the referenced schema are tried; `goal` (the failing subschema itself)
    tells which walk is right.
    """
    if (id(node), len(steps)) in seen:
        return None
    seen.add((id(node), len(steps)))
    if not steps and node is goal:
        return name, parts
    if isinstance(node, Mapping):
        if steps and steps[0] in node:
            step = steps[0]
            found = _locate(schemas, name, node[step], [*parts, str(step)], steps[1:], goal, seen)
            if found is not None:
                return found
        if "$ref" in node:
            target_name, target_parts, target = _resolve(schemas, name, node["$ref"])
            return _locate(schemas, target_name, target, target_parts, steps, goal, seen)
    elif isinstance(node, list) and steps and isinstance(steps[0], int) and steps[0] < len(node):
        step = steps[0]
        return _locate(schemas, name, node[step], [*parts, str(step)], steps[1:], goal, seen)
    return None


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
#
# jsonschema needs ~0.3 ms per task of a list response, which is slower than building it. So
# validate() first runs a predicate generated from the same schemas as plain Python code, and
# asks jsonschema only when that predicate rejects the body, for the violations. jsonschema stays
# the authority: the tests assert that both agree on every sample body and on random mutations
# of them. The generator knows only the keywords our schemas use; any other keyword raises
# SchemaError when the schemas are loaded, so a schema edit cannot silently weaken the check.

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
_LEAF_KEYWORDS: Final = (
    _ANNOTATIONS | _STRING_KEYWORDS | _NUMBER_KEYWORDS | {"type", "enum", "const"}
)
_KNOWN_KEYWORDS: Final = (
    _LEAF_KEYWORDS
    | _ARRAY_KEYWORDS
    | _OBJECT_KEYWORDS
    | {"$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"}
)

# Python tests for JSON types, as jsonschema's Draft 2020-12 type checker defines them.
_TYPE_TESTS: Final[Mapping[str, str]] = {
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "string": "isinstance({v}, str)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "integer": "(type({v}) is int or _is_integer({v}))",
    "number": "(type({v}) in (int, float) or _is_number({v}))",
}


def _is_integer(instance: object) -> bool:
    if isinstance(instance, bool):
        return False
    return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())


def _is_number(instance: object) -> bool:
    return isinstance(instance, numbers.Number) and not isinstance(instance, bool)


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


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _guarded(test: str, strict: bool, body: list[str]) -> list[str]:
    """`body` for values passing `test`; other values fail when `strict`, else are ignored."""
    if strict:
        return [f"if not {test}: return False", *body]
    return [f"if {test}:", *_indent(body)] if body else []


class _Generator:
    """Writes one Python function per schema node that needs one (files, `$ref` targets, the
    branches of anyOf/oneOf/not/if); everything else is inlined as statements that return False
    on the first failure."""

    def __init__(self, schemas: Mapping[str, Mapping[str, object]]) -> None:
        self._schemas = schemas
        self._functions: dict[int, str] = {}
        self._pending: list[tuple[str, object, str]] = []
        self._lines: list[str] = []
        self._namespace: dict[str, object] = {
            "_is_integer": _is_integer,
            "_is_number": _is_number,
            "_scalar_key": _scalar_key,
        }
        self._names = itertools.count()

    def build(self) -> tuple[dict[str, _Check], str]:
        entries = {name: self._function(schema, name) for name, schema in self._schemas.items()}
        while self._pending:
            function, node, name = self._pending.pop()
            body = self._statements(node, name, "x")
            self._lines += [f"def {function}(x):", *_indent([*body, "return True"]), ""]
        source = "\n".join(self._lines)
        exec(compile(source, "<fake_tasks.contract fast path>", "exec"), self._namespace)
        return {name: cast(_Check, self._namespace[fn]) for name, fn in entries.items()}, source

    def _fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self._names)}"

    def _constant(self, value: object) -> str:
        name = self._fresh("_c")
        self._namespace[name] = value
        return name

    def _function(self, node: object, name: str) -> str:
        """The generated function checking `node` (of file `name`), written once."""
        function = self._functions.get(id(node))
        if function is None:
            function = self._functions[id(node)] = self._fresh("_f")
            self._pending.append((function, node, name))
        return function

    def _statements(self, node: object, name: str, var: str) -> list[str]:
        """Statements that return False when the value in `var` breaks `node`."""
        if node is True:
            return []
        if node is False:
            return ["return False"]
        node = _as_mapping(node, name)
        unknown = node.keys() - _KNOWN_KEYWORDS
        if unknown:
            raise SchemaError(f"{name}: keywords {sorted(unknown)} have no fast check")
        declared = node.get("type")
        types = [declared] if isinstance(declared, str) else _as_strings(declared or [], name)
        if not set(types) <= _TYPE_TESTS.keys():
            raise SchemaError(f"{name}: unknown type in {declared!r}")
        single = types[0] if len(types) == 1 else None
        out: list[str] = []
        if single in ("boolean", "null") or len(types) > 1:
            tests = " or ".join(_TYPE_TESTS[each].format(v=var) for each in types)
            out.append(f"if not ({tests}): return False")
        if single == "string" or node.keys() & _STRING_KEYWORDS:
            test = _TYPE_TESTS["string"].format(v=var)
            out += _guarded(test, single == "string", self._string(node, name, var))
        if single in ("integer", "number") or node.keys() & _NUMBER_KEYWORDS:
            numeric = single if single in ("integer", "number") else None
            test = _TYPE_TESTS[numeric or "number"].format(v=var)
            out += _guarded(test, numeric is not None, _number(node, name, var))
        if single == "array" or node.keys() & _ARRAY_KEYWORDS:
            test = _TYPE_TESTS["array"].format(v=var)
            out += _guarded(test, single == "array", self._array(node, name, var))
        if single == "object" or node.keys() & _OBJECT_KEYWORDS:
            test = _TYPE_TESTS["object"].format(v=var)
            out += _guarded(test, single == "object", self._object(node, name, var))
        for keyword in ("enum", "const"):
            if keyword in node:
                values = node[keyword] if keyword == "enum" else [node[keyword]]
                out.append(self._enum(_as_list(values, name), name, var))
        if "$ref" in node:
            target_name, _, target = _resolve(self._schemas, name, node["$ref"])
            if isinstance(target, Mapping) and target.keys() <= _LEAF_KEYWORDS:
                out += self._statements(target, target_name, var)
            else:
                out.append(f"if not {self._function(target, target_name)}({var}): return False")
        for sub in _as_list(node.get("allOf", []), name):
            out += self._statements(sub, name, var)
        if "anyOf" in node:
            calls = [f"{self._function(s, name)}({var})" for s in _as_list(node["anyOf"], name)]
            out.append(f"if not ({' or '.join(calls)}): return False")
        if "oneOf" in node:
            calls = [f"{self._function(s, name)}({var})" for s in _as_list(node["oneOf"], name)]
            out.append(f"if ({' + '.join(calls)}) != 1: return False")
        if "not" in node:
            out.append(f"if {self._function(node['not'], name)}({var}): return False")
        if "if" in node:
            condition = self._condition(node["if"], name, var)
            then = self._statements(node.get("then", True), name, var)
            otherwise = self._statements(node.get("else", True), name, var)
            if then:
                out += [f"if {condition}:", *_indent(then)]
                out += ["else:", *_indent(otherwise)] if otherwise else []
            elif otherwise:
                out += [f"if not {condition}:", *_indent(otherwise)]
        return out

    def _condition(self, node: object, name: str, var: str) -> str:
        """An expression true when `var` matches `node` (inlined for a bare `required`)."""
        if isinstance(node, Mapping) and node.keys() - _ANNOTATIONS == {"required"}:
            needed = self._constant(frozenset(_as_strings(node["required"], name)))
            return f"(not isinstance({var}, dict) or {var}.keys() >= {needed})"
        return f"{self._function(node, name)}({var})"

    def _string(self, node: Mapping[str, object], name: str, var: str) -> list[str]:
        out = []
        if "minLength" in node:
            out.append(f"if len({var}) < {_as_int(node['minLength'], name)}: return False")
        if "maxLength" in node:
            out.append(f"if len({var}) > {_as_int(node['maxLength'], name)}: return False")
        if "pattern" in node:
            pattern = node["pattern"]
            if not isinstance(pattern, str):
                raise SchemaError(f"{name}: pattern must be a string, not {pattern!r}")
            search = self._constant(re.compile(pattern).search)
            out.append(f"if {search}({var}) is None: return False")
        return out

    def _array(self, node: Mapping[str, object], name: str, var: str) -> list[str]:
        out = []
        if "minItems" in node:
            out.append(f"if len({var}) < {_as_int(node['minItems'], name)}: return False")
        if "maxItems" in node:
            out.append(f"if len({var}) > {_as_int(node['maxItems'], name)}: return False")
        item = self._fresh("i")
        body = self._statements(node.get("items", True), name, item)
        return [*out, f"for {item} in {var}:", *_indent(body)] if body else out

    def _object(self, node: Mapping[str, object], name: str, var: str) -> list[str]:
        properties = _as_mapping(node.get("properties", {}), name)
        required = _as_strings(node.get("required", []), name)
        keys = self._fresh("k")
        out: list[str] = []
        if required:
            out.append(f"if not {keys} >= {self._constant(frozenset(required))}: return False")
        if "minProperties" in node:
            out.append(f"if len({var}) < {_as_int(node['minProperties'], name)}: return False")
        additional = node.get("additionalProperties")
        if "unevaluatedProperties" in node:
            if node["unevaluatedProperties"] is not False or additional is not None:
                raise SchemaError(f"{name}: only unevaluatedProperties: false, alone, is supported")
            closed = self._constant(self._evaluated_names(node, name, outermost=True))
            out.append(f"if not {keys} <= {closed}: return False")
        elif additional is False:
            out.append(f"if not {keys} <= {self._constant(frozenset(properties))}: return False")
        for key, sub in properties.items():
            value = self._fresh("v")
            body = self._statements(sub, name, value)
            if body and key in required:
                out += [f"{value} = {var}[{key!r}]", *body]
            elif body:
                out += [f"if {key!r} in {var}:", *_indent([f"{value} = {var}[{key!r}]", *body])]
        if additional is not None and additional is not False:
            key, value = self._fresh("n"), self._fresh("v")
            body = self._statements(additional, name, value)
            if body and properties:
                declared = self._constant(frozenset(properties))
                body = [f"if {key} in {declared}: continue", *body]
            if body:
                out += [f"for {key}, {value} in {var}.items():", *_indent(body)]
        if "propertyNames" in node:
            key = self._fresh("n")
            body = self._statements(node["propertyNames"], name, key)
            out += [f"for {key} in {keys}:", *_indent(body)] if body else []
        for key, needed in _as_mapping(node.get("dependentRequired", {}), name).items():
            needed_set = self._constant(frozenset(_as_strings(needed, name)))
            out.append(f"if {key!r} in {var} and not {keys} >= {needed_set}: return False")
        for key, sub in _as_mapping(node.get("dependentSchemas", {}), name).items():
            body = self._statements(sub, name, var)
            out += [f"if {key!r} in {var}:", *_indent(body)] if body else []
        uses_keys = re.compile(rf"\b{keys}\b")
        return [f"{keys} = {var}.keys()", *out] if any(map(uses_keys.search, out)) else out

    def _enum(self, values: list[object], name: str, var: str) -> str:
        keys = {_scalar_key(value) for value in values}
        if None in keys:
            raise SchemaError(f"{name}: enum/const values must be scalars, not {values!r}")
        if len(values) == 1 and (values[0] is None or isinstance(values[0], bool)):
            return f"if {var} is not {values[0]!r}: return False"
        return f"if _scalar_key({var}) not in {self._constant(frozenset(keys))}: return False"

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


def _number(node: Mapping[str, object], name: str, var: str) -> list[str]:
    out = []
    for keyword, fails in (("minimum", "<"), ("maximum", ">")):
        if keyword in node:
            bound = node[keyword]
            if not isinstance(bound, int | float) or isinstance(bound, bool):
                raise SchemaError(f"{name}: {keyword} must be a number, not {bound!r}")
            out.append(f"if {var} {fails} {bound!r}: return False")
    return out


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
