"""`running(...)`: the fake outside pytest, as a context manager or a decorator.

    with fake_tasks.running(seed=7) as fake:
        Elasticsearch(fake.url).tasks.list()

On exit it checks what the pytest fixture checks at teardown (server errors, responses that
broke their contract, requests no route or stub answered) and raises `AssertionError`, unless
the body already raised or `strict=False`. Options: `seed`, `nodes`, `tasks`, `version`,
`tick` (as the pytest marker), `scenario` (a file, text or mapping), `realtime` and `speed` (a
realtime clock instead of the virtual one), `host` and `port` (default: a free loopback port).
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from fake_tasks.cluster.clock import Clock, RealtimeClock
from fake_tasks.cluster.model import ES_VERSION
from fake_tasks.scripting.fake import FakeTasks, Settings
from fake_tasks.server import FakeTasksServer

__all__ = ["Running", "running"]

R = TypeVar("R")


class Running:
    """A fake served on a free loopback port while the `with` block (or decorated call) runs.

    As a decorator the fake is passed as the last positional argument, as `unittest.mock.patch`
    passes its mock: `def test_it(self, fake): ...`.
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        nodes: int = 3,
        tasks: int = 30,
        version: str = ES_VERSION,
        tick: float | str = "1s",
        scenario: str | Path | Mapping[str, Any] | None = None,
        realtime: bool = False,
        speed: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        strict: bool = True,
    ) -> None:
        self.settings = Settings(seed=seed, nodes=nodes, tasks=tasks, version=version, tick=tick)
        self.scenario = scenario
        self.clock: Clock | None = RealtimeClock(speed=speed) if realtime else None
        self.host = host
        self.port = port
        self.strict = strict
        self._server: FakeTasksServer | None = None

    def __enter__(self) -> FakeTasks:
        if self._server is not None:
            raise RuntimeError("this running(...) is already in use; make one per block")
        fake = FakeTasks(self.settings, clock=self.clock)
        if self.scenario is not None:
            fake.load_scenario(self.scenario)
        werkzeug = logging.getLogger("werkzeug")
        if werkzeug.level == logging.NOTSET:  # no line per request in a script's output
            werkzeug.setLevel(logging.WARNING)
        server = FakeTasksServer(fake, host=self.host, port=self.port, standalone=True)
        server.start()
        self._server = server
        return fake

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        if kind is None and self.strict:
            verify(server.fake)

    def __call__(self, function: Callable[..., R]) -> Callable[..., R]:
        if inspect.iscoroutinefunction(function):
            raise TypeError("running(...) decorates plain functions, not coroutines")

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> R:
            fresh = Running.__new__(Running)
            fresh.__dict__.update(self.__dict__)
            fresh._server = None
            with fresh as fake:
                return function(*args, fake, **kwargs)

        return wrapper


running = Running
"""`with running(seed=7) as fake: ...`, or `@running(seed=7)`: see `Running`."""


def verify(fake: FakeTasks) -> None:
    """Raise what a fixture teardown would fail on: `FakeTasksError` for an exception the
    server hit, `AssertionError` for contract violations and unexpected requests."""
    fake.check()
    reports = [
        fake.contract.violations_report(),
        fake.journal.unexpected_report(),
    ]
    found = [report for report in reports if report is not None]
    if found:
        raise AssertionError("\n".join(found))
