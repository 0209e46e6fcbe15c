"""fake-tasks: a fake Elasticsearch Task Management API for tests: pytest plugin and server."""

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
