"""fake-tasks: a fake Elasticsearch Task Management API for tests: pytest plugin and server."""

from fake_tasks.check import CheckReport, check_cluster
from fake_tasks.clock import Clock, RealtimeClock, VirtualClock
from fake_tasks.contract import (
    ContractLog,
    Rejection,
    ResponseViolation,
    Violation,
    check_response,
)
from fake_tasks.errors import EsError, FakeTasksError
from fake_tasks.fake import FakeTasks, Settings
from fake_tasks.faults import Fault, Faults, Rule, TaskOperationFailure
from fake_tasks.ids import TaskId
from fake_tasks.journal import Exchange, Journal, Match
from fake_tasks.model import Cluster, Node, Task, TaskInfo
from fake_tasks.progress import BulkProgress
from fake_tasks.server import FakeTasksServer

__all__ = [
    "BulkProgress",
    "CheckReport",
    "Clock",
    "Cluster",
    "ContractLog",
    "EsError",
    "Exchange",
    "FakeTasks",
    "FakeTasksError",
    "FakeTasksServer",
    "Fault",
    "Faults",
    "Journal",
    "Match",
    "Node",
    "RealtimeClock",
    "Rejection",
    "ResponseViolation",
    "Rule",
    "Settings",
    "Task",
    "TaskId",
    "TaskInfo",
    "TaskOperationFailure",
    "Violation",
    "VirtualClock",
    "check_cluster",
    "check_response",
]
