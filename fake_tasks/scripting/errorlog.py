"""The exceptions the server hit while answering: bounded, and holding no frames alive."""

from __future__ import annotations

import traceback

__all__ = ["MAX_SERVER_ERRORS", "ServerErrors"]

MAX_SERVER_ERRORS = 100


class ServerErrors(list[BaseException]):
    """The first `limit` exceptions recorded, oldest first; `total` counts every one.

    A recorded exception keeps its traceback (so a test failure shows where the server broke)
    but not what its frames held: their local variables (the request, its body, the cluster
    state) are released, and so is the frame that caught it, which is still running.
    """

    def __init__(self, limit: int = MAX_SERVER_ERRORS) -> None:
        super().__init__()
        self.limit = limit
        self.total = 0

    def record(self, error: BaseException) -> None:
        """Record an exception caught by the caller (its traceback starts at the caller)."""
        self.total += 1
        if error.__traceback__ is not None:
            error.__traceback__ = error.__traceback__.tb_next
        _release_frames(error)
        if len(self) < self.limit:
            self.append(error)

    def clear(self) -> None:
        super().clear()
        self.total = 0


def _release_frames(error: BaseException) -> None:
    """Clear the local variables of the finished frames in the tracebacks of `error` and of the
    exceptions chained to it (running frames cannot be cleared and are left as they are)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        pending += [current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions
