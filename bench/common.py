"""What every benchmark row shares: sizes, medians with spread, spawned servers, HTTP, RSS."""

from __future__ import annotations

import http.client
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Sizes:
    """How big and how long: the issue's sizes by default, smaller with `--quick`."""

    small: int = 100  # tasks of the reference cluster
    big: int = 100_000  # tasks of the large cluster
    rounds: int = 15  # interleaved rounds per request row
    lists: int = 1_000  # list requests before reading the large serve's peak RSS
    growth: int = 10_000  # requests to the default serve for its RSS growth
    tests: int = 300  # tests per pytest session
    sessions: int = 5  # pytest sessions per side, for the fixture rows
    plugin_sessions: int = 30  # pytest sessions per side, for the plugin's cost per session
    spawns: int = 7  # spawns per side
    budget: float = 600.0  # seconds a row may take before it stops early (a bound, reported)


QUICK = Sizes(
    small=100,
    big=5_000,
    rounds=5,
    lists=100,
    growth=1_000,
    tests=100,
    sessions=3,
    plugin_sessions=12,
    spawns=3,
    budget=90.0,
)


@dataclass
class Stat:
    """A median of samples, with the spread of the middle half."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def quartiles(self) -> tuple[float, float]:
        if len(self.samples) < 2:
            return self.samples[0], self.samples[0]
        q = statistics.quantiles(self.samples, n=4, method="inclusive")
        return q[0], q[2]

    def text(self) -> str:
        low, high = self.quartiles()
        return f"{seconds(self.median)} (IQR {seconds(low)}-{seconds(high)}, n={len(self.samples)})"


def seconds(value: float) -> str:
    """A duration with three significant digits in a unit that suits it."""
    for unit, scale in (("s", 1.0), ("ms", 1e3), ("µs", 1e6)):
        if abs(value) * scale >= 1 or unit == "µs":
            return (
                f"{value * scale:.3g} {unit}"
                if value * scale < 1000
                else f"{value * scale:.0f} {unit}"
            )
    raise AssertionError("unreachable")


@dataclass
class Row:
    """One line of the issue's table: what was measured, against what, and whether it is met."""

    key: str
    figure: str
    today: str
    target: str
    measured: str = "not measured"
    baseline: str = ""
    reached: bool | None = None
    notes: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)  # machine-readable figures


def ratio_text(value: float) -> str:
    return f"{value:.2f}x"


class Deadline:
    """A row's time budget: rounds stop once it is spent (at least one always runs)."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds

    def spent(self) -> bool:
        return time.monotonic() >= self.end

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())


# --- servers in their own processes ----------------------------------------------------------


@dataclass
class Spawned:
    process: subprocess.Popen[str]
    url: str
    started: float  # perf_counter at spawn
    ready: float  # perf_counter when the URL was printed


def spawn(args: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> Spawned:
    """Start a server that prints its URL on a stdout line; wait at most `timeout` for it."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [PYTHON, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            stop(process)
            raise TimeoutError(f"{args} printed no URL within {timeout:.0f} s") from None
        if line is None:
            process.wait(10)
            raise RuntimeError(f"{args} exited with {process.returncode} before printing a URL")
        for word in line.split():
            if word.startswith("http://"):
                return Spawned(process, word, started, time.perf_counter())


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def serving(args: Sequence[str], timeout: float) -> Iterator[Spawned]:
    spawned = spawn(args, timeout)
    try:
        yield spawned
    finally:
        stop(spawned.process)


def serve_args(tasks: int, *, virtual: bool = True, extra: Sequence[str] = ()) -> list[str]:
    args = ["-m", "fake_tasks", "serve", "--port", "0", "--tasks", str(tasks), *extra]
    return [*args, "--virtual"] if virtual else args


def host_args(tasks: int) -> list[str]:
    """A fake in its own process with `/_bench/reset` (bench/host.py)."""
    return [str(BENCH / "host.py"), "fake", "--tasks", str(tasks)]


def bytes_args(path: Path) -> list[str]:
    """Bare werkzeug answering every request with the bytes in `path` (bench/host.py)."""
    return [str(BENCH / "host.py"), "bytes", str(path)]


# --- HTTP ----------------------------------------------------------------------------------------


class Http:
    """One kept-alive connection to a server; `timed` returns seconds, status and body."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def request(self, method: str, path: str) -> tuple[int, bytes]:
        try:
            self.connection.request(method, path)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (ConnectionError, http.client.HTTPException):
            self.connection.close()  # the server closed it: one more try on a new one
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connection.request(method, path)
            response = self.connection.getresponse()
            return response.status, response.read()

    def timed(self, method: str, path: str) -> tuple[float, int, bytes]:
        started = time.perf_counter()
        status, body = self.request(method, path)
        return time.perf_counter() - started, status, body

    def close(self) -> None:
        self.connection.close()


def first_answer(url: str, timeout: float) -> float:
    """perf_counter when `GET /` first answered (polling every millisecond)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            Http(url, timeout=max(0.1, deadline - time.monotonic())).request("GET", "/")
            return time.perf_counter()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.001)


def interleaved(
    sides: Sequence[Callable[[], float]], rounds: int, deadline: Deadline
) -> list[Stat]:
    """Run each side once per round, alternating the order; samples per side."""
    samples: list[list[float]] = [[] for _ in sides]
    for index in range(rounds):
        order = range(len(sides)) if index % 2 == 0 else reversed(range(len(sides)))
        for side in order:
            samples[side].append(sides[side]())
        if deadline.spent():
            break
    return [Stat(s) for s in samples]


# --- memory ----------------------------------------------------------------------------------


def rss_mib(pid: int) -> tuple[float, float]:
    """Current and peak resident set size of a process, in MiB (Linux /proc)."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]
