"""The `_cat` table: columns with aliases, `h`/`s`/`v`/`help`/`time`, as text or JSON rows.

Mirrors `RestTable` and `AbstractCatAction`: the columns a request shows (`h`, with `*`
patterns and aliases, else the default ones), the row order (`s`, `:asc`/`:desc`), cell
values rendered as strings (time values in the `time` unit), and the plain-text layout: columns
padded to their widest value (header included with `v`), one space apart, the last column
unpadded.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fake_tasks.cluster.matching import simple_match
from fake_tasks.cluster.timevalue import NANOS_PER_UNIT, human
from fake_tasks.errors import EsError

__all__ = ["Column", "Duration", "Table", "help_text", "json_rows", "text"]


@dataclass(frozen=True)
class Duration:
    """A `TimeValue` cell: rendered in the request's `time` unit, else the human form."""

    nanos: int

    def render(self, unit: str | None) -> str:
        per = NANOS_PER_UNIT.get(unit or "")
        return human(self.nanos) if per is None else str(self.nanos // per)


Cell = int | str | Duration | None


@dataclass(frozen=True)
class Column:
    """A header cell: its name and attributes (`alias`, `default`, `desc`, `text-align`)."""

    name: str
    aliases: tuple[str, ...] = ()
    default: bool = True
    desc: str = "not available"
    right: bool = False

    @property
    def alias_text(self) -> str:
        return ",".join(self.aliases)


@dataclass
class Table:
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)

    def index(self, name: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.name == name)

    def alias_map(self) -> dict[str, str]:
        """`Table.getAliasMap`: every alias and name to its column (a later alias wins)."""
        out: dict[str, str] = {}
        for column in self.columns:
            for alias in column.aliases:
                out[alias] = column.name
            out[column.name] = column.name
        return out


def _render(value: Cell, params: Mapping[str, str]) -> str | None:
    if value is None:
        return None
    if isinstance(value, Duration):
        return value.render(params.get("time"))
    return str(value)


def _display(table: Table, params: Mapping[str, str]) -> list[tuple[int, str]]:
    """`buildDisplayHeaders`: (column index, shown name) in the order to print."""
    names = [c.name for c in table.columns]
    if "h" not in params:
        return [(i, c.name) for i, c in enumerate(table.columns) if c.default]
    wanted: dict[str, None] = {}
    for pattern in params["h"].split(",") if params["h"] else []:
        if "*" in pattern:
            for column in table.columns:
                if simple_match(pattern, column.name) or any(
                    simple_match(pattern, a) for a in column.aliases
                ):
                    wanted.setdefault(column.name)
        else:
            wanted.setdefault(pattern)
    shown: list[tuple[int, str]] = []
    for name in wanted:
        if name in names:
            shown.append((names.index(name), name))
            continue
        found = None
        for i, column in enumerate(table.columns):
            if name in column.aliases:
                found = (i, name)
        if found is not None:
            shown.append(found)
    return shown


def _compare(a: Cell, b: Cell) -> int:
    if a is None or b is None:
        return (a is not None) - (b is not None)
    if type(a) is type(b):
        left: Any = a.nanos if isinstance(a, Duration) else a
        right: Any = b.nanos if isinstance(b, Duration) else b
    else:
        left, right = str(a), str(b)
    return int(left > right) - int(left < right)


def _order(table: Table, params: Mapping[str, str]) -> list[int]:
    """`getRowOrder`: stable sort by the `s` columns; an unknown one is a 500, as in ES."""
    order = list(range(len(table.rows)))
    if "s" not in params:
        return order
    aliases = table.alias_map()
    keys: list[tuple[int, bool]] = []
    for spec in params["s"].split(",") if params["s"] else []:
        name, reverse = spec, False
        if spec.endswith(":desc"):
            name, reverse = spec[: -len(":desc")], True
        elif spec.endswith(":asc"):
            name = spec[: -len(":asc")]
        if name not in aliases:
            raise EsError.custom(
                "unsupported_operation_exception",
                f"Unable to sort by unknown sort key `{name}`",
                500,
            )
        keys.append((table.index(aliases[name]), reverse))

    def compare(x: int, y: int) -> int:
        for column, reverse in keys:
            result = _compare(table.rows[x][column], table.rows[y][column])
            if result:
                return -result if reverse else result
        return 0

    return sorted(order, key=functools.cmp_to_key(compare))


def _pad(value: str | None, width: int, *, last: bool, right: bool = False) -> str:
    text = value or ""
    # RestTable.pad keeps the padding in a Java byte: widths past 127 wrap around
    left_over = (width - len(text) + 128) % 256 - 128
    if left_over > 0 and right:
        return " " * left_over + text
    return text if last or left_over <= 0 else text + " " * left_over


def text(table: Table, params: Mapping[str, str], *, verbose: bool) -> str:
    """The plain-text table (`buildTextPlainResponse`)."""
    shown = _display(table, params)
    rendered = [[_render(row[i], params) for i, _ in shown] for row in table.rows]
    widths = [len(name) if verbose else 0 for _, name in shown]
    for row in rendered:
        widths = [max(w, len(v or "")) for w, v in zip(widths, row, strict=True)]
    last = len(shown) - 1
    lines = []
    if verbose:
        lines.append(
            " ".join(
                _pad(name, widths[c], last=c == last, right=table.columns[i].right)
                for c, (i, name) in enumerate(shown)
            )
        )
    for index in _order(table, params):
        lines.append(
            " ".join(
                _pad(value, widths[c], last=c == last, right=table.columns[shown[c][0]].right)
                for c, value in enumerate(rendered[index])
            )
        )
    return "".join(line + "\n" for line in lines)


def json_rows(table: Table, params: Mapping[str, str]) -> list[dict[str, str | None]]:
    """The JSON array (`buildXContentBuilder`): every value a string, keys as shown."""
    shown = _display(table, params)
    return [
        {name: _render(table.rows[index][i], params) for i, name in shown}
        for index in _order(table, params)
    ]


def help_text(columns: Sequence[Column]) -> str:
    """`?help`: name, aliases and description of every column, each padded."""
    cells = [(c.name, c.alias_text, c.desc) for c in columns]
    widths = [max((len(cell[k]) for cell in cells), default=0) for k in range(3)]
    return "".join(
        " | ".join(_pad(cell[k], widths[k], last=False) for k in range(3)) + "\n" for cell in cells
    )
