"""Issue 8 model figures over HTTP: get by id, list, cancel by action, spawn and `serve` memory.

Run: python bench/model_figures.py [--tasks 100 100000] [--lists 100] [--clock virtual realtime]
Each size spawns `python -m fake_tasks serve --port 0` and prints one JSON line: wall seconds and
the server process's own CPU seconds (from /proc, so a busy machine inflates wall time, not CPU)
for spawn to first answer, a get by id (median of 30; CPU averaged over 200), `GET /_tasks`
(median of 3, from 10,000 tasks), the first `POST /_tasks/_cancel?actions=*byquery`, and the
server's RSS after start and its peak over `--lists` more lists. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

TICK = os.sysconf("SC_CLK_TCK")


def measure(tasks: int, clock: str, lists: int) -> dict[str, Any]:
    args = [sys.executable, "-m", "fake_tasks", "serve", "--port", "0", "--tasks", str(tasks)]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*args, *(["--virtual"] if clock == "virtual" else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(re.findall(r":(\d+)", proc.stdout.readline())[-1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

        def cpu() -> float:
            with open(f"/proc/{proc.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / TICK

        def rss() -> int:
            with open(f"/proc/{proc.pid}/status") as status:
                return int(re.findall(r"VmRSS:\s+(\d+)", status.read())[0]) // 1024

        def send(method: str, path: str) -> tuple[float, float, bytes]:
            before, at = cpu(), time.perf_counter()
            conn.request(method, path)
            body = conn.getresponse().read()
            return time.perf_counter() - at, cpu() - before, body

        send("GET", "/")
        out: dict[str, Any] = {"tasks": tasks, "clock": clock}
        out["spawn_s"] = round(time.perf_counter() - started, 2)
        out["spawn_cpu_s"] = round(cpu(), 2)
        out["rss_start_mib"] = rss()
        listed = json.loads(send("GET", "/_tasks?group_by=none")[2])["tasks"]
        task = listed[len(listed) // 2]
        path = f"/_tasks/{task['node']}:{task['id']}"
        out["get_ms"] = round(statistics.median(send("GET", path)[0] for _ in range(30)) * 1e3, 2)
        before = cpu()
        for _ in range(200):
            send("GET", path)
        out["get_cpu_ms"] = round((cpu() - before) / 200 * 1e3, 2)
        if tasks >= 10_000:
            runs = [send("GET", "/_tasks") for _ in range(3)]
            out["list_s"] = round(statistics.median(r[0] for r in runs), 2)
            out["list_cpu_s"] = round(statistics.median(r[1] for r in runs), 2)
            wall, used, body = send("POST", "/_tasks/_cancel?actions=*byquery")
            cancelled = sum(len(n["tasks"]) for n in json.loads(body)["nodes"].values())
            out.update(cancel_s=round(wall, 2), cancel_cpu_s=round(used, 2), cancelled=cancelled)
        peak = rss()
        for index in range(lists):
            send("GET", "/_tasks")
            if index % 10 == 0:
                peak = max(peak, rss())
        out["lists"] = lists
        out["rss_peak_mib"] = max(peak, rss())
        return out
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--clock", nargs="+", default=["virtual"], choices=["virtual", "realtime"])
    parser.add_argument("--lists", type=int, default=0, help="lists after the timings, for RSS")
    args = parser.parse_args()
    for clock in args.clock:
        for tasks in args.tasks:
            print(json.dumps(measure(tasks, clock, args.lists)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
