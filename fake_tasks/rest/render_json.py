"""Compact JSON straight to bytes: large containers are encoded item by item into one buffer."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring
from typing import Any, Final

__all__ = ["compact", "one_shot"]

# A container with this many items (or holding one, a few levels down) is written item by item:
# the whole text never exists as a `str` beside its bytes (a 100,000-task list: 34 MB each).
SPLIT_AT: Final = 256
_DEPTH: Final = 3  # how deep to look for one: a list grouped by node holds its tasks at 3

Encode = Callable[[Any], str]


def _one_shot() -> Encode:
    """`json.dumps(value, separators=(",", ":"), ensure_ascii=False)`, minus its set-up."""
    make: Callable[..., Callable[[Any, int], Iterable[str]]] | None = getattr(
        json.encoder, "c_make_encoder", None
    )
    if make is None:  # no C accelerator: the plain call
        return lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    encoder = make(None, None, encode_basestring, None, ":", ",", False, False, True)
    # no `default` (as dumps: a value JSON cannot hold raises TypeError) and no cycle check
    # (bodies are trees; a cycle would recurse until RecursionError instead of ValueError)

    def encode(value: Any) -> str:
        if isinstance(value, str):  # the C encoder expects a container or scalar, like dumps
            return encode_basestring(value)
        return "".join(encoder(value, 0))

    return encode


_encode: Final = _one_shot()


def one_shot(value: Any) -> bytes:
    """`compact(value)` in one piece: for a value of bounded size, whatever its item count."""
    return _encode(value).encode()


def compact(value: Any) -> bytes:
    """The bytes of `json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()`."""
    if not _holds_big(value, 0):
        return _encode(value).encode()
    out = io.BytesIO()
    _write(value, out, 0)
    return out.getvalue()  # the buffer itself, not a copy


def _holds_big(value: Any, depth: int) -> bool:
    """Whether `value` is, or holds within `_DEPTH` levels, a container of `SPLIT_AT` items."""
    items: Iterable[Any]
    if type(value) is dict:
        items = value.values()
    elif type(value) is list:
        items = value
    else:
        return False
    if len(value) >= SPLIT_AT:
        return True
    return depth < _DEPTH and any(_holds_big(item, depth + 1) for item in items)


def _write(value: Any, out: io.BytesIO, depth: int) -> None:
    """`value` into `out`: a big container item by item, one holding a big one recursively."""
    big = len(value) >= SPLIT_AT if type(value) in (dict, list) else False
    if not (big or _holds_big(value, depth)):
        out.write(_encode(value).encode())
    elif type(value) is dict and all(type(key) is str for key in value):
        separator = "{"
        for key, item in value.items():
            out.write(f"{separator}{encode_basestring(key)}:".encode())
            if big:
                out.write(_encode(item).encode())
            else:
                _write(item, out, depth + 1)
            separator = ","
        out.write(b"}")
    elif type(value) is list:
        opening = b"["
        for item in value:
            out.write(opening)
            if big:
                out.write(_encode(item).encode())
            else:
                _write(item, out, depth + 1)
            opening = b","
        out.write(b"]")
    else:  # a dict with keys JSON turns into strings (numbers, booleans, null): as dumps does
        out.write(_encode(value).encode())
