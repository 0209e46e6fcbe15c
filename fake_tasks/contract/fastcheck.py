"""A fast yes/no check compiled from the JSON Schemas into Python; jsonschema explains a no."""

from __future__ import annotations

import itertools
import numbers
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, cast

from fake_tasks.contract.schemaref import SchemaError, resolve

# --- the fast path ------------------------------------------------------------------------------
#
# jsonschema needs ~0.3 ms per task of a list response, which is slower than building it. So
# validate() first runs a predicate generated from the same schemas as plain Python code, and
# asks jsonschema only when that predicate rejects the body, for the violations. jsonschema stays
# the authority: the tests assert that both agree on every sample body and on random mutations
# of them. The generator knows only the keywords our schemas use; any other keyword raises
# SchemaError when the schemas are loaded, so a schema edit cannot silently weaken the check.

Check = Callable[[object], bool]

_PATTERN_MEMO: Final = 4096  # strings remembered per pattern as matching it

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


class LazyChecks(Mapping[str, Check]):
    """The check of each schema file, generated when first asked for (a server's first answer
    then compiles one file's checks, not every file's)."""

    def __init__(self, schemas: Mapping[str, Mapping[str, object]]) -> None:
        self._schemas = schemas
        self._built: dict[str, Check] = {}
        self._sources: dict[str, str] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Check:
        check = self._built.get(name)
        if check is not None:
            return check
        if name not in self._schemas:
            raise KeyError(name)
        with self._lock:
            if name not in self._built:
                built, self._sources[name] = Generator(self._schemas).build([name])
                self._built[name] = built[name]
            return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._schemas)

    def __len__(self) -> int:
        return len(self._schemas)

    @property
    def source(self) -> str:
        """The code generated so far, for debugging."""
        return "\n".join(self._sources.values())


class Generator:
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

    def build(self, names: Iterable[str] | None = None) -> tuple[dict[str, Check], str]:
        """Checks for the files `names` (default: all) and what they reference; and the code."""
        chosen = self._schemas if names is None else {n: self._schemas[n] for n in names}
        entries = {name: self._function(schema, name) for name, schema in chosen.items()}
        while self._pending:
            function, node, name = self._pending.pop()
            body = self._statements(node, name, "x")
            self._lines += [f"def {function}(x):", *_indent([*body, "return True"]), ""]
        source = "\n".join(self._lines)
        exec(compile(source, "<fake_tasks.contract fast path>", "exec"), self._namespace)
        return {name: cast(Check, self._namespace[fn]) for name, fn in entries.items()}, source

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
            target_name, _, target = resolve(self._schemas, name, node["$ref"])
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
            # Node ids, parent ids and the like repeat across a response: remember (a bounded
            # number of) strings that matched rather than searching each again.
            seen = self._constant(set())
            out += [
                f"if {var} not in {seen}:",
                f"    if {search}({var}) is None: return False",
                f"    if len({seen}) < {_PATTERN_MEMO}: {seen}.add({var})",
            ]
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
            target_name, _, target = resolve(self._schemas, name, node["$ref"])
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
