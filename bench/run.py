"""Every figure of issue 8's target table in one run, written to docs/benchmarks.md.

Run: python bench/run.py            (the issue's sizes: 100k tasks; about an hour on today's model)
     python bench/run.py --quick    (5k tasks, fewer rounds: a couple of minutes)
Sizes and rounds are options (`--big`, `--rounds`, `--budget`, ...; see --help). Every figure is a
median with the spread of its middle half (IQR), and every ratio compares two things measured in
the same run, interleaved (A B, B A, ...), so load on the machine hits both alike. A row that
runs past its budget (`--budget` seconds) stops early and says so instead of hanging.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from common import QUICK, ROOT, Row, Sizes
from rows_pytest import pytest_rows
from rows_requests import request_rows
from rows_serve import serve_rows, spawn_rows

GROUPS: dict[str, Callable[[Sizes], list[Row]]] = {
    "requests": request_rows,
    "spawn": spawn_rows,
    "serve": serve_rows,
    "pytest": pytest_rows,
}
ORDER = [
    "get_ratio",
    "list_big",
    "cancel_big",
    "spawn_big",
    "rss_big",
    "rss_growth",
    "fixture_empty",
    "fixture_list",
    "plugin_session",
    "spawn_default",
    "list_default",
    "reset_ratio",
]


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, Sizes]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a couple of minutes")
    for name in (f.name for f in dataclasses.fields(Sizes)):
        kind = float if name == "budget" else int
        option = "--" + name.replace("_", "-")
        parser.add_argument(option, dest=name, type=kind, help=f"default {getattr(Sizes, name)}")
    parser.add_argument(
        "--only", action="append", choices=sorted(GROUPS), help="run only these groups of rows"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "benchmarks.md", help="markdown to write"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    changes = {
        f.name: getattr(args, f.name)
        for f in dataclasses.fields(Sizes)
        if getattr(args, f.name) is not None
    }
    return args, dataclasses.replace(sizes, **changes)


def commit() -> str:
    """The checked-out commit, `+` when the tree has changes (or `unknown` outside git)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{'+' if dirty else ''}" if head else "unknown"


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text().splitlines()
            if line.startswith("model name")
        ]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = meminfo.read_text().split("\n", 1)[0].split()[1]
        memory = f", {int(total) / 2**20:.1f} GiB RAM"
    load = ", load average at start {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("fake-tasks", "werkzeug", "faker", "pytest", "pytest-httpserver")
    )
    bytecode = (
        "off (PYTHONDONTWRITEBYTECODE)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    )
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores available{memory}{load}",
        f"- {platform.platform()}, Python {platform.python_version()} ({sys.executable})",
        f"- {versions}",
        f"- bytecode caching {bytecode}: without it every process compiles what it imports",
    ]


def markdown(rows: list[Row], sizes: Sizes, argv: Sequence[str], seconds: float) -> str:
    command = " ".join(["python bench/run.py", *argv])
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"The targets of issue 8, measured by `{command}` at commit {commit()} on {stamp} in "
        f"{seconds / 60:.1f} min.",
        "Each figure is a median with the spread of its middle half (IQR, n samples); each",
        "ratio divides two figures measured in the same run, interleaved. Servers are spawned",
        "and measured from outside over HTTP (kept-alive connections); request rows use the",
        "virtual clock (`serve --virtual`, 1 s per request), the spawn rows both clocks.",
        "The pytest rows are judged on CPU time (of the pytest process, the fixture's server",
        "threads included; wall time beside it): on a shared machine wall time mostly measures",
        "the neighbours.",
        "",
        "## Machine",
        "",
        *machine(),
        "",
        "## Results",
        "",
        '| figure | issue\'s "today" | measured | measured against, same run | target | reached |',
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        reached = {True: "yes", False: "**no**", None: "-"}[row.reached]
        lines.append(
            f"| {row.figure} | {row.today} | {row.measured} | {row.baseline} | "
            f"{row.target} | {reached} |"
        )
    notes = [f"- {row.key}: {note}" for row in rows for note in row.notes]
    if notes:
        lines += ["", "## Notes", "", *notes]
    sized = ", ".join(f"{f.name}={getattr(sizes, f.name)}" for f in dataclasses.fields(Sizes))
    lines += ["", "## Sizes", "", sized, ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args, sizes = parse(argv)
    started = time.perf_counter()
    rows: list[Row] = []
    for name, group in GROUPS.items():
        if args.only and name not in args.only:
            continue
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        try:
            rows.extend(group(sizes))
        except Exception as error:  # the other groups still run and get written
            traceback.print_exc()
            rows.append(Row(name, f"the {name} rows", "", "", f"failed: {error!r}"[:200]))
    rows.sort(key=lambda row: ORDER.index(row.key) if row.key in ORDER else len(ORDER))
    seconds = time.perf_counter() - started
    text = markdown(rows, sizes, argv, seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    if args.json is not None:
        figures = {row.key: {"reached": row.reached, **row.values} for row in rows}
        args.json.write_text(json.dumps(figures, indent=2, sort_keys=True))
    for row in rows:
        print(f"{row.key:16} {row.measured:40} target {row.target}", flush=True)
    print(f"bench: wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
