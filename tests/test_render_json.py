"""`render_json.compact` writes exactly what `json.dumps` (compact, UTF-8) would, big or small."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_tasks.rest import render_json
from fake_tasks.rest.render_json import SPLIT_AT, compact


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


TASK = {"node": "nÖde", "id": 1, "headers": {}, "cancellable": True, "x": None, "f": 1.5}
BIG = {f"n:{i}": dict(TASK, id=i) for i in range(SPLIT_AT + 3)}

SAMPLES: list[Any] = [
    {},
    [],
    "plain",
    3,
    None,
    {"nodes": {"a": {"name": "a", "roles": ["x"], "tasks": BIG}}},
    {"tasks": list(BIG.values())},
    {"tasks": {"p": dict(TASK, children=list(BIG.values()))}},
    {"nodes": {}, "failures": [[]] * (SPLIT_AT * 2)},
    {1: BIG, "x": [BIG, {"y": list(range(SPLIT_AT))}]},  # a number key, as dumps writes it
    {True: list(range(SPLIT_AT)), None: '\u2028 "quoted" \\ \n'},
    [float("inf"), -0.0, 1e300, 2**70],
]


@pytest.mark.parametrize("value", SAMPLES, ids=range(len(SAMPLES)))
def test_the_same_bytes_as_json_dumps(value: Any) -> None:
    assert compact(value) == dumps(value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(), inner, max_size=6),
    max_leaves=40,
)


@given(json_values)
def test_any_value_small_split_or_not(value: Any) -> None:
    assert compact(value) == dumps(value)
    saved = render_json.SPLIT_AT
    render_json.SPLIT_AT = 2  # split everything that can be
    try:
        assert compact(value) == dumps(value)
    finally:
        render_json.SPLIT_AT = saved


def test_a_value_json_cannot_hold_fails_as_in_dumps() -> None:
    with pytest.raises(TypeError):
        compact({"x": object()})
    with pytest.raises(TypeError):
        compact({"x": [object()] * SPLIT_AT})
