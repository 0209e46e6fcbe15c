"""Rows about `fake-tasks serve` as a process: spawn to first answer, peak RSS, RSS growth."""

from __future__ import annotations

import json

from common import (
    Deadline,
    Http,
    Row,
    Sizes,
    Stat,
    first_answer,
    interleaved,
    ratio_text,
    rss_mib,
    serve_args,
    serving,
    spawn,
    stop,
)

HELLO = ["bench/host.py", "hello"]


def spawn_to_answer(args: list[str], timeout: float) -> float:
    """Seconds from spawning a server to its first answer to `GET /`."""
    spawned = spawn(args, timeout)
    try:
        return first_answer(spawned.url, timeout) - spawned.started
    finally:
        stop(spawned.process)


def spawn_rows(sizes: Sizes) -> list[Row]:
    """The spawn rows alone (`--only spawn`): spawn to first answer, default and large."""
    big = Row(
        "spawn_big",
        f"`serve --tasks {sizes.big:,}` spawn to first answer, realtime and virtual",
        "hours / 4.0 s (at 100k)",
        "≤ 2 s",
    )
    default = Row(
        "spawn_default",
        "default `serve` spawn to first answer ÷ a werkzeug hello server",
        "2.76x",
        "≤ 1.5x",
    )
    _spawn_default(sizes, default)
    _spawn_big(sizes, big)
    return [big, default]


def serve_rows(sizes: Sizes) -> list[Row]:
    """The memory rows of a spawned server: peak RSS at the large size, growth at the default."""
    peak = Row(
        "rss_big",
        f"peak RSS of `serve --tasks {sizes.big:,}` after {sizes.lists:,} list requests",
        "1.8 GiB after 63 (at 100k)",
        "≤ 300 MiB",
    )
    growth = Row(
        "rss_growth",
        f"RSS growth of the default `serve` over {sizes.growth:,} requests",
        "+31 MiB per 2,000",
        "≤ 20 MiB in all",
    )
    _peak(sizes, peak)
    _growth(sizes, growth)
    return [peak, growth]


def _spawn_default(sizes: Sizes, row: Row) -> None:
    fake, hello = interleaved(
        [
            lambda: spawn_to_answer(serve_args(30, virtual=False), 60),
            lambda: spawn_to_answer(HELLO, 60),
        ],
        sizes.spawns,
        Deadline(sizes.budget),
    )
    ratio = fake.median / hello.median
    row.measured = ratio_text(ratio)
    row.baseline = f"{fake.text()} vs werkzeug hello {hello.text()}"
    row.reached = ratio <= 1.5
    row.values = {"ratio": ratio, "fake_s": fake.median, "hello_s": hello.median}


def _spawn_big(sizes: Sizes, row: Row) -> None:
    results: dict[str, Stat | None] = {}
    for clock, virtual in (("virtual", True), ("realtime", False)):
        samples = []
        deadline = Deadline(sizes.budget)
        for _ in range(max(1, sizes.spawns // 2)):
            try:
                samples.append(
                    spawn_to_answer(serve_args(sizes.big, virtual=virtual), deadline.left())
                )
            except (TimeoutError, OSError):
                row.notes.append(f"{clock}: no answer within the {sizes.budget:.0f} s budget")
                break
            if deadline.spent():
                break
        results[clock] = Stat(samples) if samples else None
    texts = []
    for clock in ("realtime", "virtual"):
        stat = results[clock]
        texts.append(f"{clock} {stat.text()}" if stat else f"{clock} > {sizes.budget:.0f} s")
        if stat:
            row.values[f"{clock}_s"] = stat.median
    row.measured = " / ".join(texts)
    row.reached = all(s is not None and s.median <= 2.0 for s in results.values())


def _peak(sizes: Sizes, row: Row) -> None:
    deadline = Deadline(sizes.budget)
    try:
        server = spawn(serve_args(sizes.big), deadline.left())
    except (TimeoutError, RuntimeError) as error:
        row.notes.append(f"not measured: {error}")
        return
    try:
        http = Http(server.url, max(60.0, sizes.budget))
        start_rss, _ = rss_mib(server.process.pid)
        sent = 0
        for _ in range(sizes.lists):
            http.request("GET", "/_tasks")
            sent += 1
            if deadline.spent():
                break
        rss, peak = rss_mib(server.process.pid)
        http.close()
    finally:
        stop(server.process)
    row.measured = f"{peak:.0f} MiB after {sent:,}"
    row.baseline = f"{start_rss:.0f} MiB once started (virtual clock), {rss:.0f} MiB at the end"
    row.reached = peak <= 300 and sent == sizes.lists
    if sent < sizes.lists:
        row.notes.append(f"stopped after {sent:,} of {sizes.lists:,} lists: the row's budget")
    row.values = {"peak_mib": peak, "start_mib": start_rss, "lists": float(sent)}


def _growth(sizes: Sizes, row: Row) -> None:
    deadline = Deadline(sizes.budget)
    with serving(serve_args(30, virtual=False), 60) as server:
        http = Http(server.url, 60)
        body = json.loads(http.request("GET", "/_tasks?group_by=none")[1])
        task = body["tasks"][0]
        paths = [
            ("GET", "/_tasks"),
            ("GET", "/_tasks?detailed&group_by=parents"),
            ("GET", f"/_tasks/{task['node']}:{task['id']}"),
            ("POST", "/_tasks/_cancel?actions=nothing:matches"),
            ("GET", "/_nope"),
        ]
        warmup = max(100, sizes.growth // 20)
        for index in range(warmup):
            http.request(*paths[index % len(paths)])
        before, _ = rss_mib(server.process.pid)
        sent = 0
        for index in range(sizes.growth):
            http.request(*paths[index % len(paths)])
            sent += 1
            if deadline.spent():
                break
        after, _ = rss_mib(server.process.pid)
        http.close()
    grown = after - before
    row.measured = f"{grown:+.1f} MiB"
    row.baseline = (
        f"{before:.0f} MiB after {warmup} warm-up requests, {after:.0f} MiB after {sent:,} more"
    )
    row.reached = grown <= 20 and sent == sizes.growth
    if sent < sizes.growth:
        row.notes.append(f"stopped after {sent:,} of {sizes.growth:,}: the row's budget")
    row.values = {"growth_mib": grown, "before_mib": before, "requests": float(sent)}
