"""The exceptions the server hit while answering: bounded, and holding no frames alive."""

from __future__ import annotations

import traceback

__all__ = ["MAX_SERVER_ERRORS", "ServerErrors"]

MAX_SERVER_ERRORS = 100


class ServerErrors(list[BaseException]):
    """The first `limit` exceptions recorded, oldest first; `total` counts every one.

    A recorded exception keeps its traceback as text (a note, shown when it is raised or
    printed) but drops the traceback objects, whose frames would keep each failed request's
    locals (request, body, cluster state) alive for as long as the list is.
    """

    def __init__(self, limit: int = MAX_SERVER_ERRORS) -> None:
        super().__init__()
        self.limit = limit
        self.total = 0

    def record(self, error: BaseException) -> None:
        self.total += 1
        text = "".join(traceback.format_exception(error)).rstrip()
        _release_frames(error)
        if len(self) < self.limit:
            error.add_note(f"Server-side traceback (frames released):\n{text}")
            self.append(error)

    def clear(self) -> None:
        super().clear()
        self.total = 0


def _release_frames(error: BaseException) -> None:
    """Drop the tracebacks of `error` and of the exceptions chained to it."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        pending += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions
