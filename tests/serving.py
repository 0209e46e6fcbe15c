"""`fake-tasks serve` in a thread of the test process, for the tests of its output and answers."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence

import pytest

from fake_tasks.cli import build_parser, serve


@contextlib.contextmanager
def serving(
    capsys: pytest.CaptureFixture[str], argv: Sequence[str], timeout: float = 5
) -> Iterator[list[str]]:
    """Run `fake-tasks serve --port 0 ARGV` for the block; yields its stdout lines so far."""
    args = build_parser().parse_args(["serve", "--port", "0", *argv])
    ready, stop = threading.Event(), threading.Event()
    thread = threading.Thread(target=serve, args=(args,), kwargs={"ready": ready, "stop": stop})
    thread.start()
    try:
        assert ready.wait(timeout)
        yield capsys.readouterr().out.splitlines()
    finally:
        stop.set()
        thread.join(timeout)
