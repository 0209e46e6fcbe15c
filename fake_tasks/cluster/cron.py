"""Quartz-style cron schedules (`sec min hour day-of-month month day-of-week [year]`), in UTC.

The subset rollup jobs use: numbers, names (`JAN`, `MON`), `*`, `?`, ranges `a-b`, steps `a/n`
and `*/n`, and lists. An expression outside it never fires (`Cron.supported` is False).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

__all__ = ["Cron"]

_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_DAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
_BOUNDS = ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (1, 7), (1970, 2199))
_NS = 1_000_000_000


def _field(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int] | None:
    """The values a field allows; None for "any" (`*`, `?`); ValueError if unsupported."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
            if step <= 0:
                raise ValueError(part)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _number(a, names), _number(b, names)
        else:
            start = _number(part, names)
            end = high if step > 1 or "/" in text else start
        if not (low <= start <= high and low <= end <= high):
            raise ValueError(part)
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _number(text: str, names: dict[str, int]) -> int:
    upper = text.upper()
    return names[upper] if upper in names else int(text)


@dataclass(frozen=True)
class Cron:
    """A parsed schedule; `next_after(ns)` is the first firing strictly after an instant."""

    expression: str
    fields: tuple[frozenset[int] | None, ...] = ()
    supported: bool = True

    @classmethod
    def parse(cls, expression: str) -> Cron:
        parts = expression.split()
        if len(parts) not in (6, 7):
            return cls(expression, supported=False)
        try:
            fields = tuple(
                _field(
                    part,
                    *_BOUNDS[i],
                    _MONTHS if i == 4 else _DAYS if i == 5 else {},
                )
                for i, part in enumerate(parts)
            )
        except (ValueError, KeyError):
            return cls(expression, supported=False)
        return cls(expression, fields + ((None,) if len(fields) == 6 else ()))

    def _allows(self, index: int, value: int) -> bool:
        allowed = self.fields[index]
        return allowed is None or value in allowed

    def _day_ok(self, day: dt.date) -> bool:
        weekday = (day.isoweekday() % 7) + 1  # Quartz: 1 = Sunday
        return (
            self._allows(6, day.year)
            and self._allows(4, day.month)
            and self._allows(3, day.day)
            and self._allows(5, weekday)
        )

    def next_after(self, ns: int, *, horizon_days: int = 366 * 4) -> int | None:
        """The next firing after `ns` (epoch nanoseconds), or None within the horizon."""
        if not self.supported:
            return None
        start = dt.datetime.fromtimestamp(ns // _NS, tz=dt.UTC) + dt.timedelta(seconds=1)
        day = start.date()
        for offset in range(horizon_days + 1):
            current = day + dt.timedelta(days=offset)
            if not self._day_ok(current):
                continue
            first = start if offset == 0 else None
            found = self._time_in_day(current, first)
            if found is not None:
                return found
        return None

    def _time_in_day(self, day: dt.date, not_before: dt.datetime | None) -> int | None:
        floor = (not_before.hour, not_before.minute, not_before.second) if not_before else (0, 0, 0)
        for hour in self._range(2, 0, 23):
            if hour < floor[0]:
                continue
            for minute in self._range(1, 0, 59):
                if (hour, minute) < floor[:2]:
                    continue
                for second in self._range(0, 0, 59):
                    if (hour, minute, second) < floor:
                        continue
                    moment = dt.datetime(day.year, day.month, day.day, hour, minute, second)
                    return int(moment.replace(tzinfo=dt.UTC).timestamp()) * _NS
        return None

    def _range(self, index: int, low: int, high: int) -> list[int]:
        allowed = self.fields[index]
        return list(range(low, high + 1)) if allowed is None else sorted(allowed)
