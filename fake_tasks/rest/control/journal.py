"""`GET /_fake_tasks/journal`: the exchanges, filtered by request and answer, a page at a time."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from fake_tasks.errors import FakeTasksError
from fake_tasks.rest.control.errors import ControlError
from fake_tasks.rest.control.views import exchange_view
from fake_tasks.scripting.fake import FakeTasks
from fake_tasks.scripting.requests import Match

__all__ = ["MAX_PAGE", "journal_page"]

MAX_PAGE: Final = 1000
_DEFAULT_PAGE: Final = 100
_FILTERS: Final = ("api", "method", "path", "opaque_id", "status", "unexpected")
_OPTIONS: Final = ("from", "size", "bodies")


def journal_page(fake: FakeTasks, query: Mapping[str, str]) -> dict[str, Any]:
    """`from`, `size`, `bodies=false` (leave the bodies out), and filters: `api`, `method`,
    `path` (patterns as in `Match`), `status`, `opaque_id`, `unexpected=true|false`; any other
    query parameter is refused."""
    unknown = sorted(set(query) - {*_OPTIONS, *_FILTERS})
    if unknown:
        allowed = ", ".join([*_OPTIONS, *_FILTERS])
        raise ControlError(
            400,
            "invalid_control_request",
            f"unknown journal parameter(s) {unknown}; allowed: {allowed}",
        )
    start = _integer(query, "from", 0, 0, None)
    size = _integer(query, "size", _DEFAULT_PAGE, 0, MAX_PAGE)
    status = _integer(query, "status", None, 100, 599) if "status" in query else None
    unexpected = _flag(query, "unexpected")
    bodies = _flag(query, "bodies") is not False
    try:
        match = Match(
            method=query.get("method"),
            api=query.get("api"),
            path=query.get("path"),
            opaque_id=query.get("opaque_id"),
        )
    except FakeTasksError as error:
        raise ControlError(400, "invalid_control_request", str(error)) from None
    found = fake.journal.find(match, status=status)
    if unexpected is not None:
        found = [e for e in found if e.unexpected == unexpected]
    page = found[start : start + size]
    return {
        "total": len(found),
        "from": start,
        "size": len(page),
        "exchanges": [exchange_view(e, bodies=bodies) for e in page],
    }


def _integer(
    query: Mapping[str, str], name: str, default: int | None, low: int, high: int | None
) -> int:
    raw = query.get(name)
    if raw is None:
        assert default is not None
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise ControlError(
            400, "invalid_control_request", f"[{name}] must be an integer {bound}: [{raw}]"
        )
    return int(raw)


def _flag(query: Mapping[str, str], name: str) -> bool | None:
    raw = query.get(name)
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise ControlError(
            400, "invalid_control_request", f"[{name}] must be true or false: [{raw}]"
        )
    return raw == "true"
