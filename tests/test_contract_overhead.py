"""The contract check costs at most 20% of a `GET /_tasks` with 1,000 tasks (bench/validate.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[1] / "bench" / "validate.py"
LIMIT = 0.20


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_validate", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checking_costs_at_most_a_fifth_of_the_request() -> None:
    """Medians of interleaved requests with the check on and off. A busy machine can spoil one
    measurement, so up to three are taken; a real regression fails all three."""
    bench = load_bench()
    overheads = []
    for _ in range(3):
        result = bench.measure(rounds=12, tasks=1000)
        assert result["listed"] >= 1000
        overheads.append(result["on"] / result["off"] - 1)
        if overheads[-1] <= LIMIT:
            break
    assert min(overheads) <= LIMIT, [f"{o:+.1%}" for o in overheads]
