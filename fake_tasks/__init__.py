"""fake-tasks: a fake Elasticsearch Task Management API for tests: pytest plugin and server."""

import importlib
import typing

if typing.TYPE_CHECKING:
    from fake_tasks.cluster.bulkscript import Outcome
    from fake_tasks.cluster.clock import Clock, RealtimeClock, VirtualClock
    from fake_tasks.cluster.ids import TaskId
    from fake_tasks.cluster.indices import Index
    from fake_tasks.cluster.model import Cluster, Node, Task, TaskInfo
    from fake_tasks.cluster.progress import BulkProgress
    from fake_tasks.cluster.rollup import RollupJob
    from fake_tasks.contract.live import CheckReport, check_cluster
    from fake_tasks.contract.schemas import (
        ContractLog,
        Rejection,
        ResponseViolation,
        Violation,
        check_response,
    )
    from fake_tasks.errors import EsError, FakeTasksError
    from fake_tasks.outside import Running, running
    from fake_tasks.scripting.fake import FakeTasks, Settings
    from fake_tasks.scripting.faults import Fault, Faults, Rule, TaskOperationFailure
    from fake_tasks.scripting.journal import Exchange, Journal
    from fake_tasks.scripting.requests import Match
    from fake_tasks.scripting.scenario import Loaded, ScenarioError
    from fake_tasks.scripting.security import ApiKey, Role, Security, SecurityError, User
    from fake_tasks.scripting.stubs import Answer, Stub, Stubs
    from fake_tasks.server import FakeTasksServer
    from fake_tasks.tls import TlsFiles, make_tls
    from fake_tasks.versions import EsVersion, UnsupportedVersion, parse_version

# Where each public name lives: importing `fake_tasks` loads none of them (the pytest plugin
# and `fake-tasks serve` stay cheap); the first access imports its module. Mirrors the
# TYPE_CHECKING imports above, which give type checkers the same names.
_HOMES = {
    "Answer": "fake_tasks.scripting.stubs",
    "ApiKey": "fake_tasks.scripting.security",
    "BulkProgress": "fake_tasks.cluster.progress",
    "CheckReport": "fake_tasks.contract.live",
    "Clock": "fake_tasks.cluster.clock",
    "Cluster": "fake_tasks.cluster.model",
    "ContractLog": "fake_tasks.contract.schemas",
    "EsError": "fake_tasks.errors",
    "EsVersion": "fake_tasks.versions",
    "Exchange": "fake_tasks.scripting.journal",
    "FakeTasks": "fake_tasks.scripting.fake",
    "FakeTasksError": "fake_tasks.errors",
    "FakeTasksServer": "fake_tasks.server",
    "Fault": "fake_tasks.scripting.faults",
    "Faults": "fake_tasks.scripting.faults",
    "Index": "fake_tasks.cluster.indices",
    "Journal": "fake_tasks.scripting.journal",
    "Loaded": "fake_tasks.scripting.scenario",
    "Match": "fake_tasks.scripting.requests",
    "Node": "fake_tasks.cluster.model",
    "Outcome": "fake_tasks.cluster.bulkscript",
    "RealtimeClock": "fake_tasks.cluster.clock",
    "Rejection": "fake_tasks.contract.schemas",
    "ResponseViolation": "fake_tasks.contract.schemas",
    "Role": "fake_tasks.scripting.security",
    "RollupJob": "fake_tasks.cluster.rollup",
    "Rule": "fake_tasks.scripting.faults",
    "Running": "fake_tasks.outside",
    "ScenarioError": "fake_tasks.scripting.scenario",
    "Security": "fake_tasks.scripting.security",
    "SecurityError": "fake_tasks.scripting.security",
    "Settings": "fake_tasks.scripting.fake",
    "Stub": "fake_tasks.scripting.stubs",
    "Stubs": "fake_tasks.scripting.stubs",
    "Task": "fake_tasks.cluster.model",
    "TaskId": "fake_tasks.cluster.ids",
    "TaskInfo": "fake_tasks.cluster.model",
    "TaskOperationFailure": "fake_tasks.scripting.faults",
    "TlsFiles": "fake_tasks.tls",
    "UnsupportedVersion": "fake_tasks.versions",
    "User": "fake_tasks.scripting.security",
    "Violation": "fake_tasks.contract.schemas",
    "VirtualClock": "fake_tasks.cluster.clock",
    "check_cluster": "fake_tasks.contract.live",
    "check_response": "fake_tasks.contract.schemas",
    "make_tls": "fake_tasks.tls",
    "parse_version": "fake_tasks.versions",
    "running": "fake_tasks.outside",
}

__all__ = [
    "Answer",
    "ApiKey",
    "BulkProgress",
    "CheckReport",
    "Clock",
    "Cluster",
    "ContractLog",
    "EsError",
    "EsVersion",
    "Exchange",
    "FakeTasks",
    "FakeTasksError",
    "FakeTasksServer",
    "Fault",
    "Faults",
    "Index",
    "Journal",
    "Loaded",
    "Match",
    "Node",
    "Outcome",
    "RealtimeClock",
    "Rejection",
    "ResponseViolation",
    "Role",
    "RollupJob",
    "Rule",
    "Running",
    "ScenarioError",
    "Security",
    "SecurityError",
    "Settings",
    "Stub",
    "Stubs",
    "Task",
    "TaskId",
    "TaskInfo",
    "TaskOperationFailure",
    "TlsFiles",
    "UnsupportedVersion",
    "User",
    "Violation",
    "VirtualClock",
    "check_cluster",
    "check_response",
    "make_tls",
    "parse_version",
    "running",
]


if not typing.TYPE_CHECKING:  # hidden from type checkers, which see the imports above instead

    def __getattr__(name: str) -> object:
        home = _HOMES.get(name)
        if home is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
