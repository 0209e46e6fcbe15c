"""Rows about single requests from outside: get by id, list and cancel by size, vs bare bytes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from common import (
    Deadline,
    Http,
    Row,
    Sizes,
    Stat,
    bytes_args,
    host_args,
    interleaved,
    ratio_text,
    serving,
)

RESET = "/_bench/reset"


def some_task(http: Http) -> str:
    """A task that never ends by itself (a persistent task), so every get finds it running."""
    status, body = http.request("GET", "/_tasks?actions=*%5Bc%5D&group_by=none")
    tasks = json.loads(body)["tasks"] if status == 200 else []
    if not tasks:
        status, body = http.request("GET", "/_tasks?group_by=none")
        tasks = json.loads(body)["tasks"]
    first = tasks[0]
    return f"{first['node']}:{first['id']}"


def request_rows(sizes: Sizes) -> list[Row]:
    get = Row(
        "get_ratio",
        f"`GET /_tasks/<id>` at {sizes.big:,} tasks ÷ at {sizes.small:,} tasks",
        "177x (at 100k ÷ 100)",
        "≤ 1.2x",
    )
    listed = Row(
        "list_big",
        f"`GET /_tasks` (not detailed) at {sizes.big:,} tasks",
        "4.3 s (at 100k)",
        "≤ 1 s",
    )
    cancel = Row(
        "cancel_big",
        f"cancel by action at {sizes.big:,} tasks",
        "1.36 s (at 100k)",
        "≤ 0.3 s",
    )
    default = Row(
        "list_default",
        "`GET /_tasks` on the default cluster ÷ bare werkzeug serving the same bytes",
        "2.28x",
        "≤ 1.5x",
    )
    rows = [get, listed, cancel, default]
    deadline = Deadline(sizes.budget)
    try:
        with (
            serving(host_args(sizes.small), sizes.budget) as small,
            serving(host_args(sizes.big), sizes.budget) as big,
        ):
            _get_and_cancel(sizes, small.url, big.url, get, cancel, deadline)
            _list_big(sizes, big.url, listed, Deadline(sizes.budget))
    except (TimeoutError, RuntimeError) as error:
        for row in (get, listed, cancel):
            if row.measured == "not measured":
                row.notes.append(f"not measured: {error}")
    _list_default(sizes, default, Deadline(sizes.budget))
    return rows


def _get_and_cancel(
    sizes: Sizes, small_url: str, big_url: str, get: Row, cancel: Row, deadline: Deadline
) -> None:
    timeout = max(60.0, sizes.budget)
    small, big = Http(small_url, timeout), Http(big_url, timeout)
    small_id, big_id = some_task(small), some_task(big)

    def getter(http: Http, task_id: str) -> float:
        elapsed, status, _ = http.timed("GET", f"/_tasks/{task_id}")
        assert status == 200, status
        return elapsed

    at_small, at_big = interleaved(
        [lambda: getter(small, small_id), lambda: getter(big, big_id)],
        sizes.rounds * 10,
        deadline,
    )
    ratio = at_big.median / at_small.median
    get.measured = ratio_text(ratio)
    get.baseline = f"{at_big.text()} at {sizes.big:,} vs {at_small.text()} at {sizes.small:,}"
    get.reached = ratio <= 1.2
    get.values = {"ratio": ratio, "big_s": at_big.median, "small_s": at_small.median}

    def canceller(http: Http) -> float:
        http.request("POST", RESET)  # untimed: every cancel starts from the generated cluster
        elapsed, status, body = http.timed("POST", "/_tasks/_cancel?actions=*byquery")
        assert status == 200, (status, body[:200])
        return elapsed

    at_small, at_big = interleaved(
        [lambda: canceller(small), lambda: canceller(big)],
        sizes.rounds,
        Deadline(max(deadline.left(), sizes.budget / 2)),
    )
    cancel.measured = at_big.text()
    cancel.baseline = f"{at_small.text()} at {sizes.small:,} tasks"
    cancel.reached = at_big.median <= 0.3
    cancel.values = {"big_s": at_big.median, "small_s": at_small.median}
    cancel.notes.append(f"{at_big.median / at_small.median:.1f}x the cancel at {sizes.small:,}")
    small.close()
    big.close()


def _list_big(sizes: Sizes, url: str, row: Row, deadline: Deadline) -> None:
    http = Http(url, max(60.0, sizes.budget))
    body = http.timed("GET", "/_tasks")[2]
    with tempfile.TemporaryDirectory() as tmp:
        recorded = Path(tmp) / "list.json"
        recorded.write_bytes(body)
        with serving(bytes_args(recorded), 60) as bare:
            baseline = Http(bare.url, 60)

            def fake() -> float:
                return http.timed("GET", "/_tasks")[0]

            def plain() -> float:
                return baseline.timed("GET", "/_tasks")[0]

            at_fake, at_bare = interleaved([fake, plain], sizes.rounds, deadline)
            baseline.close()
    http.close()
    row.measured = at_fake.text()
    row.baseline = f"bare werkzeug, same {len(body) / 2**20:.1f} MiB: {at_bare.text()}"
    row.reached = at_fake.median <= 1.0
    row.values = {"fake_s": at_fake.median, "bare_s": at_bare.median, "bytes": float(len(body))}
    row.notes.append(f"{at_fake.median / at_bare.median:.1f}x bare werkzeug")


def _list_default(sizes: Sizes, row: Row, deadline: Deadline) -> None:
    with serving(host_args(30), 60) as fake_server:
        http = Http(fake_server.url, 60)
        _, _, body = http.timed("GET", "/_tasks")
        with tempfile.TemporaryDirectory() as tmp:
            recorded = Path(tmp) / "list.json"
            recorded.write_bytes(body)
            with serving(bytes_args(recorded), 60) as bare:
                baseline = Http(bare.url, 60)
                fake_s, bare_s = interleaved(
                    [
                        lambda: http.timed("GET", "/_tasks")[0],
                        lambda: baseline.timed("GET", "/_tasks")[0],
                    ],
                    sizes.rounds * 20,
                    deadline,
                )
                baseline.close()
        http.close()
    _ratio_row(row, fake_s, bare_s, 1.5, f"bare werkzeug, same {len(body):,} bytes")


def _ratio_row(row: Row, fake: Stat, base: Stat, limit: float, what: str) -> None:
    ratio = fake.median / base.median
    row.measured = ratio_text(ratio)
    row.baseline = f"{fake.text()} vs {what}: {base.text()}"
    row.reached = ratio <= limit
    row.values = {"ratio": ratio, "fake_s": fake.median, "base_s": base.median}
