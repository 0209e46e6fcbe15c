"""Scenario files: parse YAML or JSON, check them against the shipped schema, build the cluster.

Every problem names where it is (file, line, JSON pointer) and the schema rule it breaks, so a
typo in a long scenario is found at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fake_tasks.cluster.clock import VirtualClock
from fake_tasks.cluster.model import Task
from fake_tasks.contract.control import Problem, problems
from fake_tasks.errors import EsError, FakeTasksError
from fake_tasks.scripting.faults import Rule
from fake_tasks.scripting.payloads import (
    Refs,
    add_fault_rule,
    add_index,
    add_rollup_job,
    add_stub,
    add_task_tree,
    build_error,
    build_node,
)
from fake_tasks.scripting.scriptable import Scriptable
from fake_tasks.scripting.stubs import Stub

if TYPE_CHECKING:  # PyYAML loads with the first scenario, not with the server
    import yaml

__all__ = [
    "SCHEMA",
    "Loaded",
    "ScenarioError",
    "Where",
    "load",
    "load_text",
    "parse",
    "shipped",
    "validate",
]

SCHEMA = "scenario.json"
"""The scenario schema, shipped as `fake_tasks/schemas/control/scenario.json`."""


@dataclass(frozen=True)
class Where:
    """One problem of a scenario, where it is and which rule it breaks."""

    pointer: str
    rule: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        at = f"line {self.line}, " if self.line is not None else ""
        return f"{at}{self.pointer or '(root)'}: {self.message} (rule {self.rule})"


class ScenarioError(FakeTasksError):
    """A scenario that cannot be loaded; `problems` lists each, with its line and rule."""

    def __init__(self, source: str, found: Sequence[Where]) -> None:
        self.source = source
        self.problems = list(found)
        lines = "\n".join(f"  {source}: {p}" for p in self.problems)
        super().__init__(f"scenario {source} is not valid:\n{lines}")


@dataclass
class Loaded:
    """What a scenario built: indices, tasks (by `ref` too), rollup jobs, fault rules, stubs."""

    tasks: list[Task] = field(default_factory=list)
    refs: dict[str, Task] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)
    stubs: list[Stub] = field(default_factory=list)
    indices: list[str] = field(default_factory=list)
    rollup_jobs: list[str] = field(default_factory=list)


def parse(text: str, source: str = "<scenario>") -> tuple[Any, yaml.Node | None]:
    """The document and its YAML node tree (for line numbers); JSON is read as YAML."""
    import yaml

    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):  # `*name` could multiply the document
                line = event.start_mark.line + 1 if event.start_mark is not None else None
                found = Where("", "syntax", "YAML aliases (*name) are not supported", line)
                raise ScenarioError(source, [found])
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"{error.context + ' ' if error.context else ''}{error.problem or error}"
        raise ScenarioError(source, [Where("", "syntax", message, line)]) from None
    except yaml.YAMLError as error:
        raise ScenarioError(source, [Where("", "syntax", str(error))]) from None
    return document, tree


def validate(document: Any, tree: yaml.Node | None = None, source: str = "<scenario>") -> None:
    """Raise `ScenarioError` listing every schema problem of a parsed scenario."""
    found = problems(SCHEMA, document)
    if found:
        raise ScenarioError(source, [_where(p, tree) for p in found])


def load(fake: Scriptable, source: str | Path | Mapping[str, Any]) -> Loaded:
    """Reset `fake` to the scenario in `source` (a path, YAML/JSON text, or a mapping)."""
    name, document, tree = _read(source)
    return _load(fake, name, document, tree)


def load_text(fake: Scriptable, text: str, name: str = "<scenario>") -> Loaded:
    """Reset `fake` to the scenario in `text` (YAML or JSON; never read as a file name)."""
    document, tree = parse(text, name)
    return _load(fake, name, document, tree)


def _load(fake: Scriptable, name: str, document: Any, tree: yaml.Node | None) -> Loaded:
    validate(document, tree, name)
    try:
        return _apply(fake, document)
    except _At as problem:
        fake.reset()  # nothing half-built survives a failed load
        pointer, error = problem.args
        message = str(error.reason) if isinstance(error, EsError) else str(error)
        raise ScenarioError(name, [_where(Problem(pointer, "model", message), tree)]) from None


def shipped() -> list[str]:
    """The scenarios shipped in `fake_tasks/scenarios/`, by name (load them by name)."""
    folder = files("fake_tasks") / "scenarios"
    found = (e.name for e in folder.iterdir() if e.name.endswith(".yaml"))
    return sorted(name.removesuffix(".yaml") for name in found)


def _read(source: str | Path | Mapping[str, Any]) -> tuple[str, Any, yaml.Node | None]:
    """A mapping; YAML or JSON text (several lines, or one starting with `{`); else a path,
    or the name of a shipped scenario."""
    if isinstance(source, Mapping):
        try:
            return "<mapping>", json.loads(json.dumps(source)), None
        except (TypeError, ValueError) as error:
            raise ScenarioError("<mapping>", [Where("", "syntax", str(error))]) from None
    if isinstance(source, str) and ("\n" in source or source.lstrip().startswith("{")):
        document, tree = parse(source)
        return "<scenario>", document, tree
    path = Path(source)
    name = path.name.removesuffix(".yaml")
    if not path.exists() and str(source).removesuffix(".yaml") == name and name in shipped():
        path_name = f"{name}.yaml"
        text = (files("fake_tasks") / "scenarios" / path_name).read_text(encoding="utf-8")
        document, tree = parse(text, path_name)
        return path_name, document, tree
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        if not path.exists():
            reason += f" (shipped scenarios: {', '.join(shipped())})"
        raise ScenarioError(str(path), [Where("", "file", reason)]) from None
    document, tree = parse(text, str(path))
    return str(path), document, tree


class _At(Exception):
    """A model error while building, with the pointer of the entry that caused it."""


def _apply(fake: Scriptable, doc: Mapping[str, Any]) -> Loaded:
    cluster = doc.get("cluster", {})
    clock = doc.get("clock", {})
    nodes = doc.get("nodes")
    if nodes and cluster.get("tasks", 0):
        raise _At("/cluster/tasks", FakeTasksError("generated tasks need generated nodes"))
    settings: dict[str, Any] = {"tasks": cluster.get("tasks", 0)}
    for key in ("seed", "nodes", "version"):
        if key in cluster:
            settings[key] = cluster[key]
    if nodes:
        settings["nodes"] = len(nodes)
    if "tick" in clock:
        settings["tick"] = clock["tick"]
    fake.reset(**settings)
    if "tick" in clock and isinstance(fake.cluster.clock, VirtualClock):
        fake.cluster.clock.set_tick(clock["tick"])  # a clock given to the fake outlives resets
    identity = {k: cluster[k] for k in ("name", "uuid") if k in cluster}
    if nodes:
        fake.use_nodes([build_node(n, i) for i, n in enumerate(nodes)], **identity)
    else:
        for key, value in identity.items():
            setattr(fake.cluster, key, value)
    loaded = Loaded()
    refs = Refs()
    for index, failed in enumerate(doc.get("failed_nodes", ())):
        cause = failed.get("cause", "disconnected")
        with _pointer(f"/failed_nodes/{index}"):
            fake.fail_node(
                failed["node"],
                cause if isinstance(cause, str) else build_error(cause),
                timeout=failed.get("timeout", "30s"),
            )
    for index, value in enumerate(doc.get("indices", ())):
        with _pointer(f"/indices/{index}"):
            loaded.indices.append(add_index(fake, value).name)
    for index, task in enumerate(doc.get("tasks", ())):
        with _pointer(f"/tasks/{index}"):
            loaded.tasks += add_task_tree(fake, task, refs)[1]
    loaded.refs = dict(refs.tasks)
    for index, job in enumerate(doc.get("rollup_jobs", ())):
        with _pointer(f"/rollup_jobs/{index}"):
            loaded.rollup_jobs.append(add_rollup_job(fake, job).config.id)
    for index, failure in enumerate(doc.get("task_failures", ())):
        with _pointer(f"/task_failures/{index}"):
            error = failure["error"]
            fake.add_task_failure(
                refs.task_id(failure["task"]),
                error if isinstance(error, str) else build_error(error),
            )
    for index, rule in enumerate(doc.get("faults", ())):
        with _pointer(f"/faults/{index}"):
            loaded.rules.append(add_fault_rule(fake, rule, refs))
    for index, stub in enumerate(doc.get("stubs", ())):
        with _pointer(f"/stubs/{index}"):
            loaded.stubs.append(add_stub(fake, stub))
    if "advance" in clock:
        with _pointer("/clock/advance"):
            fake.advance(clock["advance"])
    return loaded


class _pointer:
    """Turn a model error raised inside into `_At(pointer, error)`."""

    def __init__(self, where: str) -> None:
        self.where = where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if isinstance(error, FakeTasksError | EsError | ValueError) and not isinstance(error, _At):
            raise _At(self.where, error) from error


def _where(problem: Problem, tree: yaml.Node | None) -> Where:
    return Where(problem.pointer, problem.rule, problem.message, _line(tree, problem.pointer))


def _line(tree: yaml.Node | None, pointer: str) -> int | None:
    """The 1-based line of the value at a JSON pointer (or of its nearest parent found)."""
    import yaml

    if tree is None:
        return None
    node = tree
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1
