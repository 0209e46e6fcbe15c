"""Request parameters as `RestRequest` reads them: consumed names, booleans, times, ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fake_tasks.errors import IllegalArgumentError
from fake_tasks.ids import TaskId
from fake_tasks.matching import split_commas
from fake_tasks.timevalue import parse_time_value

# Read by the REST channel or controller for every request, so never "unrecognized".
RESPONSE_PARAMS = ("format", "filter_path", "pretty", "human", "error_trace")


class Params:
    """The query and path parameters of one request; reading a name marks it consumed."""

    def __init__(self, path: str, values: Mapping[str, str]) -> None:
        self.path = path
        self._values = dict(values)
        self._consumed: set[str] = set(RESPONSE_PARAMS)

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get(self, name: str, default: str | None = None) -> str | None:
        self._consumed.add(name)
        return self._values.get(name, default)

    def boolean(self, name: str, default: bool) -> bool:
        """`paramAsBoolean`: empty means true, blank means the default, else strictly true/false."""
        value = self.get(name)
        if value is None:
            return default
        if value == "":
            return True
        if not value.strip():
            return default
        if value in ("true", "false"):
            return value == "true"
        raise IllegalArgumentError(
            f"Failed to parse value [{value}] as only [true] or [false] are allowed."
        )

    def time_ns(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None else parse_time_value(value, name)

    def strings(self, name: str) -> tuple[str, ...]:
        return tuple(split_commas(self.get(name)))

    def task_id(self, name: str) -> TaskId | None:
        return TaskId.parse(self.get(name))

    def unrecognized(self) -> list[str]:
        return sorted(set(self._values) - self._consumed)

    def check_unrecognized(self) -> None:
        """`BaseRestHandler`: unknown parameters are a 400, with "did you mean" suggestions."""
        invalid = self.unrecognized()
        if invalid:
            raise IllegalArgumentError(unrecognized_message(self.path, invalid, self._consumed))


def unrecognized_message(path: str, invalid: Iterable[str], candidates: Iterable[str]) -> str:
    names = sorted(invalid)
    parts = []
    for name in names:
        scored = sorted(
            ((similarity(name, c), c) for c in candidates if similarity(name, c) > 0.5),
            key=lambda sc: (-sc[0], sc[1]),
        )
        part = f"[{name}]"
        keys = [c for _, c in scored]
        if len(keys) == 1:
            part += f" -> did you mean [{keys[0]}]?"
        elif keys:
            part += f" -> did you mean any of [{', '.join(keys)}]?"
        parts.append(part)
    plural = "s" if len(names) > 1 else ""
    return f"request [{path}] contains unrecognized parameter{plural}: {', '.join(parts)}"


def similarity(a: str, b: str) -> float:
    """Lucene `LevenshteinDistance.getDistance`: 1 - edits / longer length."""
    if not a and not b:
        return 1.0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(current[j - 1] + 1, previous[j] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return 1.0 - previous[-1] / max(len(a), len(b))
