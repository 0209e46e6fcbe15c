"""The cost of checking every response against its JSON Schema, on `GET /_tasks` with 1,000 tasks.

Run: python bench/validate.py [--rounds 40] [--tasks 1000] [--limit 0.20]
Same fake, same request, in-process through werkzeug's test client; each round sends it once with
the contract check on and once off (`fake.contract.enabled`), in alternating order, so both
medians come from the same run under the same load. The clock does not tick (`tick=0`), so the
1,000 tasks stay the same all run. Also times the check alone on the decoded body. Exits 1 when
the median overhead exceeds `--limit` (a fraction of the unchecked request time).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from werkzeug.test import Client

from fake_tasks import FakeTasks, Settings
from fake_tasks.contract import schemas as contract
from fake_tasks.rest.app import App

URL = "/_tasks"


def measure(rounds: int, tasks: int) -> dict[str, float]:
    """Median seconds per request with the check on and off, and of the check alone."""
    fake = FakeTasks(Settings(tasks=tasks, tick=0))
    client = Client(App(fake))
    body = json.loads(client.get(URL).get_data())  # also warms up caches and the validators
    assert contract.check_response("tasks.list", 200, body) == []
    on: list[float] = []
    off: list[float] = []
    alone: list[float] = []
    for index in range(rounds):
        for enabled in (True, False) if index % 2 else (False, True):
            fake.contract.enabled = enabled
            started = time.perf_counter()
            response = client.get(URL)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200
            (on if enabled else off).append(elapsed)
        started = time.perf_counter()
        contract.check_response("tasks.list", 200, body)
        alone.append(time.perf_counter() - started)
    assert fake.violations == []
    listed = sum(len(node["tasks"]) for node in body["nodes"].values())
    return {
        "on": statistics.median(on),
        "off": statistics.median(off),
        "alone": statistics.median(alone),
        "listed": float(listed),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--limit", type=float, default=0.20)
    args = parser.parse_args()
    result = measure(args.rounds, args.tasks)
    overhead = result["on"] / result["off"] - 1
    print(f"GET {URL}: {result['listed']:.0f} tasks listed, {args.rounds} rounds, medians")
    print(f"  contract check off: {result['off'] * 1000:.1f} ms per request")
    print(f"  contract check on:  {result['on'] * 1000:.1f} ms per request")
    print(f"  check alone (decoded body): {result['alone'] * 1000:.2f} ms")
    print(f"  ratio on/off: {result['on'] / result['off']:.3f} (overhead {overhead:+.1%})")
    if overhead > args.limit:
        print(f"overhead above the {args.limit:.0%} limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
