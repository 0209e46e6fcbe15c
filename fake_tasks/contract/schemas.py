"""Response contracts: the JSON Schemas in `schemas/`, loaded once, and validation of bodies against them."""  # noqa: E501

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING, Any, Final

from fake_tasks.contract.fastcheck import LazyChecks
from fake_tasks.contract.schemaref import BASE_URI, SchemaError, escape, pointer, resolve
from fake_tasks.errors import IllegalStateError

if TYPE_CHECKING:  # jsonschema is imported when a body fails its fast check, not before
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

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

_SUCCESS_SCHEMAS: Final[Mapping[str, str]] = {
    "info": "cluster_info.json",
    "nodes.info": "nodes_info.json",
    "tasks.list": "list_response.json",
    "tasks.get": "get_task_response.json",
    "tasks.cancel": "cancel_response.json",
    "cat.tasks": "cat_tasks.json",
    "reindex": "bulk_by_scroll_response.json",
    "update_by_query": "bulk_by_scroll_response.json",
    "delete_by_query": "bulk_by_scroll_response.json",
    "reindex_rethrottle": "list_response.json",
    "update_by_query_rethrottle": "list_response.json",
    "delete_by_query_rethrottle": "list_response.json",
    "indices.forcemerge": "forcemerge_response.json",
    "cluster.health": "cluster_health.json",
    "nodes.hot_threads": "text_response.json",
    "rollup.stop_job": "rollup_stop_job.json",
    "rollup.start_job": "rollup_start_job.json",
    "rollup.put_job": "rollup_put_job.json",
    "rollup.get_jobs": "rollup_get_jobs.json",
    "rollup.delete_job": "rollup_delete_job.json",
    "rollup.get_rollup_caps": "rollup_get_rollup_caps.json",
    "rollup.get_rollup_index_caps": "rollup_get_rollup_caps.json",
    "indices.create": "indices_create.json",
    "indices.get": "indices_get.json",
    "indices.exists": "indices_get.json",
    "indices.delete": "acknowledged.json",
    "indices.get_mapping": "indices_get_mapping.json",
    "security.authenticate": "security_authenticate.json",
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
        return "text_response.json" if isinstance(body, str) else success
    if (
        api == "rollup.delete_job"
        and status == 500
        and isinstance(body, Mapping)
        and ("task_failures" in body or "node_failures" in body)
    ):
        return success  # RestDeleteRollupJobAction answers failures as a 500 response body
    if _answers_with_status(api, body):
        return success
    return error_schema(body)


def _answers_with_status(api: str, body: object) -> bool:
    """A body of the success shape sent with an error status: a by-query or reindex answer
    with failures (their highest status), a health whose wait timed out (408)."""
    if not isinstance(body, Mapping) or "error" in body:
        return False
    if api in ("reindex", "update_by_query", "delete_by_query"):
        return "failures" in body
    return api == "cluster.health" and body.get("timed_out") is True


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
    fast: LazyChecks

    @property
    def fast_source(self) -> str:
        """The code generated behind `fast` so far, for debugging."""
        return self.fast.source

    @functools.cached_property
    def validators(self) -> Mapping[str, Draft202012Validator]:
        """jsonschema's validators, built on first use: they only explain a failed fast check."""
        from jsonschema import Draft202012Validator
        from referencing.jsonschema import DRAFT202012, SchemaRegistry

        registry = SchemaRegistry().with_resources(
            (BASE_URI + name, DRAFT202012.create_resource(contents))
            for name, contents in self.schemas.items()
        )
        return {
            name: Draft202012Validator(s, registry=registry) for name, s in self.schemas.items()
        }


def _schema_dir() -> Traversable:
    return files("fake_tasks") / "schemas"


def _read(name: str) -> dict[str, object]:
    loaded: object = json.loads((_schema_dir() / name).read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise SchemaError(f"{name}: a schema file must hold a JSON object")
    return loaded


@functools.cache
def _contracts() -> _Contracts:
    """Built once: the parsed schemas, and a fast check per file made on first use."""
    schemas = {name: _read(name) for name in schema_names()}
    for name, contents in schemas.items():
        if contents.get("$id") != BASE_URI + name:
            raise SchemaError(f"{name}: $id must be {BASE_URI + name!r}")
    return _Contracts(schemas=schemas, fast=LazyChecks(schemas))


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
    rule = "/".join(escape(part) for part in [*parts, keyword])
    return Violation(schema, pointer(error.absolute_path), rule, message)


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
            target_name, target_parts, target = resolve(schemas, name, node["$ref"])
            return _locate(schemas, target_name, target, target_parts, steps, goal, seen)
    elif isinstance(node, list) and steps and isinstance(steps[0], int) and steps[0] < len(node):
        step = steps[0]
        return _locate(schemas, name, node[step], [*parts, str(step)], steps[1:], goal, seen)
    return None
