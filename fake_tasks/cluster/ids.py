"""Task ids (`node:id`) as ES parses them, and ES-style node ids."""

from __future__ import annotations

import base64
import random
from typing import NamedTuple

from fake_tasks.errors import IllegalArgumentError, NumberFormatError
from fake_tasks.spec.javanum import java_int_in_range


class TaskId(NamedTuple):
    """A task's identity: the id of the node that runs it and a per-node counter.

    A named tuple: immutable, ordered, and hashed in C, as every index lookup hashes one.
    """

    node: str
    id: int

    def __deepcopy__(self, memo: dict[int, object]) -> TaskId:
        return self  # immutable: copies of a cluster share it

    @classmethod
    def parse(cls, text: str | None) -> TaskId | None:
        """`new TaskId(String)`: None for "unset" ids, IllegalArgumentError when malformed."""
        if text is None or text in ("", "unset"):
            return None
        node, sep, number = text.partition(":")
        if not sep:
            raise IllegalArgumentError(f"malformed task id {text}")
        value = _parse_long(number)
        if value is None:
            raise IllegalArgumentError(
                f"malformed task id {text}",
                caused_by=NumberFormatError(f'For input string: "{number}"'),
            )
        return None if value == -1 else cls(node, value)

    def __str__(self) -> str:
        return f"{self.node}:{self.id}"


def _parse_long(text: str) -> int | None:
    return java_int_in_range(text)


def node_id(rng: random.Random) -> str:
    """A 22-character URL-safe base64 id, the shape of `UUIDs.randomBase64UUID()`."""
    raw = bytes(rng.getrandbits(8) for _ in range(16))
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")
