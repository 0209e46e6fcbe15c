"""`fake-tasks serve`, made for machines: the URL alone on stdout's first line, a ready file,
a log line per request, a child command run against the fake, and a clean stop on a signal."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Final, TextIO

from werkzeug.wrappers import Request

from fake_tasks.cluster.clock import RealtimeClock, VirtualClock
from fake_tasks.contract.schemas import ResponseViolation
from fake_tasks.errors import FakeTasksError
from fake_tasks.scripting.fake import FakeTasks, Settings
from fake_tasks.scripting.journal import Exchange
from fake_tasks.server import FakeTasksServer
from fake_tasks.tls import make_tls

__all__ = ["DEFAULT_GRACE_S", "RequestLog", "serve", "write_ready_file"]

DEFAULT_GRACE_S: Final = 5.0
"""How long a stop waits for the answers in flight (released waiters included)."""

_CHILD_STOP_S: Final = 5.0  # a child that ignores SIGTERM this long is killed


class RequestLog:
    """One readable stderr line per request: `GET /_tasks?detailed -> 200 (tasks.list)`."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange | None, request: Request, status: int | None) -> None:
        query = request.query_string.decode("latin-1")
        line = f"{request.method} {request.path}{'?' + query if query else ''}"
        answer = "no response" if status is None else str(status)
        notes = []
        if exchange is None:
            notes.append("control")
        else:
            if exchange.api is not None:
                notes.append(exchange.api)
            if exchange.stub is not None:
                notes.append(f"stub #{exchange.stub.id}")
            if exchange.fault is not None:
                notes.append(f"fault {exchange.fault!r}")
            if exchange.unexpected:
                notes.append("no route")
        text = f"fake-tasks: {line} -> {answer}" + (f" ({', '.join(notes)})" if notes else "")
        with self._lock:
            print(text, file=self.out, flush=True)


def write_ready_file(path: str, url: str) -> None:
    """Write `url` and a newline to `path` at once (a reader never sees half of it)."""
    target = Path(path)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".fake-tasks-")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(url + "\n")
    os.replace(temporary, target)


def serve(
    args: argparse.Namespace,
    *,
    ready: threading.Event | None = None,
    stop: threading.Event | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Serve until SIGINT/SIGTERM (or `stop`), or until the child command ends.

    Returns 0, or the child's exit status; 2 when the scenario cannot be loaded, 127 when the
    child command cannot be started.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    quiet = bool(getattr(args, "quiet", False))
    settings = Settings(
        seed=args.seed,
        nodes=args.nodes,
        tasks=args.tasks,
        version=args.es_version,
        tick=args.tick,
        security=bool(getattr(args, "security", False)),
    )
    clock = VirtualClock(tick=args.tick) if args.virtual else RealtimeClock(speed=args.speed)
    fake = _long_lived(lambda: FakeTasks(settings, clock=clock))
    journal_size = getattr(args, "journal_size", None)
    if journal_size is not None:
        fake.journal.limit(max_bytes=journal_size)
    fake.contract.strict = args.strict
    fake.contract.on_violation = lambda found: log_violation(found, err)
    scenario = getattr(args, "scenario", None)
    if scenario:
        try:
            fake.load_scenario(Path(scenario))
        except FakeTasksError as error:
            print(f"fake-tasks serve: {error}", file=err, flush=True)
            return 2
    scratch = None
    tls = None
    if getattr(args, "tls", False):
        if args.tls_dir is None:
            scratch = tempfile.TemporaryDirectory(prefix="fake-tasks-tls-")
        tls = make_tls(Path(args.tls_dir or (scratch.name if scratch else ".")))
    server = FakeTasksServer(fake, host=args.host, port=args.port, standalone=True, tls=tls)
    server.app.allow_remote_control = bool(getattr(args, "allow_remote_control", False))
    if not quiet:
        server.app.on_exchange = RequestLog(err)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # our own line replaces werkzeug's
    server.start()
    stop = stop or threading.Event()
    _on_signals(stop)
    ready_file = getattr(args, "ready_file", None)
    if ready_file:
        write_ready_file(ready_file, server.url)
    print(server.url, file=out, flush=True)
    if not quiet:
        what = f"scenario {scenario}" if scenario else f"seed {args.seed}"
        print(
            f"fake-tasks: serving {what} ({len(fake.cluster.nodes)} nodes, "
            f"{fake.cluster.running_count()} tasks, Elasticsearch {fake.cluster.version}) "
            f"at {server.url}",
            file=err,
            flush=True,
        )
    # what a client needs besides the URL: on stdout too, after it
    if settings.security:
        print("fake-tasks: security on: user elastic, password changeme", file=out, flush=True)
    if tls is not None:
        print(f"fake-tasks: CA certificate {tls.ca_path}", file=out, flush=True)
        print(f"fake-tasks: server certificate SHA-256 {tls.fingerprint}", file=out, flush=True)
    if ready is not None:
        ready.set()
    code = 0
    try:
        command = list(getattr(args, "child", None) or [])
        if command:
            code = _run_child(command, server.url, stop, err)
        else:
            stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        drained = server.drain(getattr(args, "grace", DEFAULT_GRACE_S))
        server.stop()
        if scratch is not None:
            scratch.cleanup()
        if not quiet:
            left = "" if drained else " (answers still in flight were dropped)"
            print(f"fake-tasks: stopped{left}", file=err, flush=True)
    return code


def _long_lived(make: Callable[[], FakeTasks]) -> FakeTasks:
    """`make()` with the cyclic collector off, its objects then frozen (main thread only).

    The cluster lives as long as the process: collections need not scan it, ever. Left on,
    the first collection after generating walks every object it made (a quarter of a second
    at 100,000 tasks) and finds nothing to free.
    """
    if threading.current_thread() is not threading.main_thread():
        return make()
    enabled = gc.isenabled()
    gc.disable()
    try:
        return make()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _on_signals(stop: threading.Event) -> None:
    if threading.current_thread() is not threading.main_thread():
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def _run_child(command: Sequence[str], url: str, stop: threading.Event, err: TextIO) -> int:
    env = {**os.environ, "FAKE_TASKS_URL": url}
    try:
        child = subprocess.Popen(list(command), env=env)
    except OSError as error:
        print(f"fake-tasks serve: cannot run {command[0]!r}: {error}", file=err, flush=True)
        return 127

    def wait_child() -> None:
        child.wait()
        stop.set()

    waiter = threading.Thread(target=wait_child, daemon=True)
    waiter.start()
    stop.wait()
    if child.poll() is None:  # we were told to stop first: stop the child too
        child.terminate()
        try:
            child.wait(_CHILD_STOP_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(_CHILD_STOP_S)
    code = child.returncode
    return 128 - code if code < 0 else code


def log_violation(found: ResponseViolation, err: TextIO | None = None) -> None:
    """`serve`: one stderr line per way a response breaks its contract."""
    for line in found.lines():
        print(f"fake-tasks: contract violation: {line}", file=err or sys.stderr, flush=True)
