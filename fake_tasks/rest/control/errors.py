"""Control API errors: a status, a type, a reason and, for a bad payload, its problems."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["ControlError"]


class ControlError(Exception):
    """A control request the fake refuses: an HTTP status, a type, a reason, and problems."""

    def __init__(
        self,
        status: int,
        kind: str,
        reason: str,
        problems: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(reason)
        self.status = status
        self.kind = kind
        self.reason = reason
        self.problems = problems or []
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.kind, "reason": self.reason}
        if self.problems:
            error["problems"] = self.problems
        return {"error": error, "status": self.status}
