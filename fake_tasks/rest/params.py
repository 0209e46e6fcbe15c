"""Request parameters as `RestRequest` reads them: consumed names, booleans, times, ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fake_tasks.cluster.ids import TaskId
from fake_tasks.cluster.matching import split_commas
from fake_tasks.cluster.timevalue import parse_time_value
from fake_tasks.errors import FakeTasksError, IllegalArgumentError, NumberFormatError
from fake_tasks.spec import ApiSpec, Param, ParamType
from fake_tasks.spec.javanum import java_int_in_range

# Read by the REST channel or controller for every request, so never "unrecognized".
RESPONSE_PARAMS = ("format", "filter_path", "pretty", "human", "error_trace")


class Params:
    """The query and path parameters of one request; reading a name marks it consumed.

    The typed reads (`boolean`, `time_ns`, `strings`, `task_id`, `string`) go through the API's
    table in `fake_tasks.spec`: the name must be there with that type, and its default is the
    table's. A handler reading a parameter its table lacks is a bug in the fake, not the request.
    """

    def __init__(self, path: str, values: Mapping[str, str], spec: ApiSpec | None = None) -> None:
        self.path = path
        self.spec = spec
        self._values = dict(values)
        self._consumed: set[str] = set(RESPONSE_PARAMS)

    def _param(self, name: str, *types: ParamType) -> Param:
        param = self.spec.param(name) if self.spec is not None else None
        if param is None or param.type not in types:
            api = self.spec.name if self.spec is not None else "?"
            raise FakeTasksError(f"{api} reads [{name}] as {'/'.join(types)}: not in its table")
        return param

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def get(self, name: str, default: str | None = None) -> str | None:
        self._consumed.add(name)
        return self._values.get(name, default)

    def peek(self, name: str) -> str | None:
        """A response parameter's value (`format`, ...): always consumed, not in read order."""
        return self._values.get(name)

    def boolean(self, name: str) -> bool:
        """`paramAsBoolean`: empty means true, blank means the default, else strictly true/false."""
        default = self._param(name, "boolean").default == "true"
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
        self._param(name, "time")
        value = self.get(name)
        return None if value is None else parse_time_value(value, name)

    def strings(self, name: str) -> tuple[str, ...]:
        self._param(name, "list")
        return tuple(split_commas(self.get(name)))

    def task_id(self, name: str) -> TaskId | None:
        self._param(name, "task_id")
        return TaskId.parse(self.get(name))

    def string(self, name: str) -> str | None:
        """A string or enum value as given (or the table's default); enums are checked later."""
        param = self._param(name, "string", "enum")
        return self.get(name, param.default)

    def integer(self, name: str) -> int | None:
        """`paramAsInt`: a Java int, else `Failed to parse int parameter [...]` (None: absent)."""
        self._param(name, "int")
        value = self.get(name)
        if value is None:
            return None
        number = java_int_in_range(value, -(2**31), 2**31 - 1)
        if number is not None:
            return number
        raise IllegalArgumentError(
            f"Failed to parse int parameter [{name}] with value [{value}]",
            caused_by=NumberFormatError(f'For input string: "{value}"'),
        )

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
    pool = sorted(set(candidates))
    for name in names:
        scores = ((_close(name, c), c) for c in pool)
        scored = sorted(((s, c) for s, c in scores if s > 0.5), key=lambda sc: (-sc[0], sc[1]))
        part = f"[{name}]"
        keys = [c for _, c in scored]
        if len(keys) == 1:
            part += f" -> did you mean [{keys[0]}]?"
        elif keys:
            part += f" -> did you mean any of [{', '.join(keys)}]?"
        parts.append(part)
    plural = "s" if len(names) > 1 else ""
    return f"request [{path}] contains unrecognized parameter{plural}: {', '.join(parts)}"


def _close(a: str, b: str) -> float:
    """`similarity`, or 0 when the lengths alone keep it at or below one half.

    The distance is at least the difference in length, so with the shorter string at most half
    as long as the longer, the similarity cannot pass 0.5 (the server's threshold): skipping
    those keeps a 60,000-character parameter name from costing seconds.
    """
    if 2 * min(len(a), len(b)) <= max(len(a), len(b)):
        return 0.0
    return similarity(a, b)


def similarity(a: str, b: str) -> float:
    """Lucene `LevenshteinDistance.getDistance`: 1 - edits / longer length."""
    if a == b:
        return 1.0
    longest = max(len(a), len(b))
    return 1.0 - _distance(a, b) / longest


def _distance(a: str, b: str) -> int:
    """Levenshtein distance; a shared prefix and suffix cost nothing and are skipped."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    a, b = a[start:end_a], b[start:end_b]
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        left = i
        for j, char_b in enumerate(b):
            best = previous[j] if char_a == char_b else previous[j] + 1
            up = previous[j + 1] + 1
            if up < best:
                best = up
            if left + 1 < best:
                best = left + 1
            current.append(best)
            left = best
        previous = current
    return previous[-1]
